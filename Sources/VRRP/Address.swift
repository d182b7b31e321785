// IP addresses as the VRRP core sees them: plain values, no sockaddr.

/// An IPv4 or IPv6 address, ordered as unsigned big-endian numbers (the RFC's "greater primary address").
public enum VRRPAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// An IPv4 address in host order (192.0.2.1 is 0xC000_0201).
    case v4(UInt32)
    /// An IPv6 address as two host-order halves, `high` holding the first 8 bytes.
    case v6(high: UInt64, low: UInt64)

    /// Builds an IPv4 address from its four dotted parts.
    public static func ipv4(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8) -> VRRPAddress {
        .v4(UInt32(a) << 24 | UInt32(b) << 16 | UInt32(c) << 8 | UInt32(d))
    }

    /// Builds an address from 4 or 16 network-order bytes; nil for any other length.
    public init?(bytes: ArraySlice<UInt8>) {
        let s = bytes.startIndex
        if bytes.count == 4 {
            self = .v4(UInt32(bytes[s]) << 24 | UInt32(bytes[s + 1]) << 16 | UInt32(bytes[s + 2]) << 8 | UInt32(bytes[s + 3]))
        } else if bytes.count == 16 {
            var hi: UInt64 = 0, lo: UInt64 = 0
            for k in 0..<8 { hi = hi << 8 | UInt64(bytes[s + k]) }
            for k in 8..<16 { lo = lo << 8 | UInt64(bytes[s + k]) }
            self = .v6(high: hi, low: lo)
        } else {
            return nil
        }
    }

    /// Builds an address from 4 or 16 network-order bytes; nil for any other length.
    public init?(bytes: [UInt8]) { self.init(bytes: bytes[...]) }

    /// The address in network byte order (4 or 16 bytes).
    public var bytes: [UInt8] {
        switch self {
        case .v4(let v):
            return [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)]
        case .v6(let hi, let lo):
            var out: [UInt8] = []
            out.reserveCapacity(16)
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: hi >> UInt64(shift))) }
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: lo >> UInt64(shift))) }
            return out
        }
    }

    /// The address family of this address.
    public var family: VRRPAddressFamily {
        if case .v4 = self { return .ipv4 }
        return .ipv6
    }

    /// True for an IPv4 (224/4) or IPv6 (ff00::/8) multicast address.
    public var isMulticast: Bool {
        switch self {
        case .v4(let v): return v >> 28 == 0xE
        case .v6(let hi, _): return hi >> 56 == 0xFF
        }
    }

    /// The VRRP multicast group of a family: 224.0.0.18 or ff02::12 (RFC 5798 §5.1.1.2, §5.1.2.2).
    public static func vrrpGroup(_ family: VRRPAddressFamily) -> VRRPAddress {
        family == .ipv4 ? .ipv4(224, 0, 0, 18) : .v6(high: 0xFF02_0000_0000_0000, low: 0x12)
    }

    public static func < (a: VRRPAddress, b: VRRPAddress) -> Bool {
        switch (a, b) {
        case (.v4(let x), .v4(let y)): return x < y
        case (.v6(let xh, let xl), .v6(let yh, let yl)): return (xh, xl) < (yh, yl)
        case (.v4, .v6): return true   // only for a total order; VRRP never compares across families
        case (.v6, .v4): return false
        }
    }

    public var description: String {
        switch self {
        case .v4(let v):
            return "\(v >> 24).\((v >> 16) & 0xFF).\((v >> 8) & 0xFF).\(v & 0xFF)"
        case .v6:
            let b = bytes
            var groups: [String] = []
            for i in stride(from: 0, to: 16, by: 2) {
                groups.append(String(UInt16(b[i]) << 8 | UInt16(b[i + 1]), radix: 16))
            }
            return groups.joined(separator: ":")
        }
    }
}

/// IPv4 or IPv6.
public enum VRRPAddressFamily: Hashable, Sendable {
    case ipv4
    case ipv6
    /// Bytes of one address of this family.
    public var addressLength: Int { self == .ipv4 ? 4 : 16 }
}
