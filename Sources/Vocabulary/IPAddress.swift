// The one IP address type every core and daemon uses: the config model, the VRRP codec and state machine, the
// IPVS codec, the messages between the daemons and the checkers. Converting between per-module copies was where
// families got mislabelled and ports got lost; one type leaves nothing to convert.

/// IPv4 or IPv6. IPv4 orders first, as in every listing the daemons print.
public enum IPAddressFamily: Hashable, Sendable, Comparable, CaseIterable {
    case ipv4
    case ipv6

    /// Bytes of one address of this family.
    public var addressLength: Int { self == .ipv4 ? 4 : 16 }
    /// The longest prefix an address of this family takes: 32 or 128.
    public var maximumPrefixLength: Int { self == .ipv4 ? 32 : 128 }
}

/// An IPv4 or IPv6 address, held as numbers in network order of significance.
///
/// The address is inline (no array): the configuration model holds one per real server, and checkd and ipvsd keep
/// an identity with two of them per real server, so a heap allocation each would dominate their memory.
/// Ordering is IPv4 before IPv6, then as unsigned big-endian numbers (the RFC's "greater primary address").
public enum IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// An IPv4 address in host order (192.0.2.1 is 0xC000_0201).
    case v4(UInt32)
    /// An IPv6 address as two host-order halves, `high` holding the first 8 bytes.
    case v6(high: UInt64, low: UInt64)

    public static func ipv4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> IPAddress {
        .v4(UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d))
    }

    /// Builds an address from 4 (IPv4) or 16 (IPv6) network-order bytes; nil for any other length.
    public init?(bytes: some Collection<UInt8>) {
        switch bytes.count {
        case 4:
            self = .v4(UInt32(truncatingIfNeeded: Self.bigEndianNumber(bytes.prefix(4))))
        case 16:
            self = .v6(high: Self.bigEndianNumber(bytes.prefix(8)), low: Self.bigEndianNumber(bytes.dropFirst(8)))
        default:
            return nil
        }
    }

    /// The address in network byte order: 4 or 16 bytes.
    public var bytes: [UInt8] {
        switch self {
        case .v4(let value): return Self.bigEndianBytes(UInt64(value), count: 4)
        case .v6(let high, let low): return Self.bigEndianBytes(high, count: 8) + Self.bigEndianBytes(low, count: 8)
        }
    }

    public var family: IPAddressFamily {
        if case .v4 = self { return .ipv4 }
        return .ipv6
    }

    public var maximumPrefixLength: Int { family.maximumPrefixLength }

    /// True for an IPv4 (224/4) or IPv6 (ff00::/8) multicast address.
    public var isMulticast: Bool {
        switch self {
        case .v4(let value): return value >> 28 == 0xE
        case .v6(let high, _): return high >> 56 == 0xFF
        }
    }

    /// The address `count` after this one (keepalived's `192.0.2.1-10` ranges); nil past the end of the family.
    public func advanced(by count: Int) -> IPAddress? {
        guard count >= 0 else { return nil }
        switch self {
        case .v4(let value):
            let (sum, overflow) = value.addingReportingOverflow(UInt32(clamping: count))
            return overflow || count > UInt32.max ? nil : .v4(sum)
        case .v6(let high, let low):
            let (newLow, carry) = low.addingReportingOverflow(UInt64(count))
            guard carry else { return .v6(high: high, low: newLow) }
            let (newHigh, overflow) = high.addingReportingOverflow(1)
            return overflow ? nil : .v6(high: newHigh, low: newLow)
        }
    }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        switch (a, b) {
        case (.v4(let x), .v4(let y)): return x < y
        case (.v6(let xh, let xl), .v6(let yh, let yl)): return (xh, xl) < (yh, yl)
        case (.v4, .v6): return true
        case (.v6, .v4): return false
        }
    }

    private static func bigEndianBytes(_ value: UInt64, count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: value >> UInt64(8 * (count - 1 - $0))) }
    }

    private static func bigEndianNumber(_ bytes: some Sequence<UInt8>) -> UInt64 {
        bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
