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
    private var poolOfService: [IPVSServiceKey: String] = [:]
    /// fwmark services are found by mark alone: checkd's identity does not carry the family.
    private var poolOfMark: [UInt32: String] = [:]
    /// The configured real servers of each pool: reports about anything else are ignored.
    private var realServersOfPool: [String: Set<IPVSDestinationKey>] = [:]
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
            realServersOfPool[pool.name] = Set(pool.realServers.map(\.destination.key))
            for service in pool.services {
                poolOfService[service.key] = pool.name
                if case .firewallMark(_, let mark) = service.key { poolOfMark[mark] = pool.name }
            }
        }
    }

    func pool(named name: String) -> IPVSPoolSpec? {
        indexOfPool[name].map { pools[$0] }
    }

    /// The pool name and destination key a health report is about; nil when no configured pool matches.
    func locate(_ id: RealServerID) -> (pool: String, destination: IPVSDestinationKey)? {
        let destination = IPVSDestinationKey(address: id.realAddress, port: id.realPort)
        let pool: String?
        switch id.virtualService {
        case .fwmark(let mark):
            pool = poolOfMark[mark]
        case .address(let vip, let port, let transport):
            pool = poolOfService[.address(transport, vip, port: port)]
        }
        guard let pool, realServersOfPool[pool]?.contains(destination) == true else { return nil }
        return (pool, destination)
    }

    /// One `virtual_server` block as a pool; nil when it names a group that does not exist.
    static func pool(for server: VirtualServer, in configuration: KeepalivedConfiguration) -> IPVSPoolSpec? {
        let proto = server.transportProtocol
        // A fwmark service's family is its real servers' (keepalived's default: IPv4).
        let markFamily = server.realServers.first?.address.family ?? .ipv4
        var keys: [(key: IPVSServiceKey, port: UInt16)] = []
        switch server.address {
        case .address(let vip, let port):
            keys = [(.address(proto, vip, port: port), port)]
        case .firewallMark(let mark):
            keys = [(.firewallMark(markFamily, mark), 0)]
        case .group(let name):
            guard let group = configuration.virtualServerGroup(named: name) else { return nil }
            for entry in group.entries {
                switch entry {
                case .addressRange(let first, let count, let port):
                    for i in 0..<max(0, count) {
                        guard let vip = first.advanced(by: i) else { continue }
                        keys.append((.address(proto, vip, port: port), port))
                    }
                case .firewallMark(let mark):
                    keys.append((.firewallMark(markFamily, mark), 0))
                }
            }
        }
        // Real servers without a port take the service's (the first entry's, for a group).
        let servicePort = keys.first?.port ?? 0
        let services = keys.map { service(server, key: $0.key) }
        let realServers = server.realServers.map { rs -> IPVSRealServerSpec in
            let destination = IPVSDestination(
                key: IPVSDestinationKey(address: rs.address, port: rs.port ?? servicePort),
                forwarding: forwarding(rs.forwarding ?? server.forwarding),
                weight: Int32(clamping: rs.weight),
                upperThreshold: rs.upperThreshold ?? 0, lowerThreshold: rs.lowerThreshold ?? 0)
            return IPVSRealServerSpec(destination: destination,
                                      inhibitOnFailure: rs.inhibitOnFailure ?? server.inhibitOnFailure,
                                      // alpha waits for checkers; with none there is nothing to wait
                                      // for, and keepalived adds such a server at once.
                                      startsUp: !(rs.alpha ?? server.alpha) || rs.checks.isEmpty,
                                      checked: !rs.checks.isEmpty)
        }
        var sorry: IPVSDestination?
        if let s = server.sorryServer {
            sorry = IPVSDestination(key: IPVSDestinationKey(address: s.address, port: s.port ?? servicePort),
                                    forwarding: forwarding(s.forwarding ?? server.forwarding), weight: 1)
        }
        return IPVSPoolSpec(name: server.poolName, services: services,
                            realServers: realServers, sorryServer: sorry,
                            sorryServerInhibit: server.sorryServer?.inhibit ?? false,
                            quorum: server.quorum, hysteresis: server.hysteresis)
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
    static func netmask(_ granularity: IPAddress?, family: IPAddressFamily) -> UInt32? {
        guard let granularity else { return nil }
        switch (family, granularity.family) {
        case (.ipv4, .ipv4):
            return granularity.bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        case (.ipv6, .ipv6):
            // Leading one bits: the prefix length a mask such as ffff:ffff:: stands for.
            var length: UInt32 = 0
            for byte in granularity.bytes {
                length += UInt32(byte.leadingZeroBitCount == 0 ? (~byte).leadingZeroBitCount : 0)
                if byte != 0xff { break }
            }
            return length
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
