/// What every daemon reports about itself on its control socket: a pure value, filled by DaemonKit.
public struct DaemonStatus: Codable, Sendable, Equatable {
    /// "vrrpd", "ipvsd" or "checkd".
    public var name: String
    /// The suite's version (DaemonKit's TandemVersion).
    public var version: String
    public var pid: Int32
    /// Seconds since the Unix epoch when the daemon started.
    public var startedAt: Double
    /// Seconds the daemon has been running when it answered.
    public var uptimeSeconds: Double
    /// The keepalived.conf the daemon runs (its -f).
    public var configFile: String
    /// Seconds since the Unix epoch when that file was last read successfully (start or reload).
    public var configLoadedAt: Double
    /// The daemon's -i/--config-id (keepalived's @ID lines), when it was given one.
    public var configID: String?
    /// The daemon's connections to its peers, one entry per peer it talks to.
    public var peers: [PeerLink]
    /// Requests refused on the control socket (malformed or oversized) since start.
    public var malformedRequests: Int
    /// Control connections refused because of who the peer is, since start.
    public var refusedConnections: Int
    /// vrrpd only: each vrrp_instance's state and priority now; absent from the other daemons.
    public var instances: [InstanceStatus]?
    /// vrrpd only: received VRRP packets dropped since start, by reason (VRRPDropReason's raw values, only those
    /// with a count); absent from the other daemons.
    public var droppedAdverts: [String: UInt64]?
    /// ipvsd only: each virtual server, configured and in the kernel; absent from the other daemons.
    public var virtualServers: [VirtualServerStatus]?
    /// ipvsd only: why the kernel's table could not be read for this answer (virtualServers then show the
    /// configuration alone).
    public var kernelError: String?
    /// ipvsd only, when lvs_sync_daemon is configured.
    public var syncDaemon: SyncDaemonStatus?
    /// checkd only: each checked real server and its checkers; absent from the other daemons.
    public var realServerChecks: [RealServerCheckStatus]?
    /// checkd only: each vrrp_script some instance tracks.
    public var trackScripts: [TrackScriptStatus]?
    /// vrrpd only, when the configuration has tandem_announce blocks: each address, announced or why not.
    public var announcements: [AnnouncementStatus]?

    public init(name: String, version: String, pid: Int32, startedAt: Double, uptimeSeconds: Double,
                configFile: String, configLoadedAt: Double, peers: [PeerLink] = [],
                malformedRequests: Int = 0, refusedConnections: Int = 0) {
        self.name = name
        self.version = version
        self.pid = pid
        self.startedAt = startedAt
        self.uptimeSeconds = uptimeSeconds
        self.configFile = configFile
        self.configLoadedAt = configLoadedAt
        self.peers = peers
        self.malformedRequests = malformedRequests
        self.refusedConnections = refusedConnections
    }
}

/// One tandem_announce address as vrrpd serves and publishes it.
public struct AnnouncementStatus: Codable, Sendable, Equatable {
    public var address: String
    /// The tandem_announce block's name.
    public var block: String
    /// The kernel table its route goes in while it is announced.
    public var table: UInt32
    /// Published to the routing daemon now.
    public var announced: Bool
    /// Served here now (its local route is in place).
    public var served: Bool
    /// Why it is not announced, when it is not ("TCP 203.0.113.10:80 has lost its quorum", "vrrpd is stopping").
    public var reason: String?

    public init(address: String, block: String, table: UInt32, announced: Bool, served: Bool, reason: String?) {
        self.address = address
        self.block = block
        self.table = table
        self.announced = announced
        self.served = served
        self.reason = reason
    }
}

/// One peer connection as the reporting daemon sees it.
public struct PeerLink: Codable, Sendable, Equatable {
    /// The peer daemon's name.
    public var peer: String
    public var connected: Bool

    public init(peer: String, connected: Bool) {
        self.peer = peer
        self.connected = connected
    }
}

/// One vrrp_instance as vrrpd runs it now.
public struct InstanceStatus: Codable, Sendable, Equatable {
    public var name: String
    /// "initialize", "backup", "master" or "fault".
    public var state: String
    /// The priority it advertises (after tracking).
    public var effectivePriority: Int
    /// A planned handover (switchover or stop) now: "handing-over" (Master advertising priority 0, waiting for
    /// the peer), "lingering" (Backup still holding the addresses a moment), "held-back" (Backup, not preempting
    /// until `tandemctl resume`); absent otherwise.
    public var handover: String?
    /// How the last handover of this instance ended: "completed", "no-peer-answered", "not-master" or
    /// "interrupted"; absent when there was none since start.
    public var lastHandover: String?
    /// The new Master's address when the last handover completed and this instance saw its advert.
    public var lastHandoverTo: String?
    /// The configured priority, before tracking.
    public var basePriority: Int?
    /// Seconds since the Unix epoch of the last state change, and why it happened (VRRPTransitionReason's
    /// raw values: "startup", "masterDown", "higherPriorityAdvert", "handedOver", ...).
    public var since: Double?
    public var reason: String?
    /// The Master as this Backup last heard it in an advert: address and priority; absent when Master or none heard.
    public var masterAddress: String?
    public var masterPriority: Int?
    /// The vrrp_sync_group it belongs to.
    public var syncGroup: String?
    /// Each virtual (and excluded) address, and whether it is on its interface now.
    public var addresses: [AddressStatus]?
    /// Each tracked script and interface and what it does to the priority now.
    public var tracking: [TrackStatus]?
    /// Adverts this instance sent, and adverts for its VRID accepted from other routers, since start.
    public var advertsSent: UInt64?
    public var advertsReceived: UInt64?
    /// State changes since start, and how many of them were to MASTER.
    public var transitions: Int?
    public var becameMaster: Int?
    /// The last advert another router sent as MASTER while this instance was MASTER too: its address, priority,
    /// and when (seconds since the Unix epoch); absent when that never happened since start.
    public var otherMasterAddress: String?
    public var otherMasterPriority: Int?
    public var otherMasterSeenAt: Double?
    /// How many of the last three such adverts came in the 5 s before this answer (3: it lasts).
    public var otherMasterRecentAdverts: Int?
    /// Packets for this instance's VRID dropped since start, by reason (VRRPDropReason's raw values), and the
    /// last one's reason and time; absent when none was.
    public var droppedAdverts: [String: UInt64]?
    public var lastDropReason: String?
    public var lastDropAt: Double?
    /// How many of the last three such drops happened in the 5 s before this answer (3: it lasts).
    public var recentDrops: Int?

    public init(name: String, state: String, effectivePriority: Int, handover: String? = nil,
                lastHandover: String? = nil, lastHandoverTo: String? = nil) {
        self.name = name
        self.state = state
        self.effectivePriority = effectivePriority
        self.handover = handover
        self.lastHandover = lastHandover
        self.lastHandoverTo = lastHandoverTo
    }
}

/// One address of an instance and whether the kernel has it on its interface.
public struct AddressStatus: Codable, Sendable, Equatable {
    /// "192.0.2.100/32".
    public var address: String
    public var interface: String
    public var present: Bool

    public init(address: String, interface: String, present: Bool) {
        self.address = address
        self.interface = interface
        self.present = present
    }
}

/// One tracked script or interface of an instance.
public struct TrackStatus: Codable, Sendable, Equatable {
    /// "script" or "interface".
    public var kind: String
    public var name: String
    /// "ok"/"failed"/"pending" (script), "up"/"down" (interface).
    public var status: String
    public var weight: Int
    public var reverse: Bool
    /// What it adds to the base priority now (negative lowers it).
    public var adds: Int
    /// It holds the instance in FAULT (weight 0 and not good, or pending).
    public var faults: Bool

    public init(kind: String, name: String, status: String, weight: Int, reverse: Bool, adds: Int, faults: Bool) {
        self.kind = kind
        self.name = name
        self.status = status
        self.weight = weight
        self.reverse = reverse
        self.adds = adds
        self.faults = faults
    }
}
