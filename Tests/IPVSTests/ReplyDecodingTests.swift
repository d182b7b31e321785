// Decoding kernel replies built by hand the way ip_vs_ctl.c's ip_vs_genl_fill_* functions build them.
import Testing
@testable import IPVS
import Vocabulary
import TestSupport

private let vip4 = IPAddress("192.0.2.10")!
private let http4 = IPVSServiceKey.address(.tcp, vip4, port: 80)
private let dns6 = IPVSServiceKey.address(.udp, IPAddress("2001:db8::53")!, port: 53)

@Test func serviceMessageFromLiteralBytes() throws {
    // A dump message written out by hand: no NLA_F_NESTED (the kernel's nla_nest_start_noflag),
    // flags 0x0002 = IP_VS_SVC_F_HASHED as every live service reports, no stats nests.
    let bytes = hex("""
        68 00 00 00  1c 00  02 00  05 00 00 00  a0 0f 00 00   # len 104, NLM_F_MULTI, seq 5, pid 4000
        01 01 00 00                                           # IPVS_CMD_NEW_SERVICE
        54 00 01 00                                           # IPVS_CMD_ATTR_SERVICE, len 84
        06 00 01 00  02 00 00 00
        06 00 02 00  06 00 00 00
        14 00 03 00  c0 00 02 0a  00 00 00 00 00 00 00 00 00 00 00 00
        06 00 04 00  00 50 00 00
        07 00 06 00  72 72 00 00
        0c 00 07 00  02 00 00 00  ff ff ff ff
        08 00 08 00  00 00 00 00
        08 00 09 00  ff ff ff ff
        """)
    let messages = try IPVSReplyMessage.decode(bytes, familyID: testFamily)
    let expected = IPVSService(key: http4, scheduler: "rr", flags: .hashed)
    #expect(messages == [IPVSReplyMessage(sequence: 5, portID: 4000, isMultipart: true,
                                          reply: .service(IPVSServiceEntry(service: expected)))])
}

@Test func multipartServiceDumpEndedByDone() throws {
    let buffer = kernelServiceMessage(seq: 9, key: http4, scheduler: "wlc", flags: 0x3, timeout: 360,
                                      netmaskWire: [255, 255, 255, 0], statsBase: 100)
        + kernelServiceMessage(seq: 9, key: dns6, scheduler: "mh", flags: 0x2 | 0x8, timeout: 0,
                               netmaskWire: le32(48), pe: "sip", statsBase: 7)
        + kernelServiceMessage(seq: 9, key: .firewallMark(.ipv6, 0x42), scheduler: "twos", flags: 0x2, timeout: 0,
                               netmaskWire: le32(128))
        + kernelDone(seq: 9)
    let messages = try IPVSReplyMessage.decode(buffer, familyID: testFamily)
    #expect(messages.count == 4)
    #expect(messages.allSatisfy { $0.sequence == 9 && $0.isMultipart })
    guard case .service(let first) = messages[0].reply, case .service(let second) = messages[1].reply,
          case .service(let third) = messages[2].reply else {
        Issue.record("expected three services, got \(messages)")
        return
    }
    #expect(first.service == IPVSService(key: http4, scheduler: "wlc", flags: [.persistent, .hashed],
                                         timeout: 360, netmask: 0xFFFF_FF00))
    #expect(second.service == IPVSService(key: dns6, scheduler: "mh", flags: [.hashed, .scheduler1],
                                          netmask: 48, persistenceEngine: "sip"))
    #expect(third.service.key == .firewallMark(.ipv6, 0x42))
    // The 64-bit nest wins over the old one: every counter is base + attribute number.
    #expect(first.stats.connections == 101 && first.stats.inBytes == 104 && first.stats.outByteRate == 110)
    #expect(second.stats.inPackets == 9)
    #expect(messages[3].reply == .done)
}

@Test func oldKernelStatsAreRead() throws {
    // Only IPVS_SVC_ATTR_STATS (u32 counters, u64 bytes), as before Linux 4.1.
    var body = nla(1, le16(2)) + nla(5, le32(3)) + nla(6, Array("rr".utf8) + [0])
    body += nla(7, le32(2) + le32(~0)) + nla(8, le32(0)) + nla(9, [255, 255, 255, 255])
    body += kernelStats(10, base: 0xFFFF_0000, wide: false)
    let msg = nlmsg(type: testFamily, flags: 2, seq: 1, genl(1) + nla(1, body))
    let replies = try IPVSReplyMessage.decode(msg, familyID: testFamily)
    guard case .service(let entry)? = replies.first?.reply else { Issue.record("no service"); return }
    #expect(entry.service.key == .firewallMark(.ipv4, 3))
    #expect(entry.stats.connections == 0xFFFF_0001)
    #expect(entry.stats.outBytes == 0xFFFF_0005)
}

@Test func destinationDumpWithStatsAndTunnel() throws {
    let route = IPVSDestination(key: IPVSDestinationKey(address: IPAddress("198.51.100.7")!, port: 80),
                                forwarding: .route, weight: 3, upperThreshold: 50, lowerThreshold: 5)
    let gue = IPVSDestination(key: IPVSDestinationKey(address: IPAddress("2001:db8::7")!, port: 80),
                              forwarding: .tunnel(IPVSTunnel(type: .gue, port: 5555, flags: [.checksum, .remoteChecksum])),
                              weight: 0)
    let buffer = kernelDestinationMessage(seq: 2, dest: route)
        + kernelDestinationMessage(seq: 2, dest: gue, active: 0, inactive: 0, persistent: 0, statsBase: 0)
        + kernelDone(seq: 2)
    let replies = try IPVSReplyMessage.decode(buffer, familyID: testFamily).map(\.reply)
    #expect(replies == [
        .destination(IPVSDestinationEntry(destination: route, activeConnections: 3, inactiveConnections: 4,
                                          persistentConnections: 5, stats: statsFrom(base: 1000))),
        .destination(IPVSDestinationEntry(destination: gue, stats: statsFrom(base: 0))),
        .done,
    ])
}

/// The counters kernelStats(_, base:, wide: true) writes.
private func statsFrom(base: UInt64) -> IPVSStats {
    var s = IPVSStats()
    s.connections = base + 1; s.inPackets = base + 2; s.outPackets = base + 3
    s.inBytes = base + 4; s.outBytes = base + 5; s.connectionRate = base + 6
    s.inPacketRate = base + 7; s.outPacketRate = base + 8; s.inByteRate = base + 9; s.outByteRate = base + 10
    return s
}

@Test func acksAndErrors() throws {
    let buffer = kernelError(seq: 1, code: 0) + kernelError(seq: 2, code: -17)
        + kernelError(seq: 3, code: -22, extAckMessage: "unknown scheduler") + kernelDone(seq: 4, code: -4)
    let messages = try IPVSReplyMessage.decode(buffer, familyID: testFamily)
    #expect(messages.map(\.sequence) == [1, 2, 3, 4])
    #expect(messages.map(\.reply) == [
        .ack, .error(errno: 17, message: nil), .error(errno: 22, message: "unknown scheduler"),
        .error(errno: 4, message: nil),
    ])
}

@Test func uncappedErrorEchoesTheWholeRequestBeforeTheExtendedAck() throws {
    // Without NETLINK_CAP_ACK the kernel echoes the failed request in full; the TLVs follow it.
    let request = try IPVSRequest.newService(IPVSService(key: http4, scheduler: "nope"))
        .encode(familyID: testFamily, sequence: 8, portID: 0)
    let msg = nlmsg(type: 2, flags: 0x200, seq: 8, le32(UInt32(bitPattern: -2)) + request
                    + nla(1, Array("scheduler not found".utf8) + [0]) + nla(2, le32(40)))
    #expect(try IPVSReplyMessage.decode(msg, familyID: testFamily).map(\.reply)
            == [.error(errno: 2, message: "scheduler not found")])
}

@Test func infoTimeoutsAndDaemons() throws {
    let info = nlmsg(type: testFamily, flags: 0, seq: 1, genl(14) + nla(1, le32(0x010201)) + nla(2, le32(4096)))
    let config = nlmsg(type: testFamily, flags: 0, seq: 2,
                       genl(12) + nla(4, le32(900)) + nla(5, le32(120)) + nla(6, le32(300)))
    let daemon = nlmsg(type: testFamily, flags: 2, seq: 3, genl(9) + nla(3,
        nla(1, le32(2)) + nla(2, Array("eth1".utf8) + [0]) + nla(3, le32(7)) + nla(4, le16(1472))
        + nla(7, le16(8848)) + nla(8, [1]) + nla(6, IPAddress("ff02::81")!.bytes)))
    let replies = try IPVSReplyMessage.decode(info + config + daemon, familyID: testFamily).map(\.reply)
    #expect(replies == [
        .info(IPVSInfo(version: 0x010201, connectionTableSize: 4096)),
        .timeouts(LVSTimeouts(tcp: 900, tcpFin: 120, udp: 300)),
        .syncDaemon(IPVSSyncDaemon(state: .backup, interface: "eth1", syncID: 7, maxPayload: 1472,
                                   group: IPAddress("ff02::81")!, port: 8848, ttl: 1)),
    ])
    #expect(IPVSInfo(version: 0x010201, connectionTableSize: 0).versionString == "1.2.1")
}

@Test func unknownAttributesNestedFlagAndNoopAreTolerated() throws {
    // A future kernel may add attributes; a nest may carry NLA_F_NESTED; NLMSG_NOOP carries nothing.
    var body = nla(1, le16(2)) + nla(5, le32(9)) + nla(6, Array("rr".utf8) + [0]) + nla(7, le32(0) + le32(~0))
    body += nla(8, le32(0)) + nla(9, [255, 255, 255, 255]) + nla(40, [1, 2, 3]) + nla(0, [])
    let msg = nlmsg(type: testFamily, flags: 2, seq: 1, genl(1) + nla(1, body, nested: true) + nla(9, le32(1)))
    let noop = nlmsg(type: 1, flags: 0, seq: 0, [])
    let replies = try IPVSReplyMessage.decode(noop + msg, familyID: testFamily)
    #expect(replies.map(\.reply) == [.service(IPVSServiceEntry(
        service: IPVSService(key: .firewallMark(.ipv4, 9), scheduler: "rr")))])
}

@Test func requestsOfServicesAndDestinationsDecodeBackToThemselves() throws {
    // NEW_SERVICE and NEW_DEST requests share the reply layout, so a round trip checks the codec
    // both ways over many random values.
    var rng = SplitMix64(seed: 0xC0DEC)
    for _ in 0..<2000 {
        let service = TableGenerator.randomService(&rng, key: TableGenerator.randomServiceKey(&rng))
        let bytes = try IPVSRequest.newService(service).encode(familyID: testFamily, sequence: 1, portID: 2)
        #expect(try IPVSReplyMessage.decode(bytes, familyID: testFamily).map(\.reply)
                == [.service(IPVSServiceEntry(service: service))])

        let dest = TableGenerator.randomDestination(&rng, key: TableGenerator.randomDestinationKey(&rng))
        let destBytes = try IPVSRequest.newDestination(service.key, dest)
            .encode(familyID: testFamily, sequence: 1, portID: 2)
        #expect(try IPVSReplyMessage.decode(destBytes, familyID: testFamily).map(\.reply)
                == [.destination(IPVSDestinationEntry(destination: dest))])
    }
}
