/// The layer-4 protocols a virtual service balances, by their IP protocol numbers (what IPVS stores).
/// keepalived.conf spells them `protocol TCP|UDP|SCTP`; each module maps its own spelling to this one type.
public enum TransportProtocol: UInt8, Hashable, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case tcp = 6
    case udp = 17
    case sctp = 132

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// "tcp", "udp", "sctp": as logs and messages name them.
    public var description: String {
        switch self {
        case .tcp: return "tcp"
        case .udp: return "udp"
        case .sctp: return "sctp"
        }
    }
}
