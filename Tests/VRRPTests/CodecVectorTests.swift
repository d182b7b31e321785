// Known-good byte vectors, written out by hand from the RFC layouts (not produced by our encoder).
//
// How each vector was made: lay the fields out as RFC 3768 §5.1 / RFC 5798 §5.1 draw them, then compute the
// Internet checksum (RFC 1071) by hand: add the message (and for v3 the pseudo-header) as 16-bit big-endian
// words with the checksum field zero, fold the carries back in, complement. The sums are shown per vector.
// (They were also cross-checked with a three-line Python checksum outside the project.)
import Testing
@testable import VRRP
import Vocabulary

private let src4 = IPAddress.ipv4(192, 0, 2, 1)
private let vip4 = IPAddress.ipv4(192, 0, 2, 100)
private let group4 = IPAddress.vrrpGroup(.ipv4)
private let src6 = IPAddress.v6(high: 0xFE80_0000_0000_0000, low: 1)
private let group6 = IPAddress.vrrpGroup(.ipv6)
private let vip6 = IPAddress.v6(high: 0x2001_0DB8_0000_0000, low: 0x100)

@Suite struct CodecVectorTests {
    // v2, VRID 1, priority 100, 1 address, Auth Type 0, Adver Int 1 s, VIP 192.0.2.100, 8 zero auth bytes.
    // Words: 2101 + 6401 + 0001 + C000 + 0264 = 0x14767 → 0x4767 + 1 = 0x4768 → ~ = 0xB897.
    static let v2NoAuth: [UInt8] = [
        0x21, 0x01, 0x64, 0x01, 0x00, 0x01, 0xB8, 0x97,
        0xC0, 0x00, 0x02, 0x64,
        0, 0, 0, 0, 0, 0, 0, 0,
    ]

    // Same with Auth Type 1 and password "secret" (73 65 63 72 65 74 00 00).
    // Words: 2101 + 6401 + 0101 + C000 + 0264 + 7365 + 6372 + 6574 = 0x284B2 → 0x84B4 → ~ = 0x7B4B.
    static let v2Password: [UInt8] = [
        0x21, 0x01, 0x64, 0x01, 0x01, 0x01, 0x7B, 0x4B,
        0xC0, 0x00, 0x02, 0x64,
        0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0x00, 0x00,
    ]

    // v3 over IPv4 from 192.0.2.1 to 224.0.0.18, VRID 1, priority 100, Max Adver Int 100 cs (0x064).
    // Pseudo-header words: C000 0201 E000 0012 0070 000C = 0x1A28F; message: 3101 6401 0064 C000 0264 = 0x157CA.
    // Total 0x2FA59 → 0xFA5B → ~ = 0x05A4.
    static let v3IPv4: [UInt8] = [
        0x31, 0x01, 0x64, 0x01, 0x00, 0x64, 0x05, 0xA4,
        0xC0, 0x00, 0x02, 0x64,
    ]

    // The same inside an IPv4 header: 45 C0, total 32, id/frag 0, TTL 255, protocol 112, 192.0.2.1 → 224.0.0.18.
    // Header words: 45C0 0020 0000 0000 FF70 C000 0201 E000 0012 = 0x2E763 → 0xE765 → ~ = 0x189A.
    static let v3IPv4Datagram: [UInt8] = [
        0x45, 0xC0, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00,
        0xFF, 0x70, 0x18, 0x9A,
        0xC0, 0x00, 0x02, 0x01,
        0xE0, 0x00, 0x00, 0x12,
    ] + v3IPv4

    // v3 over IPv6 from fe80::1 to ff02::12, VRID 1, priority 100, 100 cs, VIP 2001:db8::100 (24 bytes).
    // Pseudo-header: FE80 + 0001 + FF02 + 0012 + length 0018 + next header 0070 = 0x1FE1D;
    // message: 3101 + 6401 + 0064 + 2001 + 0DB8 + 0100 = 0xC41F. Total 0x2C23C → 0xC23E → ~ = 0x3DC1.
    static let v3IPv6: [UInt8] = [
        0x31, 0x01, 0x64, 0x01, 0x00, 0x64, 0x3D, 0xC1,
        0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00,
    ]

    @Test func encodesV2WithoutAuthentication() {
        let ad = VRRPAdvertisement(version: .v2, vrid: 1, priority: 100, interval: .seconds(1), addresses: [vip4])
        #expect(ad.encodeMessage(source: src4, destination: group4) == Self.v2NoAuth)
    }

    @Test func encodesV2WithPassword() {
        let ad = VRRPAdvertisement(version: .v2, vrid: 1, priority: 100, interval: .seconds(1), addresses: [vip4],
                                   authentication: .password("secret"))
        #expect(ad.encodeMessage(source: src4, destination: group4) == Self.v2Password)
    }

    @Test func encodesV3OverIPv4AndItsDatagram() {
        let ad = VRRPAdvertisement(version: .v3, vrid: 1, priority: 100, interval: .seconds(1), addresses: [vip4])
        #expect(ad.encodeMessage(source: src4, destination: group4) == Self.v3IPv4)
        #expect(ad.encodeIPv4Datagram(source: src4, destination: group4) == Self.v3IPv4Datagram)
    }

    @Test func encodesV3OverIPv6() {
        let ad = VRRPAdvertisement(version: .v3, vrid: 1, priority: 100, interval: .seconds(1), addresses: [vip6])
        #expect(ad.encodeMessage(source: src6, destination: group6) == Self.v3IPv6)
    }

    @Test func decodesHandWrittenVectors() throws {
        let v2 = try VRRPDecoder.decodeIPv4(datagram: ipv4Header(payload: Self.v2Password) + Self.v2Password).get()
        #expect(v2.advertisement.version == .v2)
        #expect(v2.advertisement.priority == 100)
        #expect(v2.advertisement.interval == .seconds(1))
        #expect(v2.advertisement.addresses == [vip4])
        #expect(v2.advertisement.authentication == .password("secret"))
        #expect(v2.hopLimit == 255)
        #expect(v2.source == src4 && v2.destination == group4)

        let v3 = try VRRPDecoder.decodeIPv4(datagram: Self.v3IPv4Datagram).get()
        #expect(v3.advertisement.version == .v3)
        #expect(v3.advertisement.intervalField == 100)
        #expect(v3.advertisement.interval == .seconds(1))

        let v6 = try VRRPDecoder.decodeIPv6(payload: Self.v3IPv6, source: src6, destination: group6, hopLimit: 255).get()
        #expect(v6.advertisement.addresses == [vip6])
        #expect(v6.advertisement.vrid == 1)
    }

    @Test func v3ReservedBitsAreIgnoredOnReceipt() throws {
        // Set the 4 reserved bits (0xF0 of byte 4) and fix the checksum by the same amount: 0x05A4 − 0xF000.
        var m = Self.v3IPv4
        m[4] = 0xF0
        var ck = InternetChecksum()
        ck.add([0xC0, 0x00, 0x02, 0x01, 0xE0, 0x00, 0x00, 0x12, 0x00, 0x70, 0x00, 0x0C])
        m[6] = 0; m[7] = 0
        ck.add(m)
        m[6] = UInt8(ck.value >> 8); m[7] = UInt8(ck.value & 0xFF)
        let p = try VRRPDecoder.decodeIPv4(datagram: ipv4Header(payload: m) + m).get()
        #expect(p.advertisement.intervalField == 100)
    }
}

/// A plain IPv4 header (TTL/protocol adjustable) for wrapping hand-written VRRP messages; checksum left zero
/// because the kernel, not us, verifies IPv4 header checksums.
func ipv4Header(payload: [UInt8], ttl: UInt8 = 255, proto: UInt8 = 112,
                source: IPAddress = .ipv4(192, 0, 2, 1), destination: IPAddress = .vrrpGroup(.ipv4)) -> [UInt8] {
    let total = 20 + payload.count
    return [0x45, 0xC0, UInt8(total >> 8), UInt8(total & 0xFF), 0, 0, 0, 0, ttl, proto, 0, 0]
        + source.bytes + destination.bytes
}
