/// ipvsd's part of a status: each virtual server as configured, beside what the kernel holds for it now.
public struct VirtualServerStatus: Codable, Sendable, Equatable {
    /// The virtual_server block's name (KeepalivedConfig's `VirtualServer.poolName`: "TCP 192.0.2.100:80",
    /// "TCP fwmark 1", "TCP group web"); checkd's realServerChecks use the same.
    public var name: String
    /// Each kernel service the block installs (several for a virtual_server_group), in ipvsadm's spelling.
    public var services: [ServiceStatus]
    /// quorum: the pool's real servers that are up carry at least `quorum` weight (the sorry server and
    /// quorum_down run when they do not).
    public var quorumUp: Bool
    /// Each real server of the block.
    public var realServers: [RealServerStatus]

    public init(name: String, services: [ServiceStatus], quorumUp: Bool, realServers: [RealServerStatus]) {
        self.name = name
        self.services = services
        self.quorumUp = quorumUp
        self.realServers = realServers
    }
}

/// One kernel service: "TCP 192.0.2.100:80", "UDP [2001:db8::100]:53", "FWM 1" ("FWM 1 IPv6" for an IPv6 mark).
public struct ServiceStatus: Codable, Sendable, Equatable {
    public var service: String
    public var scheduler: String
    /// False when the kernel does not hold it now (ipvsd could not add it, or it was removed behind its back).
    public var inKernel: Bool
    /// The kernel's counters for it; absent when it is not in the kernel.
    public var counters: TrafficCounters?
    /// Each destination the kernel holds for it, by address.
    public var destinations: [DestinationStatus]

    public init(service: String, scheduler: String, inKernel: Bool, counters: TrafficCounters? = nil,
                destinations: [DestinationStatus] = []) {
        self.service = service
        self.scheduler = scheduler
        self.inKernel = inKernel
        self.counters = counters
        self.destinations = destinations
    }
}

/// One destination of one kernel service, as the kernel holds it.
public struct DestinationStatus: Codable, Sendable, Equatable {
    /// "192.0.2.11:80", "[2001:db8::11]:80".
    public var address: String
    /// "masq", "route", "tunnel" (ipvsadm -Ln's Masq/Route/Tunnel).
    public var forwarding: String
    /// The weight the kernel schedules with (0: no new connections).
    public var weight: Int
    public var activeConnections: Int
    public var inactiveConnections: Int
    public var counters: TrafficCounters

    public init(address: String, forwarding: String, weight: Int, activeConnections: Int, inactiveConnections: Int,
                counters: TrafficCounters) {
        self.address = address
        self.forwarding = forwarding
        self.weight = weight
        self.activeConnections = activeConnections
        self.inactiveConnections = inactiveConnections
        self.counters = counters
    }
}

/// One real_server of a virtual server as ipvsd decides it.
public struct RealServerStatus: Codable, Sendable, Equatable {
    /// "192.0.2.11:80", "[2001:db8::11]:80": the port it has in the block's first service (checkd's
    /// realServerChecks name it the same way).
    public var address: String
    /// "up", "down" (checkd's last verdict; before its first one, the start state: up, or down under alpha),
    /// "unchecked" (no checker: always in the table), "provisional" (no
    /// verdict from checkd since ipvsd started: kept as the kernel had it), "sorry" (the sorry server).
    public var health: String
    /// The weight configured (or the last one checkd reported, for MISC_CHECK's misc_dynamic).
    /// 1 for the sorry server, which is installed with weight 1.
    public var weight: Int
    /// In the kernel now for every service of the block (false: for none or only some), at weight 0 too
    /// (inhibit_on_failure): the kernel's weight is the first service's destination of the same address.
    public var inKernel: Bool

    public init(address: String, health: String, weight: Int, inKernel: Bool) {
        self.address = address
        self.health = health
        self.weight = weight
        self.inKernel = inKernel
    }
}

/// IPVS's counters of a service or destination (`ipvsadm -Ln --stats --rate`): totals since it was added, and
/// the kernel's estimated rates per second.
public struct TrafficCounters: Codable, Sendable, Equatable {
    public var connections: UInt64
    public var inPackets: UInt64
    public var outPackets: UInt64
    public var inBytes: UInt64
    public var outBytes: UInt64
    public var connectionsPerSecond: UInt64
    public var inPacketsPerSecond: UInt64
    public var outPacketsPerSecond: UInt64
    public var inBytesPerSecond: UInt64
    public var outBytesPerSecond: UInt64

    public init(connections: UInt64 = 0, inPackets: UInt64 = 0, outPackets: UInt64 = 0, inBytes: UInt64 = 0,
                outBytes: UInt64 = 0, connectionsPerSecond: UInt64 = 0, inPacketsPerSecond: UInt64 = 0,
                outPacketsPerSecond: UInt64 = 0, inBytesPerSecond: UInt64 = 0, outBytesPerSecond: UInt64 = 0) {
        self.connections = connections
        self.inPackets = inPackets
        self.outPackets = outPackets
        self.inBytes = inBytes
        self.outBytes = outBytes
        self.connectionsPerSecond = connectionsPerSecond
        self.inPacketsPerSecond = inPacketsPerSecond
        self.outPacketsPerSecond = outPacketsPerSecond
        self.inBytesPerSecond = inBytesPerSecond
        self.outBytesPerSecond = outBytesPerSecond
    }
}

/// The connection-sync daemon (lvs_sync_daemon) as configured and as the kernel runs it.
public struct SyncDaemonStatus: Codable, Sendable, Equatable {
    /// The configured interface, syncid and the vrrp_instance it follows.
    public var interface: String
    public var syncID: Int
    public var instance: String?
    /// What the kernel runs now: "master", "backup", both, or none (empty).
    public var running: [String]

    public init(interface: String, syncID: Int, instance: String?, running: [String]) {
        self.interface = interface
        self.syncID = syncID
        self.instance = instance
        self.running = running
    }
}
