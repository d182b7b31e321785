/// UDP_CHECK's configuration values and its judgement of what came back, as keepalived 2.2.7 does it
/// (check_udp.c, layer4.c's udp_socket_state, parser.c's read_hex_str). Pure; the socket side is not written yet.
public enum UDPCheckHex {
    /// The octets of a `payload` or `require_reply` hex string: pairs of hex digits, spaces and tabs between
    /// octets, a lone digit before a space or the end is one octet. With `wildcards` (require_reply), an 'x'
    /// digit matches anything: its bits are set in `mask`. nil when the text is empty or not hex.
    public static func parse(_ text: String, wildcards: Bool) -> (data: [UInt8], mask: [UInt8]?)? {
        var data: [UInt8] = []
        var mask: [UInt8] = []
        var chars = Array(text.utf8)[...]
        func nibble(_ c: UInt8) -> (value: UInt8, wild: Bool)? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return (c - UInt8(ascii: "0"), false)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return (c - UInt8(ascii: "a") + 10, false)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return (c - UInt8(ascii: "A") + 10, false)
            case UInt8(ascii: "x"), UInt8(ascii: "X"): return wildcards ? (0, true) : nil
            default: return nil
            }
        }
        while true {
            while let c = chars.first, c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") { chars.removeFirst() }
            guard let first = chars.popFirst() else { break }
            guard let high = nibble(first) else { return nil }
            var value = high.value
            var wild: UInt8 = high.wild ? 0x0f : 0
            if let next = chars.first, next != UInt8(ascii: " ") {
                chars.removeFirst()
                guard let low = nibble(next) else { return nil }
                value = value << 4 | low.value
                wild = wild << 4 | (low.wild ? 0x0f : 0)
            }
            data.append(value)
            mask.append(wild)
        }
        guard !data.isEmpty else { return nil }
        return (data, mask.contains { $0 != 0 } ? mask : nil)
    }
}

/// What makes a UDP_CHECK attempt pass.
public struct UDPReplyRule: Hashable, Sendable {
    /// `require_reply`: silence until connect_timeout is a failure (otherwise it is a success).
    public var requireReply = false
    /// `require_reply HEX`: the first octets the reply must have; `mask` bits are "any".
    public var data: [UInt8]?
    public var mask: [UInt8]?
    /// `min_reply_length` / `max_reply_length`, keepalived's defaults; checked only when `data` is set.
    public var minimumLength = 0
    public var maximumLength = 255

    public init() {}

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
