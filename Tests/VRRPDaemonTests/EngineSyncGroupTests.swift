// A vrrp_sync_group: its members change state together, on both sides.
import Vocabulary
import Testing
import VRRP
@testable import vrrpd

@Suite struct EngineSyncGroupTests {
    static let gatewayVIP = "198.51.100.129"

    /// Seed 000's NAT pair: the public VIP on eth0 and the real servers' gateway on eth1, one group.
    static func config(state: String, priority: Int) -> String {
        syncGroup("VG_1", ["VI_1", "LAN_GW"])
            + Instance(name: "VI_1", state: state, interface: "eth0", vrid: 51, priority: priority).text
            + Instance(name: "LAN_GW", state: state, interface: "eth1", vrid: 52, priority: priority,
                       vips: ["\(gatewayVIP)/24"]).text
    }

    @Test func oneMembersLinkFailingMovesTheWholeGroup() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1").plug("eth1", into: "servers", "198.51.100.1")
        let b = lan.host("b", eth0: "192.0.2.2").plug("eth1", into: "servers", "198.51.100.2")
        try a.start(Self.config(state: "MASTER", priority: 150))
        try b.start(Self.config(state: "BACKUP", priority: 100))
        let aHoldsBoth = { a.holds(vip, on: "eth0") && a.holds(Self.gatewayVIP, on: "eth1") }
        let bHoldsBoth = { b.holds(vip, on: "eth0") && b.holds(Self.gatewayVIP, on: "eth1") }
        let aHoldsNone = { !a.holds(vip) && !a.holds(Self.gatewayVIP) }
        let bHoldsNone = { !b.holds(vip) && !b.holds(Self.gatewayVIP) }
        #expect(lan.run(until: aHoldsBoth, within: 10) != nil, "\(a.log.text)")
        lan.run(seconds: 3)
        #expect(bHoldsNone() && b.state("VI_1") == .backup && b.state("LAN_GW") == .backup)

        // Only the gateway's link fails; the public VIP follows it, because the group moves as one.
        a.interfaces.setLink("eth1", up: false)
        lan.run(seconds: 0)
        #expect(a.state("LAN_GW") == .fault && a.state("VI_1") == .fault)
        #expect(a.log.contains("VI_1: MASTER → FAULT (syncGroup)"), "\(a.log.text)")
        #expect(aHoldsNone())
        // VI_1 said priority 0 on the working link, but b's VI_1 goes master only with its whole group: when
        // LAN_GW, which heard nothing more on the dead link, runs out its Master_Down_Interval.
        let lastGatewayAdvert = try #require(lan.wire.frames.last { $0.sender == "a" && $0.segment == "servers" })
        #expect(lan.run(until: bHoldsBoth, within: 8) != nil)
        #expect(try #require(b.lastEntered(.master, "LAN_GW")) - lastGatewayAdvert.time == lan.wire.latency + downInterval100)
        #expect(b.state("VI_1") == .master && b.state("LAN_GW") == .master)
        #expect(b.log.contains("VI_1: BACKUP → MASTER (syncGroup)"), "\(b.log.text)")

        a.interfaces.setLink("eth1", up: true)
        #expect(lan.run(until: { aHoldsBoth() && bHoldsNone() }, within: 10) != nil, "a: \(a.log.text)\nb: \(b.log.text)")
        #expect(a.state("VI_1") == .master && a.state("LAN_GW") == .master)
        #expect(b.state("VI_1") == .backup && b.state("LAN_GW") == .backup)
    }

    @Test func aGroupWhoseMemberCannotRunIsNotStarted() throws {
        let lan = FakeLAN()
        // No eth1 on this host: LAN_GW cannot run, and VI_1 must not run without it.
        let a = lan.host("a", eth0: "192.0.2.1")
        try a.start(Self.config(state: "MASTER", priority: 150))
        lan.run(seconds: 10)
        #expect(a.engine?.states.isEmpty == true)
        #expect(a.log.contains("LAN_GW: eth1 has no IPv4 address to send adverts from; the instance is not started", at: .error),
                "\(a.log.text)")
        #expect(a.adverts.open.isEmpty)
        #expect(!a.holds(vip) && lan.wire.frames.isEmpty)
    }
}
