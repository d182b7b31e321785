import Vocabulary

// The one-byte tags the wire format gives to address families and service kinds. They are the format's own
// numbers, not the kernel's: a message stays readable by a daemon of the previous release during an upgrade.

/// An address family on the wire.
enum AddressFamilyTag: UInt8 {
    case ipv4 = 4
    case ipv6 = 6

    init(_ family: IPAddressFamily) { self = family == .ipv4 ? .ipv4 : .ipv6 }
    var family: IPAddressFamily { self == .ipv4 ? .ipv4 : .ipv6 }
}

/// How a virtual service is named on the wire: the protocol of an address service, or fwmark.
enum ServiceKindTag: UInt8 {
    case tcp = 1
    case udp = 2
    case sctp = 3
    case fwmark = 4

    init(_ transport: TransportProtocol) {
        switch transport {
        case .tcp: self = .tcp
        case .udp: self = .udp
        case .sctp: self = .sctp
        }
    }

    /// The transport of an address service; nil for fwmark.
    var transport: TransportProtocol? {
        switch self {
        case .tcp: return .tcp
        case .udp: return .udp
        case .sctp: return .sctp
        case .fwmark: return nil
        }
    }
}
