// mcast_src_ip: the source of the multicast adverts, and the address compared when priorities are equal.
import Vocabulary
import Testing
import VRRP
@testable import vrrpd

@Suite struct EngineAdvertSourceTests {
    @Test func advertsLeaveFromMcastSrcIP() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        a.interfaces.add("eth0", segment: "lan", addresses: [(ip("192.0.2.1"), 24), (ip("192.0.2.51"), 24)])
        try a.start(Instance(state: "MASTER", priority: 150, extra: ["mcast_src_ip 192.0.2.51"]).text)
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) != nil, "\(a.log.text)")
        lan.run(seconds: 2)
        let sent = lan.wire.frames.filter { $0.sender == "a" }
        #expect(!sent.isEmpty && sent.allSatisfy { $0.source == ip("192.0.2.51") && $0.destination == ip("224.0.0.18") })
        #expect(a.adverts.open.first?.boundSource == nil, "a multicast socket is not bound: it must still hear the group")
    }

    @Test func withoutItAdvertsLeaveFromThePrimaryAddress() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        try a.start(Instance(state: "MASTER", priority: 150).text)
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) != nil)
        #expect(lan.wire.frames.filter { $0.sender == "a" }.allSatisfy { $0.source == ip("192.0.2.1") })
    }

    /// RFC 3768 §6.4.3 / keepalived: on equal priority the higher source address is Master; with mcast_src_ip that
    /// is the configured source, not the interface's own address.
    @Test func theTieBreakUsesMcastSrcIP() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let b = lan.host("b", eth0: "192.0.2.2")
        try a.start(Instance(state: "MASTER", priority: 100, extra: ["mcast_src_ip 192.0.2.250"]).text)
        try b.start(Instance(state: "MASTER", priority: 100).text)
        #expect(lan.run(until: { a.state("VI_1") == .master && b.state("VI_1") == .backup }, within: 10) != nil,
                "a: \(a.log.text)\nb: \(b.log.text)")
        lan.run(seconds: 5)
        #expect(a.holds(vip) && !b.holds(vip))
        #expect(b.state("VI_1") == .backup)
    }

    @Test func anIPv6InstanceSendsFromItsMcastSrcIP() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        a.interfaces.add("eth0", segment: "lan", addresses: [(ip("fe80::1"), 64), (ip("fe80::51"), 64)])
        try a.start(Instance(state: "MASTER", priority: 150, version: 3, vips: ["2001:db8::100/64"],
                             extra: ["mcast_src_ip fe80::51"]).text)
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) != nil, "\(a.log.text)")
        let sent = lan.wire.frames.filter { $0.sender == "a" }
        #expect(!sent.isEmpty && sent.allSatisfy { $0.source == ip("fe80::51") && $0.destination == ip("ff02::12") })
        // The checksum covers the pseudo-header with that source: a receiver decodes it.
        #expect(sent.allSatisfy { $0.advert != nil })
    }
}
