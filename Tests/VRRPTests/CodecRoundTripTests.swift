// Encode → decode round trips across versions, families, address counts and authentication.
import Testing
@testable import VRRP
import Vocabulary

@Suite struct CodecRoundTripTests {
    static let src4 = IPAddress.ipv4(198, 51, 100, 7)
    static let src6 = IPAddress.v6(high: 0xFE80_0000_0000_0000, low: 0x7)

    static func v4Addresses(_ n: Int) -> [IPAddress] { (0..<n).map { .v4(0xCB00_7100 | UInt32($0)) } }   // 203.0.113.x
    static func v6Addresses(_ n: Int) -> [IPAddress] { (0..<n).map { .v6(high: 0x2001_0DB8_0000_0000, low: UInt64($0)) } }

    @Test(arguments: [0, 1, 2, 20, 255])
    func v2RoundTrip(count: Int) throws {
        for auth in [VRRPAuthentication.none, .password("pw"), .password("12345678")] {
            let ad = VRRPAdvertisement(version: .v2, vrid: 42, priority: 254, interval: .seconds(3),
                                       addresses: Self.v4Addresses(count), authentication: auth)
            let bytes = ad.encodeIPv4Datagram(source: Self.src4, destination: .vrrpGroup(.ipv4))
            let back = try VRRPDecoder.decodeIPv4(datagram: bytes).get()
            #expect(back.advertisement == ad)
        }
    }

    @Test(arguments: [1, 3, 255])
    func v3IPv4RoundTrip(count: Int) throws {
        for cs: UInt64 in [1, 10, 100, 4095] {
            let ad = VRRPAdvertisement(version: .v3, vrid: 255, priority: 1, interval: .centiseconds(cs),
                                       addresses: Self.v4Addresses(count))
            let back = try VRRPDecoder.decodeIPv4(datagram: ad.encodeIPv4Datagram(source: Self.src4, destination: .vrrpGroup(.ipv4))).get()
            #expect(back.advertisement == ad)
            #expect(back.advertisement.interval == .centiseconds(cs))
        }
    }

    @Test(arguments: [1, 2, 16])
    func v3IPv6RoundTrip(count: Int) throws {
        let ad = VRRPAdvertisement(version: .v3, vrid: 9, priority: 200, interval: .milliseconds(250),
                                   addresses: Self.v6Addresses(count))
        let msg = ad.encodeMessage(source: Self.src6, destination: .vrrpGroup(.ipv6))
        #expect(msg.count == 8 + 16 * count)
        let back = try VRRPDecoder.decodeIPv6(payload: msg, source: Self.src6, destination: .vrrpGroup(.ipv6), hopLimit: 255).get()
        #expect(back.advertisement == ad)
        #expect(back.advertisement.interval == .milliseconds(250))
    }

    @Test func intervalFieldsSaturateToTheWireRange() {
        #expect(VRRPAdvertisement.intervalField(for: .seconds(1000), version: .v2) == 255)
        #expect(VRRPAdvertisement.intervalField(for: .seconds(100), version: .v3) == 4095)
        #expect(VRRPAdvertisement.intervalField(for: .milliseconds(1500), version: .v2) == 1)
    }

    @Test func moreThan255AddressesAreCutToTheCountField() throws {
        let ad = VRRPAdvertisement(version: .v3, vrid: 1, priority: 100, interval: .seconds(1), addresses: Self.v4Addresses(300))
        let back = try VRRPDecoder.decodeIPv4(datagram: ad.encodeIPv4Datagram(source: Self.src4, destination: .vrrpGroup(.ipv4))).get()
        #expect(back.advertisement.addresses.count == 255)
    }

    @Test func paddingAfterIPTotalLengthIsIgnored() throws {
        let ad = VRRPAdvertisement(version: .v2, vrid: 1, priority: 100, interval: .seconds(1), addresses: [Self.src4])
        let bytes = ad.encodeIPv4Datagram(source: Self.src4, destination: .vrrpGroup(.ipv4)) + [0, 0, 0, 0, 0, 0]
        #expect(try VRRPDecoder.decodeIPv4(datagram: bytes).get().advertisement == ad)
    }

    @Test func ipv4OptionsAreSkippedByIHL() throws {
        let ad = VRRPAdvertisement(version: .v2, vrid: 1, priority: 100, interval: .seconds(1), addresses: [Self.src4])
        var d = ad.encodeIPv4Datagram(source: Self.src4, destination: .vrrpGroup(.ipv4))
        d.insert(contentsOf: [1, 1, 1, 0], at: 20)   // NOP NOP NOP EOL
        d[0] = 0x46
        let total = d.count
        d[2] = UInt8(total >> 8); d[3] = UInt8(total & 0xFF)
        #expect(try VRRPDecoder.decodeIPv4(datagram: d).get().advertisement == ad)
    }

    @Test func addressTextAndBytes() {
        #expect(IPAddress.ipv4(192, 0, 2, 1).description == "192.0.2.1")
        #expect(IPAddress(bytes: [192, 0, 2, 1]) == .ipv4(192, 0, 2, 1))
        #expect(IPAddress(bytes: [1, 2, 3]) == nil)
        let v6 = IPAddress.v6(high: 0x2001_0DB8_0000_0000, low: 0x100)
        #expect(IPAddress(bytes: v6.bytes) == v6)
        #expect(v6.description == "2001:db8::100")  // RFC 5952, as ip(8) and keepalived print it
        #expect(IPAddress.vrrpGroup(.ipv4).isMulticast && IPAddress.vrrpGroup(.ipv6).isMulticast)
        #expect(!IPAddress.ipv4(192, 0, 2, 1).isMulticast)
        #expect(IPAddress.ipv4(192, 0, 2, 1) < .ipv4(192, 0, 2, 2))
        #expect(IPAddress.ipv4(10, 0, 0, 1) < .ipv4(192, 0, 2, 2))
    }
}
