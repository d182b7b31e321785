// Addresses as IPVS stores them: an IPv4 or IPv6 address whose family travels with it,
// so a key can never hold 16 bytes of one family tagged as the other.

/// The two address families IPVS serves (values are the kernel's AF_INET / AF_INET6).
public enum IPVSAddressFamily: UInt16, Hashable, Sendable, Comparable {
    case inet = 2
    case inet6 = 10

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// An IPv4 or IPv6 address, held as numbers in network order of significance.
public enum IPVSAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    case v4(UInt32)
    case v6(high: UInt64, low: UInt64)

    /// The family this address belongs to.
    public var family: IPVSAddressFamily {
        switch self {
        case .v4: return .inet
        case .v6: return .inet6
        }
    }

    /// The address bytes in network order: 4 for IPv4, 16 for IPv6.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let a): return bigEndianBytes(UInt64(a), count: 4)
        case .v6(let high, let low): return bigEndianBytes(high, count: 8) + bigEndianBytes(low, count: 8)
        }
    }

    /// The 16-byte `union nf_inet_addr` image the kernel uses on the wire (IPv4 first, zero-filled).
    public var inetAddrUnionBytes: [UInt8] {
        let b = bytes
        return b + [UInt8](repeating: 0, count: 16 - b.count)
    }

    /// Builds an address of `family` from network-order bytes (IPv4: 4 or 16, IPv6: 16).
    public init?(family: IPVSAddressFamily, bytes: some Collection<UInt8>) {
        let b = Array(bytes)
        switch family {
        case .inet:
            guard b.count == 4 || b.count == 16 else { return nil }
            self = .v4(UInt32(truncatingIfNeeded: bigEndianNumber(b[0..<4])))
        case .inet6:
            guard b.count == 16 else { return nil }
            self = .v6(high: bigEndianNumber(b[0..<8]), low: bigEndianNumber(b[8..<16]))
        }
    }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with `::` and an optional dotted IPv4 tail).
    public init?(_ text: String) {
        if text.contains(":") {
            guard let groups = parseIPv6Groups(Substring(text)) else { return nil }
            var high: UInt64 = 0, low: UInt64 = 0
            for i in 0..<4 { high = high << 16 | UInt64(groups[i]) }
            for i in 4..<8 { low = low << 16 | UInt64(groups[i]) }
            self = .v6(high: high, low: low)
        } else {
            guard let v = parseIPv4(Substring(text)) else { return nil }
            self = .v4(v)
        }
    }

    public var description: String {
        switch self {
        case .v4(let a):
            return "\(a >> 24).\(a >> 16 & 0xff).\(a >> 8 & 0xff).\(a & 0xff)"
        case .v6(let high, let low):
            var groups: [UInt16] = []
            for word in [high, low] {
                for shift in stride(from: 48, through: 0, by: -16) {
                    groups.append(UInt16(truncatingIfNeeded: word >> UInt64(shift)))
                }
            }
            return formatIPv6(groups)
        }
    }

    public static func < (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case (.v4(let x), .v4(let y)): return x < y
        case (.v4, .v6): return true
        case (.v6, .v4): return false
        case (.v6(let ah, let al), .v6(let bh, let bl)): return (ah, al) < (bh, bl)
        }
    }
}

private func bigEndianBytes(_ value: UInt64, count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * (count - 1 - $0))) }
}

private func bigEndianNumber(_ bytes: ArraySlice<UInt8>) -> UInt64 {
    bytes.reduce(0) { $0 << 8 | UInt64($1) }
}

private func parseIPv4(_ text: Substring) -> UInt32? {
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

/// Eight 16-bit groups of an IPv6 text address, or nil when it is not one.
private func parseIPv6Groups(_ text: Substring) -> [UInt16]? {
    func groups(_ s: Substring, allowIPv4Tail: Bool) -> [UInt16]? {
        if s.isEmpty { return [] }
        var out: [UInt16] = []
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        for (i, part) in parts.enumerated() {
            if allowIPv4Tail, i == parts.count - 1, part.contains(".") {
                guard let v4 = parseIPv4(part) else { return nil }
                out.append(UInt16(v4 >> 16))
                out.append(UInt16(v4 & 0xffff))
            } else {
                guard (1...4).contains(part.count), let g = UInt16(part, radix: 16) else { return nil }
                out.append(g)
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

/// Splits at each "::" (no Foundation); more than one "::" yields three or more parts.
private func splitAtDoubleColons(_ s: Substring) -> [Substring] {
    var parts: [Substring] = []
    var start = s.startIndex
    var i = s.startIndex
    while i < s.endIndex {
        let next = s.index(after: i)
        if s[i] == ":", next < s.endIndex, s[next] == ":" {
            parts.append(s[start..<i])
            start = s.index(after: next)
            i = start
        } else {
            i = next
        }
    }
    parts.append(s[start..<s.endIndex])
    return parts
}

/// RFC 5952 text: lowercase, the longest run (at least 2) of zero groups shortened to "::".
private func formatIPv6(_ groups: [UInt16]) -> String {
    var bestStart = -1, bestLength = 0, runStart = -1
    for i in 0...groups.count {
        if i < groups.count, groups[i] == 0 {
            if runStart < 0 { runStart = i }
        } else if runStart >= 0 {
            if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
            runStart = -1
        }
    }
    func hex(_ r: Range<Int>) -> String { r.map { String(groups[$0], radix: 16) }.joined(separator: ":") }
    if bestLength < 2 { return hex(0..<8) }
    return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
}
