// What the kernel reports beside the configured table: counters, version, daemons, timeouts.

import Vocabulary

/// Traffic counters of a service or destination (IPVS_STATS_ATTR_*), widened to 64 bits.
public struct IPVSStats: Hashable, Sendable {
    public var connections: UInt64 = 0
    public var inPackets: UInt64 = 0
    public var outPackets: UInt64 = 0
    public var inBytes: UInt64 = 0
    public var outBytes: UInt64 = 0
    public var connectionRate: UInt64 = 0
    public var inPacketRate: UInt64 = 0
    public var outPacketRate: UInt64 = 0
    public var inByteRate: UInt64 = 0
    public var outByteRate: UInt64 = 0

    public init() {}
}

/// One service from a GET_SERVICE dump, with its counters.
public struct IPVSServiceEntry: Hashable, Sendable {
    public var service: IPVSService
    public var stats: IPVSStats

    public init(service: IPVSService, stats: IPVSStats = IPVSStats()) {
        self.service = service
        self.stats = stats
    }
}

/// One destination from a GET_DEST dump, with its connection counts and counters.
public struct IPVSDestinationEntry: Hashable, Sendable {
    public var destination: IPVSDestination
    public var activeConnections: UInt32
    public var inactiveConnections: UInt32
    public var persistentConnections: UInt32
    public var stats: IPVSStats

    public init(destination: IPVSDestination, activeConnections: UInt32 = 0, inactiveConnections: UInt32 = 0,
                persistentConnections: UInt32 = 0, stats: IPVSStats = IPVSStats()) {
        self.destination = destination
        self.activeConnections = activeConnections
        self.inactiveConnections = inactiveConnections
        self.persistentConnections = persistentConnections
        self.stats = stats
    }
}

/// The GET_INFO answer: IPVS version and connection hash table size.
public struct IPVSInfo: Hashable, Sendable {
    /// Version as 0x00MMmmpp (e.g. 0x010201 is 1.2.1).
    public var version: UInt32
    public var connectionTableSize: UInt32

    public init(version: UInt32, connectionTableSize: UInt32) {
        self.version = version
        self.connectionTableSize = connectionTableSize
    }

    /// The version as "major.minor.patch".
    public var versionString: String { "\(version >> 16 & 0xff).\(version >> 8 & 0xff).\(version & 0xff)" }
}

/// Role of a connection-synchronisation daemon (IP_VS_STATE_MASTER / _BACKUP).
public enum IPVSSyncState: UInt32, Hashable, Sendable {
    case master = 1
    case backup = 2
}

/// A connection-synchronisation daemon: role, interface, sync id and optional multicast tuning.
public struct IPVSSyncDaemon: Hashable, Sendable {
    public var state: IPVSSyncState
    /// Multicast interface name; at most 15 bytes.
    public var interface: String
    public var syncID: UInt32
    /// Largest sync message payload; nil lets the kernel choose.
    public var maxPayload: UInt16?
    /// Multicast group (IPv4 or IPv6); nil for the default 224.0.0.81.
    public var group: IPAddress?
    /// Multicast UDP port; nil for the default 8848.
    public var port: UInt16?
    /// Multicast TTL; nil for the default 1.
    public var ttl: UInt8?

    public init(state: IPVSSyncState, interface: String, syncID: UInt32, maxPayload: UInt16? = nil,
                group: IPAddress? = nil, port: UInt16? = nil, ttl: UInt8? = nil) {
        self.state = state
        self.interface = interface
        self.syncID = syncID
        self.maxPayload = maxPayload
        self.group = group
        self.port = port
        self.ttl = ttl
    }
}
