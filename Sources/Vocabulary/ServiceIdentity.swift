// The identities every daemon agrees on, stable across reloads: a virtual service by (protocol, VIP, port) or
// fwmark, a real server by its virtual service and (RIP, RPORT). checkd reports health by them and ipvsd finds
// its destination by them, so both must build them by the same rule.

/// A virtual service: an address, port and transport protocol, or a firewall mark.
public enum VirtualServiceID: Hashable, Sendable, CustomStringConvertible {
    /// `virtual_server ADDRESS PORT` with `protocol TCP|UDP|SCTP`.
    case address(IPAddress, port: UInt16, transport: TransportProtocol)
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

    public static func hostPort(_ address: IPAddress, _ port: UInt16) -> String {
        address.family == .ipv6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }
}

/// A real server of one virtual service: the identity checkd and ipvsd agree on.
public struct RealServerID: Hashable, Sendable, CustomStringConvertible {
    /// The virtual service the real server belongs to.
    public var virtualService: VirtualServiceID
    /// The real server's address.
    public var realAddress: IPAddress
    /// The real server's port (0 when the service has none, e.g. fwmark without a port).
    public var realPort: UInt16

    /// A real server of the given virtual service.
    public init(virtualService: VirtualServiceID, realAddress: IPAddress, realPort: UInt16) {
        self.virtualService = virtualService
        self.realAddress = realAddress
        self.realPort = realPort
    }

    /// A real server of the address-based service `protocol virtualAddress:virtualPort`.
    public init(protocol transport: TransportProtocol, virtualAddress: IPAddress, virtualPort: UInt16,
                realAddress: IPAddress, realPort: UInt16) {
        self.init(virtualService: .address(virtualAddress, port: virtualPort, transport: transport),
                  realAddress: realAddress, realPort: realPort)
    }

    /// A real server of the fwmark service `fwmark`.
    public init(fwmark: UInt32, realAddress: IPAddress, realPort: UInt16) {
        self.init(virtualService: .fwmark(fwmark), realAddress: realAddress, realPort: realPort)
    }

    /// The transport of an address service, nil for a fwmark service.
    public var transport: TransportProtocol? {
        if case .address(_, _, let transport) = virtualService { return transport }
        return nil
    }

    /// The virtual address, nil for a fwmark service.
    public var virtualAddress: IPAddress? {
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

