// An IP address as it travels between the daemons: 4 bytes for IPv4, 16 for IPv6.
// Wire depends on no other module, so each daemon converts its own address type to and from this one.

/// An IPv4 or IPv6 address carried in a message, stored in network byte order.
public struct WireAddress: Hashable, Sendable, CustomStringConvertible {
    /// The address family, which fixes the length of `bytes`.
    public enum Family: UInt8, Sendable {
        case ipv4 = 4
        case ipv6 = 6

        /// The number of address bytes of this family.
        public var byteCount: Int { self == .ipv4 ? 4 : 16 }
    }

    /// IPv4 or IPv6.
    public let family: Family
    /// Bytes 0..<8 and 8..<16 in memory (network) order; IPv4 uses the first four, the rest are 0. Inline rather
    /// than an array: a real server's identity holds two addresses, and checkd and ipvsd keep one identity per
    /// real server (an array would be a 48-byte heap allocation each).
    private var first: UInt64 = 0
    private var second: UInt64 = 0

    /// The address in network byte order: 4 or 16 bytes.
    public var bytes: [UInt8] {
        withUnsafeBytes(of: (first, second)) { Array($0.prefix(family.byteCount)) }
    }

    /// An address from its raw bytes; nil unless there are exactly 4 or 16 of them.
    public init?(bytes: some Collection<UInt8>) {
        switch bytes.count {
        case 4: family = .ipv4
        case 16: family = .ipv6
        default: return nil
        }
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        (first, second) = words
    }

    /// An IPv4 address from its four dotted-quad parts.
    public static func ipv4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> WireAddress {
        WireAddress(bytes: [a, b, c, d])!
    }

    /// An address parsed from its text form ("192.0.2.1", "2001:db8::1"); nil when malformed.
    public init?(_ text: String) {
        if text.contains(":") {
            guard let raw = Self.parseIPv6(Substring(text)) else { return nil }
            self.init(bytes: raw)
        } else {
            guard let raw = Self.parseIPv4(Substring(text)) else { return nil }
            self.init(bytes: raw)
        }
    }

    /// The usual text form: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as "::").
    public var description: String {
        let bytes = self.bytes
        switch family {
        case .ipv4:
            return bytes.map(String.init).joined(separator: ".")
        case .ipv6:
            var groups: [UInt16] = []
            for i in stride(from: 0, to: 16, by: 2) {
                groups.append(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]))
            }
            // The longest run of two or more zero groups is written "::" (RFC 5952 4.2).
            var bestStart = -1, bestLength = 0, runStart = -1
            for i in 0...8 {
                if i < 8 && groups[i] == 0 {
                    if runStart < 0 { runStart = i }
                } else if runStart >= 0 {
                    if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
                    runStart = -1
                }
            }
            func hex(_ range: Range<Int>) -> String {
                groups[range].map { String($0, radix: 16) }.joined(separator: ":")
            }
            if bestLength < 2 { return hex(0..<8) }
            return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
        }
    }

    private static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = UInt8(part) else { return nil }
            out.append(value)
        }
        return out
    }

    private static func parseIPv6(_ text: Substring) -> [UInt8]? {
        // Split at "::" (at most once), parse each side's groups, fill the gap with zeros.
        let halves = text.split(separator: "::", maxSplits: 2, omittingEmptySubsequences: false)
            .map { Substring($0) }
        guard halves.count <= 2 else { return nil }
        func groups(_ side: Substring, allowIPv4Tail: Bool) -> [UInt8]? {
            if side.isEmpty { return [] }
            let items = side.split(separator: ":", omittingEmptySubsequences: false)
            var out: [UInt8] = []
            for (index, item) in items.enumerated() {
                if allowIPv4Tail && index == items.count - 1 && item.contains(".") {
                    guard let v4 = parseIPv4(item) else { return nil }
                    out += v4
                    continue
                }
                guard !item.isEmpty, item.count <= 4, let value = UInt16(item, radix: 16) else { return nil }
                out += [UInt8(value >> 8), UInt8(value & 0xff)]
            }
            return out
        }
        if halves.count == 1 {
            guard let all = groups(halves[0], allowIPv4Tail: true), all.count == 16 else { return nil }
            return all
        }
        guard let head = groups(halves[0], allowIPv4Tail: false),
              let tail = groups(halves[1], allowIPv4Tail: true),
              head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}
