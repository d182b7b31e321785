import KeepalivedConfig

/// UDP_CHECK's judgement of what came back, as keepalived 2.2.7 does it (check_udp.c's check_udp_reply,
/// layer4.c's udp_socket_state). Pure: DatagramProbe feeds it what the socket saw.
extension UDPReplyRule {
    public enum Event: Sendable {
        /// A datagram came back (only its first `maximumLength + 1` octets are read).
        case reply([UInt8])
        /// The socket reported an error, e.g. ECONNREFUSED after an ICMP port unreachable.
        case error
        /// Nothing within connect_timeout.
        case silence
    }

    public func passes(_ event: Event) -> Bool {
        switch event {
        case .error: return false
        case .silence: return !requireReply
        case .reply(let reply):
            guard let data else { return true }
            guard reply.count >= minimumLength, reply.count <= maximumLength else { return false }
            // keepalived compares the shorter of the reply and the expected data.
            for i in 0..<min(reply.count, data.count) where (reply[i] ^ data[i]) & ~(mask?[i] ?? 0) != 0 {
                return false
            }
            return true
        }
    }
}
