import Testing
import Vocabulary

@Test(arguments: [
    ("192.0.2.1", "192.0.2.1"),
    ("0.0.0.0", "0.0.0.0"),
    ("2001:db8::1", "2001:db8::1"),
    ("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
    ("::", "::"),
    ("::1", "::1"),
    ("fe80::", "fe80::"),
    ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
    ("::ffff:192.0.2.5", "::ffff:c000:205"),
])
func addressTextRoundTrip(input: String, canonical: String) throws {
    let address = try #require(IPAddress(input))
    #expect(address.description == canonical)
    #expect(IPAddress(canonical) == address)
}

@Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "+1.2.3.4", "1:2:3:4:5:6:7:8:9",
                  "1::2::3", "12345::", ":::", "g::", "1:2:3:4:5:6:7", "::1.2.3"])
func malformedAddressesAreRefused(_ text: String) {
    #expect(IPAddress(text) == nil)
}

@Test func addressFromBytes() {
    #expect(IPAddress(bytes: [192, 0, 2, 1])?.family == .ipv4)
    #expect(IPAddress(bytes: [UInt8](repeating: 0, count: 16))?.family == .ipv6)
    #expect(IPAddress(bytes: [1, 2, 3]) == nil)
    #expect(IPAddress.ipv4(203, 0, 113, 9).bytes == [203, 0, 113, 9])
}

/// Addresses are kept inline (two words), so the bytes, family and equality must not depend on how an address
/// was made: from text, from bytes, IPv4 next to an IPv6 address whose first bytes are the same.
@Test func inlineAddressesKeepTheirBytesAndFamily() throws {
    let v6Bytes: [UInt8] = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]
    let v6 = try #require(IPAddress(bytes: v6Bytes))
    #expect(v6.bytes == v6Bytes)
    #expect(v6 == IPAddress("2001:db8::1"))
    let v4 = try #require(IPAddress(bytes: [0x20, 0x01, 0x0d, 0xb8]))
    #expect(v4.bytes == [32, 1, 13, 184])
    #expect(v4 != IPAddress(bytes: [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 12)))
    #expect(IPAddress(bytes: ArraySlice(v6Bytes)) == v6)
    #expect(Set([v4, v6, IPAddress("32.1.13.184")!]).count == 2)
}
