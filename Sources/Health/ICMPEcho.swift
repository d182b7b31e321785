import KeepalivedConfig

/// PING_CHECK's echo request and its judgement of the reply, as keepalived 2.2.7 (check_ping.c) does them:
/// the first datagram the socket receives decides; an echo reply passes, a short packet or any other type fails.
/// Pure. On an ICMP datagram socket the kernel fills in the identifier (the socket's) and the checksum, and
/// passes up only replies with that identifier.
enum ICMPEcho {
    static let headerSize = 8
    /// Type 8 (ICMPv4 echo request) or 128 (ICMPv6), code 0, checksum and identifier left to the kernel, the
    /// sequence number, then keepalived's filler.
    static func request(ipv6: Bool, sequence: UInt16, payloadSize: Int) -> [UInt8] {
        var bytes: [UInt8] = [ipv6 ? 128 : 8, 0, 0, 0, 0, 0, UInt8(sequence >> 8), UInt8(sequence & 0xff)]
        let filler = UDPCheckSettings.defaultPayload.prefix(19)
        bytes += (0..<payloadSize).map { filler[filler.startIndex + $0 % filler.count] }
        return bytes
    }

    /// Type 0 (ICMPv4 echo reply) or 129 (ICMPv6).
    static func judge(_ reply: some Collection<UInt8>, ipv6: Bool) -> CheckOutcome {
        guard reply.count >= headerSize, let type = reply.first else {
            return .failure("short ICMP packet (\(reply.count) octets)")
        }
        let echoReply: UInt8 = ipv6 ? 129 : 0
        return type == echoReply ? .success : .failure("ICMP type \(type), not an echo reply")
    }
}
