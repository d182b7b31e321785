// keepalived.conf's virtual servers as the plain pool specifications the pure desired-state function takes,
// and the way back from a checkd health report to the pool and destination it is about.
import IPVS
import KeepalivedConfig
import Wire
import Vocabulary

/// The pools of a configuration, with an index from health-report identities to them.
struct PoolMap {
    let pools: [IPVSPoolSpec]
    /// Every service key the configuration owns.
    var serviceKeys: Set<IPVSServiceKey> { Set(pools.flatMap { $0.services.map(\.key) }) }
    /// Where a service sits: its pool and its place among the pool's services.
    private struct ServicePlace {
        var pool: Int32
        var service: Int32
    }
    private var placeOfService: [IPVSServiceKey: ServicePlace] = [:]
    /// fwmark services are found by mark alone: checkd's identity does not carry the family.
    private var placeOfMark: [UInt32: ServicePlace] = [:]
    private struct PoolAddress: Hashable {
        var pool: Int32
        var address: IPAddress
    }
    /// The real servers of each pool by address: a report names one by its address and its port in one service.
    private var realServersAtAddress: [PoolAddress: [Int32]] = [:]
    private var indexOfPool: [String: Int] = [:]

    init(_ configuration: KeepalivedConfiguration) {
        var pools: [IPVSPoolSpec] = []
        var names: Set<String> = []
        for server in configuration.virtualServers {
            guard var pool = PoolMap.pool(for: server, in: configuration) else { continue }
            // Two blocks with the same identity are refused by the validator; be safe anyway.
            while names.contains(pool.name) { pool.name += "'" }
            names.insert(pool.name)
            pools.append(pool)
        }
        self.pools = pools
        for (index, pool) in pools.enumerated() {
            indexOfPool[pool.name] = index
            for (serviceIndex, service) in pool.services.enumerated() {
                let place = ServicePlace(pool: Int32(index), service: Int32(serviceIndex))
                // A service two blocks name is the later one's, as in the desired table.
                placeOfService[service.key] = place
                if case .firewallMark(_, let mark) = service.key { placeOfMark[mark] = place }
            }
            for (realIndex, real) in pool.realServers.enumerated() {
                realServersAtAddress[PoolAddress(pool: Int32(index), address: real.destination.key.address),
                                     default: []].append(Int32(realIndex))
            }
        }
    }

    func pool(named name: String) -> IPVSPoolSpec? {
        indexOfPool[name].map { pools[$0] }
    }

    /// The pool and the real server (by its key in the pool) a health report is about; nil when none matches:
    /// the report's service must be the pool's and its port the one the server has in that service.
    func locate(_ id: RealServerID) -> (pool: String, destination: IPVSDestinationKey)? {
        let place: ServicePlace?
        switch id.virtualService {
        case .fwmark(let mark):
            place = placeOfMark[mark]
        case .address(let vip, let port, let transport):
            place = placeOfService[.address(transport, vip, port: port)]
        }
        guard let place else { return nil }
        let pool = pools[Int(place.pool)]
        for index in realServersAtAddress[PoolAddress(pool: place.pool, address: id.realAddress)] ?? [] {
            let real = pool.realServers[Int(index)]
            if real.key(inService: Int(place.service)).port == id.realPort { return (pool.name, real.destination.key) }
        }
        return nil
    }

    /// One `virtual_server` block as a pool; nil when it names a group that does not exist. Its services and every
    /// destination's port in each come from KeepalivedConfig's `services(in:)` and `destinationPort(of:)`, the
    /// rule checkd names its reports by.
    static func pool(for server: VirtualServer, in configuration: KeepalivedConfiguration) -> IPVSPoolSpec? {
        if case .group(let name) = server.address, configuration.virtualServerGroup(named: name) == nil { return nil }
        let configured = server.services(in: configuration)
        let services = configured.map { service(server, key: key(of: $0)) }
        let realServers = server.realServers.map { rs -> IPVSRealServerSpec in
            let (key, ports) = placement(rs.address, written: rs.port, server.destinationPort(of: rs), in: configured)
            let destination = IPVSDestination(
                key: key, forwarding: forwarding(rs.forwarding ?? server.forwarding),
                weight: Int32(clamping: rs.weight),
                upperThreshold: rs.upperThreshold ?? 0, lowerThreshold: rs.lowerThreshold ?? 0)
            return IPVSRealServerSpec(destination: destination, servicePorts: ports,
                                      inhibitOnFailure: rs.inhibitOnFailure ?? server.inhibitOnFailure,
                                      // alpha waits for checkers; with none there is nothing to wait
                                      // for, and keepalived adds such a server at once.
                                      startsUp: !(rs.alpha ?? server.alpha) || rs.checks.isEmpty,
                                      checked: !rs.checks.isEmpty)
        }
        var sorry: IPVSDestination?
        var sorryPorts: [UInt16] = []
        if let s = server.sorryServer {
            let (key, ports) = placement(s.address, written: s.port, server.destinationPort(of: s), in: configured)
            sorry = IPVSDestination(key: key, forwarding: forwarding(s.forwarding ?? server.forwarding), weight: 1)
            sorryPorts = ports
        }
        return IPVSPoolSpec(name: server.poolName, services: services,
                            realServers: realServers, sorryServer: sorry, sorryServerPorts: sorryPorts,
                            sorryServerInhibit: server.sorryServer?.inhibit ?? false,
                            quorum: server.quorum, hysteresis: server.hysteresis)
    }

    /// A destination's key in its pool and its ports in the pool's services. The key keeps the port the server is
    /// written with (0 without one), which the validator makes unique in a block and which stays put across
    /// reloads, so a verdict follows the server; the ports are kept only when one differs from the key's.
    static func placement(_ address: IPAddress, written: UInt16?, _ port: DestinationPort,
                          in services: [ConfiguredService]) -> (IPVSDestinationKey, [UInt16]) {
        let key = IPVSDestinationKey(address: address, port: written ?? 0)
        let ports = services.map { port.port(in: $0) }
        return (key, ports.contains { $0 != key.port } ? ports : [])
    }

    /// The kernel's key of a configured service.
    static func key(of service: ConfiguredService) -> IPVSServiceKey {
        switch service.id {
        case .address(let ip, let port, let transport): return .address(transport, ip, port: port)
        case .fwmark(let mark): return .firewallMark(service.family, mark)
        }
    }

    /// The kernel service of a block for one of its keys: scheduler, flags and persistence.
    static func service(_ server: VirtualServer, key: IPVSServiceKey) -> IPVSService {
        var flags: IPVSServiceFlags = []
        if server.persistenceTimeout != nil { flags.insert(.persistent) }
        if server.onePacketScheduling { flags.insert(.onePacket) }
        for flag in server.schedulerFlags {
            switch flag {
            case "flag-1", "sh-fallback", "mh-fallback": flags.insert(.scheduler1)
            case "flag-2", "sh-port", "mh-port": flags.insert(.scheduler2)
            case "flag-3": flags.insert(.scheduler3)
            default: break
            }
        }
        return IPVSService(key: key, scheduler: server.scheduler, flags: flags,
                           timeout: server.persistenceTimeout ?? 0,
                           netmask: netmask(server.persistenceGranularity, family: key.family))
    }

    /// `persistence_granularity` as the kernel keeps it: IPv4 mask as a number, IPv6 prefix length;
    /// nil (no granularity, or one of the other family) gives the full host mask.
    static func netmask(_ granularity: PersistenceGranularity?, family: IPAddressFamily) -> UInt32? {
        switch (family, granularity) {
        case (.ipv4, .ipv4Netmask(let mask)?):
            return mask.bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        case (.ipv6, .ipv6PrefixLength(let length)?):
            return UInt32(length)
        default:
            return nil
        }
    }

    static func forwarding(_ method: ForwardingMethod) -> IPVSForwarding {
        switch method {
        case .nat: return .masquerade
        case .directRouting: return .route
        case .tunnel: return .tunnel(IPVSTunnel())
        }
    }

}
