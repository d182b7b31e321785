// An instance that cannot hear adverts must not run: it would take MASTER next to a working master.
import Vocabulary
import Testing
import VRRP
@testable import vrrpd

@Suite struct EngineStartFailureTests {
    @Test func aTransportThatCannotBeWatchedKeepsTheUnitFromStarting() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let b = lan.host("b", eth0: "192.0.2.2")
        try b.start(Instance(priority: 100).text)
        #expect(lan.run(until: { b.state("VI_1") == .master }, within: 5) != nil)
        a.adverts.failWatch = []
        try a.start(Instance(state: "MASTER", priority: 150).text)
        #expect(a.log.contains("VI_1: cannot watch its VRRP socket on eth0: epoll_ctl: No space left on device; VI_1 is not started",
                               at: .error), "\(a.log.text)")
        #expect(a.engine?.states.isEmpty == true)
        #expect(a.adverts.open.isEmpty, "the socket it opened was closed again")
        lan.run(seconds: 10)
        #expect(lan.wire.adverts(from: "a").isEmpty && a.transitions.isEmpty)
        #expect(!a.holds(vip) && b.holds(vip) && b.state("VI_1") == .master)
    }

    @Test func aGroupMemberThatCannotBeWatchedKeepsTheGroupFromStartingButNotOtherUnits() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1").plug("eth1", into: "servers", "198.51.100.1")
        a.adverts.failWatch = ["eth1"]
        let lone = Instance(name: "VI_3", state: "MASTER", vrid: 53, priority: 150, vips: ["192.0.2.103/24"])
        try a.start(EngineSyncGroupTests.config(state: "MASTER", priority: 150) + lone.text)
        #expect(a.log.contains("LAN_GW: cannot watch its VRRP socket on eth1", at: .error), "\(a.log.text)")
        #expect(a.log.contains("VG_1 is not started"))
        #expect(a.adverts.open.map(\.interface) == ["eth0"], "only VI_3's socket stays open")
        #expect(a.engine?.states.map(\.name) == ["VI_3"])
        lan.run(seconds: 10)
        #expect(a.holds("192.0.2.103") && !a.holds(vip) && !a.holds(EngineSyncGroupTests.gatewayVIP))
        #expect(Set(lan.wire.adverts(from: "a").map(\.vrid)) == [53])
    }

    @Test func aTransportThatCannotBeOpenedKeepsTheUnitFromStarting() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        a.adverts.failOpen = true
        try a.start(Instance(state: "MASTER", priority: 150).text)
        #expect(a.log.contains("VI_1: cannot open its VRRP socket on eth0", at: .error))
        lan.run(seconds: 10)
        #expect(a.engine?.states.isEmpty == true && !a.holds(vip) && lan.wire.frames.isEmpty)
    }
}
