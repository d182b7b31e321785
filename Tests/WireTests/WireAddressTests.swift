import Testing
@testable import Wire

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
    let address = try #require(WireAddress(input))
    #expect(address.description == canonical)
    #expect(WireAddress(canonical) == address)
}

@Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "+1.2.3.4", "1:2:3:4:5:6:7:8:9",
                  "1::2::3", "12345::", ":::", "g::", "1:2:3:4:5:6:7", "::1.2.3"])
func malformedAddressesAreRefused(_ text: String) {
    #expect(WireAddress(text) == nil)
}

@Test func addressFromBytes() {
    #expect(WireAddress(bytes: [192, 0, 2, 1])?.family == .ipv4)
    #expect(WireAddress(bytes: [UInt8](repeating: 0, count: 16))?.family == .ipv6)
    #expect(WireAddress(bytes: [1, 2, 3]) == nil)
    #expect(WireAddress.ipv4(203, 0, 113, 9).bytes == [203, 0, 113, 9])
}
