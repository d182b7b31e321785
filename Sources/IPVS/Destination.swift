// A destination (real server) of a virtual service: its identity and its settings.

import Vocabulary

/// What identifies a destination within its service: address (with its family) and port.
public struct IPVSDestinationKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var address: IPAddress
    public var port: UInt16

    public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// The same address on another port.
    public func withPort(_ port: UInt16) -> IPVSDestinationKey {
        IPVSDestinationKey(address: address, port: port)
    }

    public var description: String {
        address.family == .ipv6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    public static func < (a: Self, b: Self) -> Bool {
        a.address != b.address ? a.address < b.address : a.port < b.port
    }
}

/// Tunnel encapsulations for tunnel forwarding (IP_VS_CONN_F_TUNNEL_TYPE_*).
public enum IPVSTunnelType: UInt8, Hashable, Sendable {
    case ipip = 0
    case gue = 1
    case gre = 2
}

/// Tunnel encapsulation flags (IP_VS_TUNNEL_ENCAP_FLAG_*).
public struct IPVSTunnelFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let checksum = IPVSTunnelFlags(rawValue: 1 << 0)
    public static let remoteChecksum = IPVSTunnelFlags(rawValue: 1 << 1)
}

/// Tunnel parameters: type, the GUE destination port, encapsulation flags.
public struct IPVSTunnel: Hashable, Sendable {
    public var type: IPVSTunnelType
    /// UDP port for GUE; 0 otherwise.
    public var port: UInt16
    public var flags: IPVSTunnelFlags

    public init(type: IPVSTunnelType = .ipip, port: UInt16 = 0, flags: IPVSTunnelFlags = []) {
        self.type = type
        self.port = port
        self.flags = flags
    }
}

/// How packets reach a destination (IP_VS_CONN_F_MASQ ... IP_VS_CONN_F_BYPASS).
public enum IPVSForwarding: Hashable, Sendable {
    /// NAT (IP_VS_CONN_F_MASQ, 0).
    case masquerade
    /// Delivered to this host (IP_VS_CONN_F_LOCALNODE, 1).
    case local
    /// IP-in-IP, GUE or GRE tunnel (IP_VS_CONN_F_TUNNEL, 2).
    case tunnel(IPVSTunnel)
    /// Direct routing, "gatewaying" (IP_VS_CONN_F_DROUTE, 3).
    case route
    /// Cache bypass (IP_VS_CONN_F_BYPASS, 4).
    case bypass

    /// The kernel's forwarding-method number.
    public var kernelValue: UInt32 {
        switch self {
        case .masquerade: return 0
        case .local: return 1
        case .tunnel: return 2
        case .route: return 3
        case .bypass: return 4
        }
    }

    /// The method for a kernel number, with `tunnel` as the tunnel's parameters; nil if unknown.
    public init?(kernelValue: UInt32, tunnel: IPVSTunnel = IPVSTunnel()) {
        switch kernelValue {
        case 0: self = .masquerade
        case 1: self = .local
        case 2: self = .tunnel(tunnel)
        case 3: self = .route
        case 4: self = .bypass
        default: return nil
        }
    }
}

/// A destination: key plus forwarding method, weight and connection thresholds.
public struct IPVSDestination: Hashable, Sendable {
    public var key: IPVSDestinationKey
    public var forwarding: IPVSForwarding
    /// Scheduling weight; 0 quiesces the server. The kernel refuses negative weights.
    public var weight: Int32
    /// Upper connection threshold; 0 means none.
    public var upperThreshold: UInt32
    /// Lower connection threshold; 0 means none.
    public var lowerThreshold: UInt32

    public init(key: IPVSDestinationKey, forwarding: IPVSForwarding, weight: Int32 = 1,
                upperThreshold: UInt32 = 0, lowerThreshold: UInt32 = 0) {
        self.key = key
        self.forwarding = forwarding
        self.weight = weight
        self.upperThreshold = upperThreshold
        self.lowerThreshold = lowerThreshold
    }
}
