// The messages the three daemons exchange (DESIGN.md "Messages"). Identities are stable across
// reloads: a real server by (protocol, VIP or fwmark, port, RIP, RPORT), an instance by its name.

/// Which daemon is speaking; sent in `hello`.
public enum DaemonRole: UInt8, Sendable, CaseIterable {
    case vrrpd = 1
    case ipvsd = 2
    case checkd = 3
}

/// A VRRP instance's state as other daemons need it (notify scripts, the IPVS sync daemon).
public enum InstanceStateKind: UInt8, Sendable, CaseIterable {
    case initialize = 0
    case backup = 1
    case master = 2
    case fault = 3
    case stop = 4
}

/// The transport protocol of an address-based virtual service.
public enum TransportProtocol: UInt8, Sendable, CaseIterable {
    case tcp = 1
    case udp = 2
    case sctp = 3
}

/// How a virtual service is named in keepalived.conf: protocol of an address service, or fwmark.
public enum ServiceProtocol: UInt8, Sendable, CaseIterable {
    case tcp = 1
    case udp = 2
    case sctp = 3
    case fwmark = 4
}

/// A virtual service: an address, port and transport protocol, or a firewall mark.
public enum VirtualServiceID: Hashable, Sendable, CustomStringConvertible {
    /// `virtual_server ADDRESS PORT` with `protocol TCP|UDP|SCTP`.
    case address(WireAddress, port: UInt16, transport: TransportProtocol)
    /// `virtual_server fwmark N`; the address family is that of the real servers.
    case fwmark(UInt32)

    /// "tcp 192.0.2.1:80", "fwmark 7".
    public var description: String {
        switch self {
        case .address(let address, let port, let transport):
            return "\(transport) \(Self.hostPort(address, port))"
        case .fwmark(let mark):
            return "fwmark \(mark)"
        }
    }

    static func hostPort(_ address: WireAddress, _ port: UInt16) -> String {
        address.family == .ipv6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}

/// A real server of one virtual service: the identity checkd and ipvsd agree on.
public struct RealServerID: Hashable, Sendable, CustomStringConvertible {
    /// The virtual service the real server belongs to.
    public var virtualService: VirtualServiceID
    /// The real server's address.
    public var realAddress: WireAddress
    /// The real server's port (0 when the service has none, e.g. fwmark without a port).
    public var realPort: UInt16

    /// A real server of the given virtual service.
    public init(virtualService: VirtualServiceID, realAddress: WireAddress, realPort: UInt16) {
        self.virtualService = virtualService
        self.realAddress = realAddress
        self.realPort = realPort
    }

    /// A real server of the address-based service `protocol virtualAddress:virtualPort`.
    public init(protocol transport: TransportProtocol, virtualAddress: WireAddress, virtualPort: UInt16,
                realAddress: WireAddress, realPort: UInt16) {
        self.init(virtualService: .address(virtualAddress, port: virtualPort, transport: transport),
                  realAddress: realAddress, realPort: realPort)
    }

    /// A real server of the fwmark service `fwmark`.
    public init(fwmark: UInt32, realAddress: WireAddress, realPort: UInt16) {
        self.init(virtualService: .fwmark(fwmark), realAddress: realAddress, realPort: realPort)
    }

    /// tcp, udp, sctp or fwmark.
    public var `protocol`: ServiceProtocol {
        switch virtualService {
        case .address(_, _, let transport): return ServiceProtocol(rawValue: transport.rawValue) ?? .tcp
        case .fwmark: return .fwmark
        }
    }

    /// The virtual address, nil for a fwmark service.
    public var virtualAddress: WireAddress? {
        if case .address(let address, _, _) = virtualService { return address }
        return nil
    }

    /// The firewall mark, nil for an address service.
    public var fwmark: UInt32? {
        if case .fwmark(let mark) = virtualService { return mark }
        return nil
    }

    /// The virtual port, 0 for a fwmark service.
    public var virtualPort: UInt16 {
        if case .address(_, let port, _) = virtualService { return port }
        return 0
    }

    /// "tcp 192.0.2.1:80 -> 198.51.100.7:8080".
    public var description: String {
        "\(virtualService) -> \(VirtualServiceID.hostPort(realAddress, realPort))"
    }
}

/// checkd's verdict on one real server.
public struct RealServerHealth: Hashable, Sendable {
    /// Which real server.
    public var id: RealServerID
    /// True when its checks pass.
    public var up: Bool
    /// The weight ipvsd should give it (keepalived's `weight`, possibly changed by MISC_CHECK).
    public var weight: Int32

    /// A health verdict for `id`.
    public init(id: RealServerID, up: Bool, weight: Int32) {
        self.id = id
        self.up = up
        self.weight = weight
    }
}

/// One datagram between two daemons.
public enum WireMessage: Hashable, Sendable {
    /// The first message on a connection: who is speaking.
    case hello(role: DaemonRole, pid: Int32)
    /// checkd → ipvsd: a real server went up or down, or changed weight.
    case realServerHealth(RealServerHealth)
    /// checkd → vrrpd: a vrrp_script's result.
    case trackScript(name: String, ok: Bool)
    /// vrrpd → ipvsd, checkd: an instance's state.
    case instanceState(name: String, state: InstanceStateKind, priority: UInt8)
    /// ipvsd → checkd: a virtual server's quorum state (named as in ipvsd's logs, "TCP 192.0.2.1:80"), on
    /// a change and in every snapshot; checkd runs its quorum_up/quorum_down.
    case quorum(virtualServer: String, up: Bool)
    /// Opens a sender's full current view, sent on every (re)connect.
    case snapshotBegin
    /// Closes the full view opened by `snapshotBegin`.
    case snapshotEnd
}

extension WireMessage {
    /// The daemons that may send this message; a receiver drops it from anyone else
    /// (e.g. only checkd reports health, only vrrpd reports instance state).
    public var expectedSenders: Set<DaemonRole> {
        switch self {
        case .hello, .snapshotBegin, .snapshotEnd: return Set(DaemonRole.allCases)
        case .realServerHealth, .trackScript: return [.checkd]
        case .instanceState: return [.vrrpd]
        case .quorum: return [.ipvsd]
        }
    }
}
