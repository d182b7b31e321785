// Why a received packet was not given to the state machine, and per-reason counters for the shell.

/// Every reason a received packet is dropped; the raw value is a stable name for logs and metrics.
public enum VRRPDropReason: String, Error, CaseIterable, Hashable, Sendable {
    // Network layer (IPv4 datagram from a raw socket).
    /// Fewer bytes than a 20-byte IPv4 header.
    case ipHeaderTruncated
    /// The IP version nibble is not 4.
    case notIPv4
    /// IHL below 5 or beyond the datagram.
    case badIPHeaderLength
    /// IPv4 Total Length larger than the bytes received.
    case ipTotalLengthMismatch
    /// IP protocol neither 112 (VRRP) nor 51 (AH).
    case notVRRPProtocol
    /// IPsec AH (IP protocol 51 or v2 Auth Type 2): recognised, not supported.
    case authenticationHeaderUnsupported

    // VRRP message structure.
    /// Fewer than the 8 fixed VRRP header bytes.
    case vrrpHeaderTruncated
    /// Version nibble neither 2 nor 3.
    case unsupportedVersion
    /// VRRPv2 carried over IPv6 (v2 is IPv4 only).
    case v2OverIPv6
    /// Type is not 1 (ADVERTISEMENT).
    case notAdvertisement
    /// The Count field claims addresses past the end of the packet.
    case addressCountPastEnd
    /// Bytes after the last address (and v2 auth data).
    case trailingBytes
    /// The VRRP checksum does not verify.
    case badChecksum

    // Checks against the receiving instance (RFC 3768/5798 §7.1, keepalived's vrrp_check_packet).
    /// An IPv6 packet for an IPv4 instance or the reverse.
    case wrongFamily
    /// TTL / hop limit is not 255 (multicast only; keepalived skips this for unicast peers).
    case badTTL
    /// Packet's VRRP version differs from the instance's.
    case versionMismatch
    /// v2 Auth Type other than 0, 1 or 2.
    case invalidAuthType
    /// v2 Auth Type differs from the configured one.
    case authTypeMismatch
    /// v2 simple-text password differs.
    case authFailure
    /// v2 Adver Int differs from the local one (RFC 3768 §7.1 says drop).
    case advertIntervalMismatch
    /// v3 Max Adver Int of 0, which would collapse every timer (our addition; keepalived does not check).
    case invalidAdvertInterval
    /// Multicast instance received a unicast packet.
    case unexpectedUnicast
    /// Unicast instance received a multicast packet.
    case unexpectedMulticast
    /// Unicast packet from an address not in the instance's peer list.
    case unknownUnicastSource

    /// True for the reasons found after the packet's VRID matched the instance (`VRRPReceiveFilter`): a router
    /// advertising this VRID whom this instance will not hear — e.g. another MASTER with another password.
    public var concernsInstance: Bool {
        switch self {
        case .wrongFamily, .badTTL, .versionMismatch, .authenticationHeaderUnsupported, .invalidAuthType,
             .authTypeMismatch, .authFailure, .advertIntervalMismatch, .invalidAdvertInterval, .unexpectedUnicast,
             .unexpectedMulticast, .unknownUnicastSource:
            return true
        default:
            return false
        }
    }
}

/// Per-reason drop counts, for the shell to keep per instance (or per socket for decode failures).
public struct VRRPDropCounters: Hashable, Sendable {
    private var counts: [VRRPDropReason: UInt64] = [:]

    public init() {}

    /// Counts one drop of `reason`.
    public mutating func record(_ reason: VRRPDropReason) { counts[reason, default: 0] &+= 1 }

    /// Drops counted for `reason`.
    public subscript(reason: VRRPDropReason) -> UInt64 { counts[reason] ?? 0 }

    public var total: UInt64 { counts.values.reduce(0, &+) }

    /// The reasons with a count, in declaration order.
    public var nonZero: [(reason: VRRPDropReason, count: UInt64)] {
        VRRPDropReason.allCases.compactMap { r in counts[r].map { (r, $0) } }
    }
}
