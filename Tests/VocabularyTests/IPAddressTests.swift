import Testing
import Vocabulary

/// IPAddress keeps its bytes inline (two words); these pin what callers rely on: bytes, family, order, ranges.
@Suite struct IPAddressTests {
    @Test func bytesAndFamilyRoundTrip() throws {
        let v4 = try #require(IPAddress("192.0.2.10"))
        #expect(v4.bytes == [192, 0, 2, 10])
        #expect(v4.family == .ipv4 && v4.maximumPrefixLength == 32)
        let v6 = try #require(IPAddress("2001:db8::a"))
        #expect(v6.bytes == [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [0x0a])
        #expect(v6.family == .ipv6 && v6.maximumPrefixLength == 128)
        #expect(IPAddress(bytes: v6.bytes) == v6)
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
        #expect(v4.description == "192.0.2.10" && v6.description == "2001:db8::a")
    }

    @Test func orderIsIPv4FirstThenByteByByte() throws {
        let sorted = ["192.0.2.3", "10.0.1.1", "2001:db8::2", "10.0.0.2", "192.0.2.255", "2001:db8::1:0", "::1"]
            .compactMap(IPAddress.init).sorted().map(\.description)
        #expect(sorted == ["10.0.0.2", "10.0.1.1", "192.0.2.3", "192.0.2.255", "::1", "2001:db8::2",
                           "2001:db8::1:0"])
    }

    @Test func rangesAdvanceAcrossBytes() throws {
        let start = try #require(IPAddress("192.0.2.254"))
        #expect(start.advanced(by: 1)?.description == "192.0.2.255")
        #expect(start.advanced(by: 2)?.description == "192.0.3.0")
        #expect(IPAddress("255.255.255.255")?.advanced(by: 1) == nil)
        #expect(IPAddress("2001:db8::ffff")?.advanced(by: 1)?.description == "2001:db8::1:0")
    }

    @Test func multicast() {
        #expect(IPAddress("224.0.0.18")?.isMulticast == true)
        #expect(IPAddress("192.0.2.1")?.isMulticast == false)
        #expect(IPAddress("ff02::12")?.isMulticast == true)
    }
}
