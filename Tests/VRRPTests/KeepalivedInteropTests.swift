// Adverts captured from Debian's keepalived 2.2.7, and our encodings of the same fields.
//
// How they were captured (2026-11-23, by hand, not part of the test run): two network namespaces joined by a
// veth pair (192.0.2.1 / 192.0.2.2), keepalived in one with three instances — VRID 51 v2 auth PASS "secret"
// priority 150 advert_int 1 VIP 192.0.2.100; VRID 52 v3 priority 120 advert_int 0.5 VIPs 192.0.2.101-102;
// VRID 53 v3 native_ipv6 priority 110 advert_int 1 VIP 2001:db8::100 — and an AF_PACKET socket in the other
// keeping the first advert of each VRID. The reverse direction was checked the same way: our encodings (from
// `encodeIPv4Datagram` / `encodeMessage`) at priority 200 made keepalived log "Master received advert from
// 192.0.2.2 with higher priority 200" and enter BACKUP on all three instances (v2 PASS, v3 IPv4, v3 IPv6; for
// IPv6 the kernel verifies the checksum on keepalived's socket).
import Testing
@testable import VRRP
import Vocabulary

@Suite struct KeepalivedInteropTests {
    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var chars = Array(hex.utf8)[...]
        while chars.count >= 2 {
            out.append(UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16)!)
            chars = chars.dropFirst(2)
        }
        return out
    }

    // IPv4 datagrams exactly as received (keepalived sets IP id 1; TOS 0xC0; TTL 255).
    static let v2PassDatagram = bytes("45c0002800010000ff701891c0000201e00000122133960101014919c00002647365637265740000")
    static let v3IPv4Datagram = bytes("45c0002400010000ff701895c0000201e00000123134780200322f36c0000265c0000266")
    // IPv6: source, destination, hop limit from the IPv6 header, then the VRRP payload.
    static let v6Source = IPAddress(bytes: bytes("fe8000000000000080c1c4fffee3b1e7"))!
    static let v3IPv6Payload = bytes("31356e0100643d0120010db8000000000000000000000100")

    @Test func decodesKeepalivedV2WithPassword() throws {
        let f = VRRPReceiveFilter(vrid: 51, version: .v2, family: .ipv4, authentication: .password("secret"),
                                  advertInterval: .seconds(1), virtualAddresses: [.ipv4(192, 0, 2, 100)])
        guard case .accepted(let ad, let src, let warnings) = f.receiveIPv4(datagram: Self.v2PassDatagram) else {
            Issue.record("keepalived's v2 advert was not accepted"); return
        }
        #expect(ad.priority == 150 && src == .ipv4(192, 0, 2, 1) && warnings.isEmpty)
        // Our encoder produces keepalived's VRRP message byte for byte.
        #expect(ad.encodeMessage(source: src, destination: .vrrpGroup(.ipv4)) == Array(Self.v2PassDatagram[20...]))
        // A wrong password is refused.
        var wrong = f
        wrong.authentication = .password("secreT")
        #expect(wrong.receiveIPv4(datagram: Self.v2PassDatagram) == .dropped(.authFailure))
    }

    @Test func decodesKeepalivedV3OverIPv4() throws {
        let f = VRRPReceiveFilter(vrid: 52, version: .v3, family: .ipv4, advertInterval: .milliseconds(500),
                                  virtualAddresses: [.ipv4(192, 0, 2, 101), .ipv4(192, 0, 2, 102)])
        guard case .accepted(let ad, let src, let warnings) = f.receiveIPv4(datagram: Self.v3IPv4Datagram) else {
            Issue.record("keepalived's v3 advert was not accepted"); return
        }
        #expect(ad.priority == 120 && ad.interval == .milliseconds(500) && warnings.isEmpty)
        let ours = VRRPAdvertisement(version: .v3, vrid: 52, priority: 120, interval: .milliseconds(500),
                                     addresses: [.ipv4(192, 0, 2, 101), .ipv4(192, 0, 2, 102)])
        #expect(ours.encodeMessage(source: src, destination: .vrrpGroup(.ipv4)) == Array(Self.v3IPv4Datagram[20...]))
    }

    @Test func decodesKeepalivedV3OverIPv6() throws {
        let f = VRRPReceiveFilter(vrid: 53, version: .v3, family: .ipv6, advertInterval: .seconds(1),
                                  virtualAddresses: [.v6(high: 0x2001_0DB8_0000_0000, low: 0x100)])
        let outcome = f.receiveIPv6(payload: Self.v3IPv6Payload, source: Self.v6Source, destination: .vrrpGroup(.ipv6), hopLimit: 255)
        guard case .accepted(let ad, _, let warnings) = outcome else {
            Issue.record("keepalived's IPv6 advert was not accepted: \(outcome)"); return
        }
        #expect(ad.priority == 110 && warnings.isEmpty)
        #expect(ad.encodeMessage(source: Self.v6Source, destination: .vrrpGroup(.ipv6)) == Self.v3IPv6Payload)
        // The checksum covers the pseudo-header: another source address fails it.
        let other = IPAddress.v6(high: 0xFE80_0000_0000_0000, low: 1)
        #expect(f.receiveIPv6(payload: Self.v3IPv6Payload, source: other, destination: .vrrpGroup(.ipv6), hopLimit: 255)
                == .dropped(.badChecksum))
    }
}
