// Gratuitous ARP / NA timing through the engine: keepalived's per-interface spacing and the global defaults.
import Vocabulary
import Testing
import VRRP
@testable import vrrpd

@Suite struct EngineGratuitousTests {
    @Test func garpIntervalSpacesTheBurstAndCollapsesRepeatsOfAPendingAddress() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let globals = "global_defs {\n    vrrp_garp_interval 0.2\n    vrrp_garp_master_delay 0\n    vrrp_garp_master_repeat 3\n}\n"
        try a.start(globals + Instance(state: "MASTER", priority: 150, vips: ["192.0.2.100/24", "192.0.2.101/24"]).text)
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) != nil, "\(a.log.text)")
        let start = try #require(a.lastEntered(.master, "VI_1"))
        lan.run(seconds: 2)
        let sent = a.announcer.sent.filter { $0.interface == "eth0" }
        // .100 at once, then one message per 0.2 s in the instance's address order: .100 again (its repeats
        // collapsed while pending), then .101, and nothing more.
        #expect(sent.map(\.addresses) == [[ip("192.0.2.100")], [ip("192.0.2.100")], [ip("192.0.2.101")]], "\(sent)")
        #expect(sent.map { $0.time - start } == [.zero, .milliseconds(200), .milliseconds(400)])
    }

    @Test func withoutAnIntervalABurstGoesAtOnceAndTheSecondAfterTheGlobalDelay() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let globals = "global_defs {\n    vrrp_garp_master_delay 2\n    vrrp_garp_master_repeat 2\n}\n"
        try a.start(globals + Instance(state: "MASTER", priority: 150).text)
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) != nil)
        let start = try #require(a.lastEntered(.master, "VI_1"))
        lan.run(seconds: 3)
        let times = a.announcer.sent.filter { $0.interface == "eth0" }.map { $0.time - start }
        #expect(times == [.zero, .zero, .seconds(2), .seconds(2)], "\(times)")
    }

    @Test func pendingAnnouncementsStopWhenTheMasterLeaves() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let globals = "global_defs {\n    vrrp_garp_interval 0.5\n    vrrp_garp_master_delay 0\n}\n"
        try a.start(globals + Instance(state: "MASTER", priority: 150, vips: ["192.0.2.100/24", "192.0.2.101/24"]).text)
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) != nil)
        let before = a.announcer.sent.count
        a.stop()
        lan.run(seconds: 2)
        #expect(before == 1 && a.announcer.sent.count == 1, "\(a.announcer.sent)")
    }
}
