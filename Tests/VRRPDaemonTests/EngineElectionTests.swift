// Elections between engines on the fake wire: who becomes master, who holds the VIP, what goes out.
import Vocabulary
import Testing
import VRRP
@testable import vrrpd

/// v2, advert_int 1: Master_Down_Interval is 3 s plus Skew_Time (256 − priority) / 256 s, in whole microseconds.
let downInterval100 = Duration.microseconds(3_609_375)
let downInterval150 = Duration.microseconds(3_414_062)
let vip = "192.0.2.100"

@Suite struct EngineElectionTests {
    @Test func theHigherPriorityBecomesMasterAndAloneHoldsTheVIP() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let b = lan.host("b", eth0: "192.0.2.2")
        try a.start(Instance(state: "MASTER", priority: 150).text)
        try b.start(Instance(priority: 100).text)
        #expect(a.state("VI_1") == .backup && b.state("VI_1") == .backup, "state MASTER below 255 starts as backup")

        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) == downInterval150)
        lan.run(seconds: 10)
        #expect(a.state("VI_1") == .master && b.state("VI_1") == .backup)
        #expect(a.holds(vip, on: "eth0") && !b.holds(vip))
        #expect(a.addressControl.history == [.added(ip(vip), interface: "eth0")])
        #expect(a.interfaces.assigned(on: "eth0").last == .init(address: ip(vip), prefixLength: 24, label: nil))

        // garp_master_repeat (5) on becoming master, and again after garp_master_delay (5 s).
        let becameMaster = try #require(a.lastEntered(.master, "VI_1"))
        let garps = a.announcer.sent
        #expect(garps.count == 10)
        #expect(garps.allSatisfy { $0.interface == "eth0" && $0.addresses == [ip(vip)] })
        #expect(garps.prefix(5).allSatisfy { $0.time == becameMaster })
        #expect(garps.suffix(5).allSatisfy { $0.time == becameMaster + .seconds(5) })
        #expect(b.announcer.sent.isEmpty)

        // a advertises 150 once a second from its first instant as master; b, a backup, says nothing.
        let adverts = lan.wire.adverts(from: "a")
        #expect(adverts.count == 11)
        #expect(adverts.allSatisfy { $0.priority == 150 && $0.vrid == 51 && $0.addresses == [ip(vip)] })
        #expect(lan.wire.frames.allSatisfy { $0.destination == ip("224.0.0.18") && $0.source == ip("192.0.2.1") })
        #expect(lan.wire.adverts(from: "b").isEmpty)
    }

    @Test func equalPrioritiesElectTheHigherPrimaryAddress() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let b = lan.host("b", eth0: "192.0.2.2")
        try a.start(Instance(priority: 100).text)
        try b.start(Instance(priority: 100).text)
        lan.run(seconds: 10)
        #expect(b.state("VI_1") == .master && a.state("VI_1") == .backup)
        #expect(b.holds(vip) && !a.holds(vip))
        // Their timers ran out at the same instant, so both were master until each heard the other.
        #expect(a.transitions.map(\.state) == [.backup, .master, .backup])
        #expect(a.log.contains("VI_1: MASTER → BACKUP (higherPriorityAdvert)"), "\(a.log.text)")
        #expect(a.addressControl.history == [.added(ip(vip), interface: "eth0"), .removed(ip(vip), interface: "eth0")])
        #expect(b.transitions.map(\.state) == [.backup, .master])
    }

    @Test func unicastPeersElectOverUnicastAdverts() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let b = lan.host("b", eth0: "192.0.2.2")
        let c = lan.host("c", eth0: "192.0.2.3")
        try a.start(Instance(state: "MASTER", priority: 150, unicast: ("192.0.2.1", ["192.0.2.2"])).text)
        try b.start(Instance(priority: 100, unicast: ("192.0.2.2", ["192.0.2.1"])).text)
        // A multicast instance of the same VRID elsewhere on the segment hears none of it.
        try c.start(Instance(priority: 50).text)
        lan.run(seconds: 8)
        #expect(a.state("VI_1") == .master && b.state("VI_1") == .backup)
        #expect(a.holds(vip) && !b.holds(vip))
        let fromA = lan.wire.frames.filter { $0.sender == "a" }
        #expect(!fromA.isEmpty && fromA.allSatisfy { $0.destination == ip("192.0.2.2") && $0.source == ip("192.0.2.1") })
        #expect(c.state("VI_1") == .master, "c heard no unicast advert")
    }

    @Test func ipv6InstancesElectOverVersion3() throws {
        let lan = FakeLAN()
        let a = FakeHost(name: "a", id: 1, wire: lan.wire).plug("eth0", into: "lan", "fe80::1", prefixLength: 64)
        let b = FakeHost(name: "b", id: 2, wire: lan.wire).plug("eth0", into: "lan", "fe80::2", prefixLength: 64)
        let v6 = Instance(state: "MASTER", priority: 150, version: 3, vips: ["2001:db8::100/64"])
        try a.start(v6.text)
        var backup = v6
        backup.state = "BACKUP"
        backup.priority = 100
        try b.start(backup.text)
        lan.run(seconds: 8)
        #expect(a.state("VI_1") == .master && b.state("VI_1") == .backup)
        #expect(a.holds("2001:db8::100") && !b.holds("2001:db8::100"))
        #expect(lan.wire.frames.allSatisfy { $0.destination == ip("ff02::12") && $0.advert?.version == .v3 })
        #expect(a.announcer.sent.first?.addresses == [ip("2001:db8::100")])
    }
}
