// SIGHUP: only what changed is touched.
import Vocabulary
import Testing
import VRRP
@testable import vrrpd

@Suite struct EngineReloadTests {
    static let first = Instance(state: "MASTER", priority: 150)
    static let second = Instance(name: "VI_2", state: "MASTER", vrid: 52, priority: 150, vips: ["192.0.2.101/24"])

    @Test func anUnchangedInstanceKeepsItsStateAChangedOneRestartsARemovedOneReleases() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let b = lan.host("b", eth0: "192.0.2.2")
        try a.start(Self.first.text)
        try b.start(Instance(priority: 100).text)
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) != nil)
        lan.run(seconds: 2)

        // An unrelated change: a second instance. VI_1 keeps its state and its VIP throughout.
        let changesBefore = a.transitions.count
        try a.reload(Self.first.text + Self.second.text)
        #expect(a.state("VI_1") == .master && a.holds(vip))
        #expect(a.log.contains("VI_2 started") && !a.log.contains("VI_1 stopped"), "\(a.log.text)")
        lan.run(seconds: 5)
        #expect(a.state("VI_2") == .master && a.holds("192.0.2.101"))
        #expect(a.transitions.dropFirst(changesBefore).allSatisfy { $0.instance == "VI_2" })
        #expect(!a.addressControl.history.contains(.removed(ip(vip), interface: "eth0")))
        #expect(b.state("VI_1") == .backup && !b.holds(vip), "b never saw a gap in a's adverts")

        // A change to VI_1 itself restarts it, and only it: it lets go (priority 0, VIP removed) and starts again.
        var changed = Self.first
        changed.priority = 160
        try a.reload(changed.text + Self.second.text)
        #expect(a.log.contains("VI_1 stopped: its configuration changed or was removed"))
        #expect(!a.log.contains("VI_2 stopped"))
        #expect(a.state("VI_1") == .backup && !a.holds(vip))
        #expect(lan.wire.adverts(from: "a").last { $0.vrid == 51 }?.priority == 0)
        #expect(lan.run(until: { a.state("VI_1") == .master && a.priority("VI_1") == 160 }, within: 5) != nil)
        lan.run(seconds: 1)
        #expect(a.holds(vip) && !b.holds(vip))
        #expect(a.state("VI_2") == .master && !a.addressControl.history.contains(.removed(ip("192.0.2.101"), interface: "eth0")))

        // VI_2 removed: it releases its VIP and tells the others with priority 0; VI_1 is not touched.
        let vi1Changes = a.transitions.filter { $0.instance == "VI_1" }.count
        try a.reload(changed.text)
        #expect(a.state("VI_2") == nil && !a.holds("192.0.2.101"))
        #expect(lan.wire.adverts(from: "a").last?.vrid == 52 && lan.wire.adverts(from: "a").last?.priority == 0)
        lan.run(seconds: 5)
        #expect(a.transitions.filter { $0.instance == "VI_1" }.count == vi1Changes)
        #expect(a.state("VI_1") == .master && a.holds(vip))
    }
}
