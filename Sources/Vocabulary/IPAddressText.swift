// Text forms of IPAddress, in Swift alone (the cores import no C library).

extension IPAddress {
    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with `::` and an optional dotted IPv4 tail); nil for
    /// anything else, host names included.
    public init?(_ text: some StringProtocol) {
        let text = Substring(text)
        if text.contains(":") {
            guard let groups = Self.ipv6Groups(text) else { return nil }
            var high: UInt64 = 0, low: UInt64 = 0
            for i in 0..<4 { high = high << 16 | UInt64(groups[i]) }
            for i in 4..<8 { low = low << 16 | UInt64(groups[i]) }
            self = .v6(high: high, low: low)
        } else {
            guard let value = Self.ipv4Number(text) else { return nil }
            self = .v4(value)
        }
    }

    /// Dotted quad, or RFC 5952 IPv6: lower case, the longest run of two or more zero groups written "::".
    public var description: String {
        switch self {
        case .v4(let value):
            return "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
        case .v6(let high, let low):
            var groups: [UInt16] = []
            for word in [high, low] {
                for shift in stride(from: 48, through: 0, by: -16) {
                    groups.append(UInt16(truncatingIfNeeded: word >> UInt64(shift)))
                }
            }
            return Self.formatIPv6(groups)
        }
    }

    private static func ipv4Number(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            // Leading zeros are refused: "010" is octal to some tools and decimal to others.
            guard (1...3).contains(part.count), part.allSatisfy({ $0 >= "0" && $0 <= "9" }),
                  part.count == 1 || part.first != "0",
                  let octet = UInt8(part) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        return value
    }

    /// The eight 16-bit groups of IPv6 text, or nil when it is not IPv6.
    private static func ipv6Groups(_ text: Substring) -> [UInt16]? {
        func groups(_ side: Substring, allowIPv4Tail: Bool) -> [UInt16]? {
            if side.isEmpty { return [] }
            var out: [UInt16] = []
            let parts = side.split(separator: ":", omittingEmptySubsequences: false)
            for (index, part) in parts.enumerated() {
                if allowIPv4Tail, index == parts.count - 1, part.contains(".") {
                    guard let v4 = ipv4Number(part) else { return nil }
                    out.append(UInt16(v4 >> 16))
                    out.append(UInt16(v4 & 0xffff))
                } else {
                    guard (1...4).contains(part.count), let group = UInt16(part, radix: 16) else { return nil }
                    out.append(group)
                }
            }
            return out
        }
        let halves = splitAtDoubleColons(text)
        switch halves.count {
        case 1:
            guard let all = groups(halves[0], allowIPv4Tail: true), all.count == 8 else { return nil }
            return all
        case 2:
            guard let head = groups(halves[0], allowIPv4Tail: false),
                  let tail = groups(halves[1], allowIPv4Tail: true),
                  head.count + tail.count <= 7 else { return nil }
            return head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        default:
            return nil
        }
    }

    /// Splits at each "::"; more than one "::" yields three or more parts, which no address has.
    private static func splitAtDoubleColons(_ text: Substring) -> [Substring] {
        var parts: [Substring] = []
        var start = text.startIndex
        var i = text.startIndex
        while i < text.endIndex {
            let next = text.index(after: i)
            if text[i] == ":", next < text.endIndex, text[next] == ":" {
                parts.append(text[start..<i])
                start = text.index(after: next)
                i = start
            } else {
                i = next
            }
        }
        parts.append(text[start..<text.endIndex])
        return parts
    }

    private static func formatIPv6(_ groups: [UInt16]) -> String {
        var bestStart = -1, bestLength = 0, runStart = -1
        for i in 0...groups.count {
            if i < groups.count, groups[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
                runStart = -1
            }
        }
        func hex(_ range: Range<Int>) -> String { range.map { String(groups[$0], radix: 16) }.joined(separator: ":") }
        if bestLength < 2 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}
