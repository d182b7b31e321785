// How a `virtual_server` block becomes kernel services and each of its real servers a destination in every one
// of them. checkd names its health reports by these identities and ipvsd builds its pools and finds a report's
// destination by them, so this file is the only place the rule is written. It is keepalived 2.2.7's, read for
// behaviour only in check/ipvswrapper.c (ipvs_cmd, ipvs_group_cmd, ipvs_group_range_cmd), check/check_data.c
// (alloc_vsg_entry, validate_check_config) and check/check_parser.c (rs_end_handler, vs_end_handler).

import Vocabulary

/// One kernel service a `virtual_server` block installs.
public struct ConfiguredService: Hashable, Sendable {
    public var id: VirtualServiceID
    /// The address's family; for a fwmark, `VirtualServer.firewallMarkFamily`.
    public var family: IPAddressFamily

    public init(id: VirtualServiceID, family: IPAddressFamily) {
        self.id = id
        self.family = family
    }

    /// The port the service's packets arrive on; 0 for a fwmark service.
    public var port: UInt16 {
        if case .address(_, let port, _) = id { return port }
        return 0
    }
}

/// The port the kernel gives a real or sorry server in the services of its virtual server.
public enum DestinationPort: Hashable, Sendable {
    /// The same port in every service: NAT rewrites the destination port to it. 0 (no port written, under a
    /// group or fwmark) makes the kernel keep the port each connection arrived on.
    case fixed(UInt16)
    /// Each service's own port, 0 in a fwmark service: DR and TUN forward the packet unchanged, so keepalived
    /// gives the destination the service's port whatever port the real server was written with.
    case servicePort

    public func port(in service: ConfiguredService) -> UInt16 {
        switch self {
        case .fixed(let port): return port
        case .servicePort: return service.port
        }
    }
}

extension VirtualServer {
    /// Every kernel service of this block: its address, its fwmark, or each address of each address entry of its
    /// group followed by each fwmark entry (keepalived keeps the two kinds in separate lists and installs the
    /// addresses first). A service named twice is installed once. Empty when the group is not defined.
    public func services(in configuration: KeepalivedConfiguration) -> [ConfiguredService] {
        switch address {
        case .address(let ip, let port):
            return [ConfiguredService(id: .address(ip, port: port, transport: transportProtocol), family: ip.family)]
        case .firewallMark(let mark):
            return [ConfiguredService(id: .fwmark(mark), family: firewallMarkFamily)]
        case .group(let name):
            guard let group = configuration.virtualServerGroup(named: name) else { return [] }
            var services: [ConfiguredService] = []
            var marks: [ConfiguredService] = []
            for entry in group.entries {
                switch entry {
                case .addressRange(let first, let count, let port):
                    // keepalived's walk (ipvs_group_range_cmd): IPv4 counts up through the whole address, IPv6
                    // steps only its last 16 bits, wrapping there.
                    for offset in 0..<max(0, count) {
                        guard let ip = Self.groupAddress(first, offset) else { break }
                        services.append(ConfiguredService(id: .address(ip, port: port, transport: transportProtocol),
                                                          family: ip.family))
                    }
                case .firewallMark(let mark, let family):
                    marks.append(ConfiguredService(id: .fwmark(mark), family: family ?? firewallMarkFamily))
                }
            }
            services += marks
            guard services.count > 1 else { return services }
            var seen: Set<VirtualServiceID> = []
            return services.filter { seen.insert($0.id).inserted }
        }
    }

    /// The `offset`-th address of a group entry's walk from `first`.
    static func groupAddress(_ first: IPAddress, _ offset: Int) -> IPAddress? {
        guard case .v6(let high, let low) = first else { return first.advanced(by: offset) }
        let last = (low & 0xffff) &+ UInt64(truncatingIfNeeded: offset)
        return .v6(high: high, low: low & ~0xffff | last & 0xffff)
    }

    /// The family of this block's fwmark services: that of its first real server not tunnelled, else of its sorry
    /// server if not tunnelled; when every one is tunnelled, a group's fwmarks are IPv4 and a `fwmark` block's
    /// are the family its real and sorry servers share (IPv4 when they mix or there are none).
    public var firewallMarkFamily: IPAddressFamily {
        if let real = realServers.first(where: { ($0.forwarding ?? forwarding) != .tunnel }) {
            return real.address.family
        }
        if let sorryServer, (sorryServer.forwarding ?? forwarding) != .tunnel { return sorryServer.address.family }
        if case .group = address { return .ipv4 }
        let families = Set(realServers.map(\.address.family) + [sorryServer?.address.family].compactMap { $0 })
        return families.count == 1 ? families.first! : .ipv4
    }

    /// Where `realServer` receives this block's services. Under a plain address, a NAT real server written without
    /// a port gets the virtual server's (validate_check_config fills it in); under a group or fwmark it keeps none.
    public func destinationPort(of realServer: RealServer) -> DestinationPort {
        guard (realServer.forwarding ?? forwarding) == .nat else { return .servicePort }
        if let port = realServer.port { return .fixed(port) }
        if case .address(_, let port) = address { return .fixed(port) }
        return .fixed(0)
    }

    /// Where the sorry server receives this block's services: as a real server, except that keepalived never fills
    /// in a NAT sorry server's missing port, so it stays 0 (the connection's own port) even under an address.
    public func destinationPort(of sorryServer: SorryServer) -> DestinationPort {
        guard (sorryServer.forwarding ?? forwarding) == .nat else { return .servicePort }
        return .fixed(sorryServer.port ?? 0)
    }
}

extension RealServer {
    /// This real server's identity in each of `services` (its virtual server's, from `services(in:)`), in their
    /// order: the kernel destination checkd reports about and ipvsd looks up, one per service.
    public func identities(in virtualServer: VirtualServer, services: [ConfiguredService]) -> [RealServerID] {
        let port = virtualServer.destinationPort(of: self)
        return services.map { RealServerID(virtualService: $0.id, realAddress: address, realPort: port.port(in: $0)) }
    }
}
