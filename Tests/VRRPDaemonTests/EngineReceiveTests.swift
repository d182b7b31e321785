// What arrives on the socket is checked by the real decoder and filter before any state machine sees it.
import Vocabulary
import Testing
import VRRP
@testable import vrrpd

@Suite struct EngineReceiveTests {
    @Test func hostileTrafficIsDroppedAndCountedWithoutAnyStateChange() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let b = lan.host("b", eth0: "192.0.2.2")
        try a.start(Instance(state: "MASTER", priority: 150).text)
        let backup = try b.start(Instance(priority: 100).text)
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) != nil)
        lan.run(seconds: 1)

        let group = ip("224.0.0.18")
        let takeover = VRRPAdvertisement(version: .v2, vrid: 51, priority: 200, interval: .seconds(1), addresses: [ip(vip)],
                                         authentication: .password("secret"))
        let wrongPassword = VRRPAdvertisement(version: .v2, vrid: 51, priority: 200, interval: .seconds(1),
                                              addresses: [ip(vip)], authentication: .password("guess"))
        var badChecksum = takeover.encodeIPv4Datagram(source: ip("192.0.2.3"), destination: group)
        badChecksum[27] ^= 0x55
        let shortMessage = Array(takeover.encodeMessage(source: ip("192.0.2.3"), destination: group).prefix(6))
        guard case .ipv4(let short) = Datagram(message: shortMessage, source: ip("192.0.2.3"), destination: group) else {
            Issue.record("not an IPv4 datagram")
            return
        }
        let hostile: [[UInt8]] = [
            takeover.encodeIPv4Datagram(source: ip("192.0.2.3"), destination: group, ttl: 64),
            badChecksum,
            wrongPassword.encodeIPv4Datagram(source: ip("192.0.2.3"), destination: group),
            Array(takeover.encodeIPv4Datagram(source: ip("192.0.2.3"), destination: group).prefix(24)),
            short,
        ]
        for datagram in hostile { lan.wire.inject(ipv4Datagram: datagram, on: "lan", to: group) }
        lan.run(seconds: 5)
        #expect(backup.drops.total == 5)
        for reason in [VRRPDropReason.badTTL, .badChecksum, .authFailure, .ipTotalLengthMismatch, .vrrpHeaderTruncated] {
            #expect(backup.drops[reason] == 1, "\(reason): \(backup.drops.nonZero)")
        }
        #expect(b.log.contains("dropped a VRRP packet on eth0"))
        #expect(a.state("VI_1") == .master && b.state("VI_1") == .backup)
        #expect(a.holds(vip) && !b.holds(vip))
    }

    /// Issue 19's finding 11 for VRRP packets: a flood's count used to be logged only at the next power of two
    /// (5,000 drops: the line at 4,096, the rest never). A timer sums up what followed the last line.
    @Test func whatFollowsTheLastPowerOfTwoIsSummedUpByATimer() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let b = lan.host("b", eth0: "192.0.2.2")
        try a.start(Instance(state: "MASTER", priority: 150).text)
        let backup = try b.start(Instance(priority: 100).text)
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) != nil)
        let group = ip("224.0.0.18")
        let advert = VRRPAdvertisement(version: .v2, vrid: 51, priority: 200, interval: .seconds(1), addresses: [ip(vip)],
                                       authentication: .password("secret"))
        let badTTL = advert.encodeIPv4Datagram(source: ip("192.0.2.3"), destination: group, ttl: 64)
        for _ in 0..<5_000 { lan.wire.inject(ipv4Datagram: badTTL, on: "lan", to: group) }
        lan.run(seconds: 1)
        #expect(backup.drops.total == 5_000)
        #expect(!b.log.contains("more VRRP packets since the last line"), "not before the delay")
        lan.run(seconds: 11)
        #expect(b.log.contains("dropped 904 more VRRP packets since the last line (5000 dropped so far: badTTL=5000)"),
                "\(b.log.text.suffix(600))")
        #expect(a.state("VI_1") == .master && b.state("VI_1") == .backup)
    }
}
