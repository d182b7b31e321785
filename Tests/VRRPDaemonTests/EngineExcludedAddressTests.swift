// virtual_ipaddress_excluded: on the master's interfaces with the VIPs, announced with them, never in its adverts.
import Vocabulary
import Testing
import VRRP
@testable import vrrpd

@Suite struct EngineExcludedAddressTests {
    static let excluded = ["virtual_ipaddress_excluded {", "    192.0.2.200/24", "    2001:db8::200/64",
                           "    198.51.100.9/24 dev eth1 label eth1:x", "}"]

    @Test func theMasterHoldsThemAndItsAdvertsCarryOnlyTheVIPs() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1").plug("eth1", into: "uplink-a", "198.51.100.1")
        let b = lan.host("b", eth0: "192.0.2.2").plug("eth1", into: "uplink-b", "198.51.100.2")
        try a.start(Instance(state: "MASTER", priority: 150, extra: Self.excluded).text)
        try b.start(Instance(priority: 100, extra: Self.excluded).text)
        #expect(lan.run(until: { a.state("VI_1") == .master && b.state("VI_1") == .backup }, within: 8) != nil, "\(a.log.text)")

        #expect(a.holds(vip, on: "eth0") && a.holds("192.0.2.200", on: "eth0") && a.holds("2001:db8::200", on: "eth0"))
        #expect(a.holds("198.51.100.9", on: "eth1"))
        #expect(a.interfaces.assigned(on: "eth1").first { $0.address == ip("198.51.100.9") }?.label == "eth1:x")
        #expect(a.addressControl.history.prefix(1) == [.added(ip(vip), interface: "eth0")], "the VIPs first")
        #expect(lan.wire.adverts(from: "a").allSatisfy { $0.addresses == [ip(vip)] })
        let announced = a.announcer.sent.filter { $0.interface == "eth0" }.flatMap(\.addresses)
        #expect(announced.contains(ip("192.0.2.200")) && announced.contains(ip("2001:db8::200")))
        #expect(a.announcer.sent.contains { $0.interface == "eth1" && $0.addresses == [ip("198.51.100.9")] })
        #expect(!b.holds("192.0.2.200") && !b.holds("198.51.100.9"))
        #expect(!b.log.contains("address list"), "b's filter compares the VIPs only: \(b.log.text)")

        a.stop()
        #expect(!a.holds(vip) && !a.holds("192.0.2.200") && !a.holds("2001:db8::200") && !a.holds("198.51.100.9"))
        #expect(lan.run(until: { b.holds("192.0.2.200") && b.holds("2001:db8::200") && b.holds("198.51.100.9", on: "eth1") }, within: 3) != nil)
    }
}
