// Every drop reason, each provoked by the smallest change to a good packet.
import Testing
@testable import VRRP
import Vocabulary
import TestSupport

@Suite struct DropReasonTests {
    static let me = IPAddress.ipv4(192, 0, 2, 2)
    static let peer = IPAddress.ipv4(192, 0, 2, 1)
    static let vip = IPAddress.ipv4(192, 0, 2, 100)
    static let group = IPAddress.vrrpGroup(.ipv4)

    static func filter(version: VRRPVersion = .v2, auth: VRRPAuthentication = .none, interval: Duration = .seconds(1),
                       peers: [IPAddress] = []) -> VRRPReceiveFilter {
        VRRPReceiveFilter(vrid: 7, version: version, family: .ipv4, authentication: auth, advertInterval: interval,
                          virtualAddresses: [vip], unicastPeers: peers)
    }

    static func datagram(version: VRRPVersion = .v2, vrid: UInt8 = 7, auth: VRRPAuthentication = .none,
                         interval: Duration = .seconds(1), addresses: [IPAddress] = [vip],
                         destination: IPAddress = group, ttl: UInt8 = 255) -> [UInt8] {
        VRRPAdvertisement(version: version, vrid: vrid, priority: 100, interval: interval, addresses: addresses, authentication: auth)
            .encodeIPv4Datagram(source: peer, destination: destination, ttl: ttl)
    }

    /// Rewrites the VRRP checksum of an IPv4 datagram after a field was changed on purpose.
    static func refreshChecksum(_ d: inout [UInt8]) {
        let ihl = Int(d[0] & 0x0F) * 4
        d[ihl + 6] = 0; d[ihl + 7] = 0
        let version: VRRPVersion = d[ihl] >> 4 == 3 ? .v3 : .v2
        let ck = vrrpChecksum(message: d[ihl...], version: version, source: peer, destination: group)
        d[ihl + 6] = UInt8(ck >> 8); d[ihl + 7] = UInt8(ck & 0xFF)
    }

    func outcome(_ d: [UInt8], _ f: VRRPReceiveFilter = DropReasonTests.filter()) -> VRRPReceiveOutcome { f.receiveIPv4(datagram: d) }

    @Test func goodPacketIsAcceptedWithoutWarnings() {
        #expect(outcome(Self.datagram()) == .accepted(VRRPAdvertisement(version: .v2, vrid: 7, priority: 100, interval: .seconds(1),
                                                                          addresses: [Self.vip]), source: Self.peer, warnings: []))
    }

    @Test func ipHeaderTruncated() {
        #expect(outcome(Array(Self.datagram().prefix(19))) == .dropped(.ipHeaderTruncated))
        #expect(outcome([]) == .dropped(.ipHeaderTruncated))
    }

    @Test func notIPv4() {
        var d = Self.datagram(); d[0] = 0x65
        #expect(outcome(d) == .dropped(.notIPv4))
    }

    @Test func badIPHeaderLength() {
        var d = Self.datagram(); d[0] = 0x44
        #expect(outcome(d) == .dropped(.badIPHeaderLength))
        var e = Self.datagram(); e[0] = 0x4F   // 60-byte header in a 48-byte datagram
        e[2] = 0; e[3] = UInt8(e.count)
        #expect(outcome(e) == .dropped(.badIPHeaderLength))
    }

    @Test func ipTotalLengthMismatch() {
        var d = Self.datagram(); d[3] &+= 1
        #expect(outcome(d) == .dropped(.ipTotalLengthMismatch))
    }

    @Test func notVRRPProtocolAndAH() {
        var d = Self.datagram(); d[9] = 17
        #expect(outcome(d) == .dropped(.notVRRPProtocol))
        d[9] = 51
        #expect(outcome(d) == .dropped(.authenticationHeaderUnsupported))
    }

    @Test func v2AuthType2IsRefused() {
        var d = Self.datagram(); d[24] = 2
        Self.refreshChecksum(&d)
        #expect(outcome(d) == .dropped(.authenticationHeaderUnsupported))
    }

    @Test func vrrpHeaderTruncated() {
        let m: [UInt8] = [0x21, 0x07, 0x64]
        #expect(outcome(ipv4Header(payload: m) + m) == .dropped(.vrrpHeaderTruncated))
    }

    @Test func unsupportedVersion() {
        var d = Self.datagram(); d[20] = 0x41
        Self.refreshChecksum(&d)
        #expect(outcome(d) == .dropped(.unsupportedVersion))
    }

    @Test func v2OverIPv6() {
        let ad = VRRPAdvertisement(version: .v2, vrid: 7, priority: 100, interval: .seconds(1),
                                   addresses: [.v6(high: 0x2001_0DB8_0000_0000, low: 1)])
        let s = IPAddress.v6(high: 0xFE80_0000_0000_0000, low: 1)
        let msg = ad.encodeMessage(source: s, destination: .vrrpGroup(.ipv6))
        #expect(VRRPDecoder.decodeIPv6(payload: msg, source: s, destination: .vrrpGroup(.ipv6), hopLimit: 255) == .failure(.v2OverIPv6))
    }

    @Test func notAdvertisement() {
        var d = Self.datagram(); d[20] = 0x22
        Self.refreshChecksum(&d)
        #expect(outcome(d) == .dropped(.notAdvertisement))
    }

    @Test func addressCountPastEnd() {
        var d = Self.datagram(); d[23] = 200
        Self.refreshChecksum(&d)
        #expect(outcome(d) == .dropped(.addressCountPastEnd))
        var e = Self.datagram(); e[23] = 255
        Self.refreshChecksum(&e)
        #expect(outcome(e) == .dropped(.addressCountPastEnd))
    }

    @Test func trailingBytes() {
        var d = Self.datagram() + [0, 0, 0, 0]
        d[3] = UInt8(d.count)
        #expect(outcome(d) == .dropped(.trailingBytes))
    }

    @Test func badChecksum() {
        var d = Self.datagram(); d[27] ^= 0x01
        #expect(outcome(d) == .dropped(.badChecksum))
        // v3 checksum depends on the pseudo-header: the same bytes from another source fail.
        let v3 = Self.datagram(version: .v3)
        var moved = v3; moved[15] = 9
        #expect(outcome(v3, Self.filter(version: .v3)).isAccepted)
        #expect(outcome(moved, Self.filter(version: .v3)) == .dropped(.badChecksum))
    }

    @Test func notForMeIsNotADrop() {
        #expect(outcome(Self.datagram(vrid: 8)) == .notForMe(vrid: 8))
    }

    @Test func wrongFamily() {
        let f6 = VRRPReceiveFilter(vrid: 7, version: .v3, family: .ipv6, advertInterval: .seconds(1), virtualAddresses: [])
        #expect(f6.receiveIPv4(datagram: Self.datagram(version: .v3)) == .dropped(.wrongFamily))
        #expect(VRRPDecoder.decodeIPv6(payload: [], source: Self.peer, destination: Self.group, hopLimit: 255) == .failure(.wrongFamily))
    }

    @Test func badTTLButNotForUnicast() {
        #expect(outcome(Self.datagram(ttl: 254)) == .dropped(.badTTL))
        #expect(outcome(Self.datagram(destination: Self.me, ttl: 64), Self.filter(peers: [Self.peer])).isAccepted)
    }

    @Test func versionMismatch() {
        #expect(outcome(Self.datagram(version: .v3)) == .dropped(.versionMismatch))
    }

    @Test func invalidAuthType() {
        var d = Self.datagram(); d[24] = 7
        Self.refreshChecksum(&d)
        #expect(outcome(d) == .dropped(.invalidAuthType))
    }

    @Test func authTypeMismatch() {
        #expect(outcome(Self.datagram(auth: .password("x"))) == .dropped(.authTypeMismatch))
        #expect(outcome(Self.datagram(), Self.filter(auth: .password("x"))) == .dropped(.authTypeMismatch))
    }

    @Test func authFailure() {
        let f = Self.filter(auth: .password("right"))
        #expect(outcome(Self.datagram(auth: .password("wrong")), f) == .dropped(.authFailure))
        #expect(outcome(Self.datagram(auth: .password("right")), f).isAccepted)
        // keepalived compares 8 bytes: a longer password only counts by its first 8.
        let f8 = Self.filter(auth: .password("12345678"))
        #expect(outcome(Self.datagram(auth: .password("123456789")), f8).isAccepted)
    }

    @Test func v2AdvertIntervalMismatchDropsButV3OnlyWarns() {
        #expect(outcome(Self.datagram(interval: .seconds(2))) == .dropped(.advertIntervalMismatch))
        guard case .accepted(_, _, let w) = outcome(Self.datagram(version: .v3, interval: .seconds(2)), Self.filter(version: .v3)) else {
            Issue.record("v3 interval mismatch must not drop"); return
        }
        #expect(w == .advertIntervalMismatch)
    }

    @Test func invalidAdvertInterval() {
        var d = Self.datagram(version: .v3); d[24] = 0; d[25] = 0
        Self.refreshChecksum(&d)
        #expect(outcome(d, Self.filter(version: .v3)) == .dropped(.invalidAdvertInterval))
    }

    @Test func unicastMulticastMismatch() {
        #expect(outcome(Self.datagram(destination: Self.me)) == .dropped(.unexpectedUnicast))
        #expect(outcome(Self.datagram(), Self.filter(peers: [Self.peer])) == .dropped(.unexpectedMulticast))
    }

    @Test func unknownUnicastSource() {
        var checking = Self.filter(peers: [.ipv4(192, 0, 2, 9)])
        checking.checkUnicastSource = true
        #expect(outcome(Self.datagram(destination: Self.me), checking) == .dropped(.unknownUnicastSource))
        // Without check_unicast_src keepalived hears a unicast advert from any source, and so does tandem.
        if case .accepted = outcome(Self.datagram(destination: Self.me), Self.filter(peers: [.ipv4(192, 0, 2, 9)])) {} else {
            Issue.record("an unlisted unicast source is heard without check_unicast_src")
        }
    }

    @Test func addressMismatchesWarnButAreNotDropped() {
        guard case .accepted(_, _, let w1) = outcome(Self.datagram(addresses: [Self.vip, .ipv4(192, 0, 2, 101)])),
              case .accepted(_, _, let w2) = outcome(Self.datagram(addresses: [.ipv4(192, 0, 2, 101)])) else {
            Issue.record("address mismatches must not drop"); return
        }
        #expect(w1 == .addressCountMismatch)
        #expect(w2 == .addressListMismatch)
    }

    @Test func everyReasonIsProvokedAboveAndCountersCountThem() {
        // The tests above cover each case of VRRPDropReason; this keeps the list honest if a case is added.
        #expect(VRRPDropReason.allCases.count == 24)
        var c = VRRPDropCounters()
        c.record(.badTTL); c.record(.badTTL); c.record(.badChecksum)
        #expect(c[.badTTL] == 2 && c[.badChecksum] == 1 && c[.authFailure] == 0)
        #expect(c.total == 3)
        #expect(c.nonZero.map(\.reason) == [.badChecksum, .badTTL])
    }

    @Test func randomBytesNeverCrash() {
        // Deterministic pseudo-random inputs, plus mutations of a good packet; the fuzz harness goes further.
        var rng = SplitMix64(seed: 0x5EED)
        let f = Self.filter()
        let good = Self.datagram()
        var accepted = 0
        for i in 0..<20_000 {
            var bytes: [UInt8]
            if i % 2 == 0 {
                bytes = (0..<Int(rng.next() % 80)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            } else {
                bytes = good
                for _ in 0..<(1 + rng.next() % 3) {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                }
            }
            if case .accepted = f.receiveIPv4(datagram: bytes) { accepted += 1 }
            _ = VRRPDecoder.decodeIPv6(payload: bytes, source: .v6(high: 1, low: 1), destination: .vrrpGroup(.ipv6), hopLimit: 255)
        }
        // Mutating only the IP TOS/id/checksum bytes leaves a valid advert, so some must still pass.
        #expect(accepted > 0)
    }
}

extension VRRPReceiveOutcome {
    var isAccepted: Bool { if case .accepted = self { return true } else { return false } }
}
