import Testing
@testable import IPVS
import Vocabulary

@Test func addressTextRoundTrips() {
    for text in ["192.0.2.1", "0.0.0.0", "255.255.255.255", "2001:db8::1", "::", "::1", "2001:db8:0:1:1:1:1:1",
                 "fe80::1:0:0:1", "2001:db8::", "1:0:0:2::3"] {
        #expect(IPAddress(text)?.description == text, "\(text)")
    }
    #expect(IPAddress("::ffff:192.0.2.1") == .v6(high: 0, low: 0x0000_FFFF_C000_0201))
    #expect(IPAddress("2001:DB8::A")?.description == "2001:db8::a")
    for bad in ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.-4", "::1::", "1:2:3:4:5:6:7:8:9",
                "12345::", "g::1", "1:2:3:4:5:6:7::8", ":1:2:3:4:5:6:7", "1::2:3.4.5", "1.2.3.4::"] {
        #expect(IPAddress(bad) == nil, "\(bad)")
    }
}

@Test func addressBytesAndOrder() {
    let a = IPAddress("198.51.100.20")!
    #expect(a.bytes == [198, 51, 100, 20])
    #expect(a.inetAddrUnionBytes.count == 16 && a.inetAddrUnionBytes[4...].allSatisfy { $0 == 0 })
    #expect(IPAddress(family: .ipv4, bytes: a.inetAddrUnionBytes) == a)
    #expect(IPAddress(family: .ipv6, bytes: [1, 2, 3, 4]) == nil)
    #expect(IPAddress("203.0.113.1")! < IPAddress("::1")!)
    #expect(IPAddress("2001:db8::1")! < IPAddress("2001:db8::2")!)
}
