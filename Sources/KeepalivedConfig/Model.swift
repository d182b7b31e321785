/// A keepalived.conf, read and checked: what every daemon takes its own part of.

import Vocabulary
public struct KeepalivedConfiguration: Sendable {
    public var global = GlobalDefinitions()
    public var vrrpScripts: [VRRPScript] = []
    public var syncGroups: [VRRPSyncGroup] = []
    public var vrrpInstances: [VRRPInstanceDefinition] = []
    public var virtualServerGroups: [VirtualServerGroup] = []
    public var virtualServers: [VirtualServer] = []
    /// `garp_group` blocks, in order.
    public var garpGroups: [GARPGroup] = []
    /// Top-level `static_ipaddress`, `static_routes`, `static_rules`: keepalived installs them at start,
    /// whatever the VRRP state.
    public var staticAddresses: [VirtualIPAddress] = []
    public var staticRoutes: [RouteDefinition] = []
    public var staticRules: [RuleDefinition] = []
    /// Top-level `track_file` blocks (`vrrp_track_file`, the older name), in order.
    public var trackFiles: [TrackFile] = []
    /// `tandem_announce` blocks (a tandem extension), in order.
    public var announcements: [HealthAnnouncement] = []
    /// Every file that was read, main file first (for reload and for messages).
    public var files: [String] = []

    public init() {}

    public func vrrpScript(named name: String) -> VRRPScript? { vrrpScripts.first { $0.name == name } }
    public func vrrpInstance(named name: String) -> VRRPInstanceDefinition? { vrrpInstances.first { $0.name == name } }
    public func virtualServerGroup(named name: String) -> VirtualServerGroup? {
        virtualServerGroups.first { $0.name == name }
    }
    public func trackFile(named name: String) -> TrackFile? { trackFiles.first { $0.name == name } }
}

/// `tandem_announce NAME { ... }` (tandem's extension, AnnouncementReader.swift): addresses this director serves
/// and announces to its routers while everything it tracks is healthy. Each address is served locally (IPVS
/// takes its packets) from start to stop, and published as a route in `table`, which the routing daemon (FRR's
/// zebra: `ip import-table`) imports and announces; the route goes when the address is unhealthy, or first thing
/// when vrrpd stops, `withdrawDelay` before the address stops being served.
public struct HealthAnnouncement: Hashable, Sendable {
    public var name: String
    public var addresses: [IPAddress] = []
    /// vrrp_script names: every one must pass.
    public var trackScripts: [String] = []
    /// Interface names: every one must be up with carrier.
    public var trackInterfaces: [String] = []
    public var table: UInt32 = HealthAnnouncement.defaultTable
    public var withdrawDelay: Duration = HealthAnnouncement.defaultWithdrawDelay
    public var location: ConfigLocation

    public static let defaultTable: UInt32 = 200
    public static let defaultWithdrawDelay: Duration = .seconds(5)
    /// A stop waits this long at most; systemd's stop timeout (90 s by default) must leave room for it.
    public static let longestWithdrawDelay: Duration = .seconds(60)

    public init(name: String, location: ConfigLocation) {
        self.name = name
        self.location = location
    }
}

/// `track_file NAME { file PATH  weight N [reverse]  init_file [VALUE] [overwrite] }`: a number in a file that
/// FILE_CHECK (and keepalived's vrrp_instance track_file) follows.
public struct TrackFile: Hashable, Sendable {
    public var name: String
    public var path: String?
    /// -254...254, 1 unless given: the weight a FILE_CHECK without its own takes.
    public var weight = 1
    public var reverse = false
    /// `init_file [VALUE]`: the value written at start when the file does not exist; nil without init_file.
    public var initialValue: Int?
    /// `init_file ... overwrite`: written even when the file exists (not on a reload).
    public var overwrite = false
    public var location: ConfigLocation

    public init(name: String, location: ConfigLocation) {
        self.name = name
        self.location = location
    }
}

/// A program to run, as written and as the argument vector it is executed with (no shell is involved
/// unless the command names one).
public struct ScriptCommand: Hashable, Sendable {
    public var text: String
    public var arguments: [String]
    /// `notify_* "cmd" user [group]`: run as this user instead of script_user.
    public var user: String?
    public var group: String?
    public var location: ConfigLocation

    public init(text: String, arguments: [String], user: String? = nil, group: String? = nil,
                location: ConfigLocation) {
        self.text = text
        self.arguments = arguments
        self.user = user
        self.group = group
        self.location = location
    }
}

public struct GlobalDefinitions: Sendable {
    public var routerID: String?
    /// `lvs_timeouts tcp N tcpfin N udp N`: the kernel's connection timeouts in seconds (`ipvsadm --set`); nil
    /// leaves one as the kernel has it.
    public var lvsTimeouts = LVSTimeouts()
    public var notificationEmails: [String] = []
    public var notificationEmailFrom: String?
    public var smtpServer: String?
    public var smtpPort: UInt16 = 25
    public var smtpConnectTimeout: Duration = .seconds(30)
    public var vrrpMulticastGroup4 = IPAddress("224.0.0.18")!
    public var vrrpMulticastGroup6 = IPAddress("ff02::12")!
    public var scriptUser: String?
    public var scriptGroup: String?
    public var enableScriptSecurity = false
    /// `checker_log_all_failures`: every checker logs each failed attempt while it is up (see HealthCheck).
    public var checkerLogAllFailures = false
    public var lvsSyncDaemon: LVSSyncDaemon?
    /// `lvs_flush_on_stop`: clear the managed IPVS services when ipvsd stops (default: leave them).
    public var lvsFlushOnStop = false
    /// `vrrp_version`: the default for instances that do not say.
    public var vrrpVersion = 2
    /// `vrrp_garp_master_*`: what instances read after this start from.
    public var garpMaster = GARPMasterTiming()
    /// `vrrp_garp_lower_prio_delay`/`_repeat`; nil: `garpMaster`'s delay and repeat.
    public var garpLowerPriorityDelay: Duration?
    public var garpLowerPriorityRepeat: Int?
    /// `vrrp_garp_interval`, `vrrp_gna_interval`: the least time between two announcements on an interface
    /// without a `garp_group` (zero: none).
    public var garpInterval: Duration = .zero
    public var gnaInterval: Duration = .zero
    /// `vrrp_check_unicast_src`: every unicast instance drops adverts from sources not in its `unicast_peer`.
    public var checkUnicastSource = false
    /// `vrrp_lower_prio_no_advert`: a MASTER hearing a lower priority does not answer with an advert.
    public var lowerPriorityNoAdvert = false
    /// `vrrp_higher_prio_send_advert`: a MASTER hearing a higher priority sends one advert before yielding.
    /// On by default, unlike keepalived (off): after a split brain, the Master whose advert crosses first would
    /// otherwise never hear the other one, never re-announce, and leave the neighbours that followed the other's
    /// GARPs pointing at a node without the VIP until their cache expires. `vrrp_higher_prio_send_advert false`
    /// gives keepalived's adverts back.
    public var higherPrioritySendAdvert = true

    public init() {}
}

/// `lvs_sync_daemon INTERFACE VRRP_INSTANCE [id N] [maxlen N] [port N] [ttl N] [group ADDR]`.
public struct LVSSyncDaemon: Hashable, Sendable {
    public var interface: String
    public var vrrpInstance: String
    public var syncID: UInt8 = 0
    public var maximumLength: UInt16?
    public var port: UInt16?
    public var ttl: UInt8?
    public var group: IPAddress?
    public var location: ConfigLocation
}

/// `vrrp_script NAME { ... }`: a command whose exit status changes the priority of the instances tracking it.
public struct VRRPScript: Sendable {
    public var name: String
    public var command: ScriptCommand?
    public var interval: Duration = .seconds(1)
    /// Defaults to the interval, as in keepalived.
    public var timeout: Duration?
    public var weight: Int = 0
    /// `weight N reverse`: the weight applies while the script succeeds... inverted.
    public var weightReversed = false
    public var fall: Int = 1
    public var rise: Int = 1
    public var user: String?
    public var group: String?
    public var location: ConfigLocation

    public var effectiveTimeout: Duration { timeout ?? interval }
}

public enum VRRPStartState: String, Sendable, Hashable {
    case master = "MASTER"
    case backup = "BACKUP"
}

/// `vrrp_sync_group NAME { group { ... } notify_* }`: instances that change state together.
public struct VRRPSyncGroup: Sendable {
    public var name: String
    public var members: [String] = []
    /// `track_interface` / `track_script` of the group: every member tracks them.
    public var trackInterfaces: [TrackInterfaceReference] = []
    public var trackScripts: [TrackScriptReference] = []
    /// `sync_group_tracking_weight` (or the older `global_tracking`): members keep their own weighted tracking.
    public var trackingWeight = false
    public var notifyMaster: ScriptCommand?
    public var notifyBackup: ScriptCommand?
    public var notifyFault: ScriptCommand?
    public var notifyStop: ScriptCommand?
    public var notify: ScriptCommand?
    public var location: ConfigLocation
}

/// One address of `virtual_ipaddress`: `ADDR[/PREFIX] [dev IF] [label LABEL] [brd ADDR] [scope SCOPE]`.
public struct VirtualIPAddress: Hashable, Sendable {
    public var address: IPAddress
    public var prefixLength: Int
    public var device: String?
    public var label: String?
    /// `brd ADDR`, or the one `brd +` (all host bits set) or `brd -` (none) works out; nil: no broadcast address,
    /// as keepalived adds none unless asked.
    public var broadcast: IPAddress?
    /// `scope NAME|N` (iproute2's rt_scopes); nil: global (universe, 0). IPv4 only, as in keepalived.
    public var scope: UInt8?
    /// `no_track`: the address's interface going down does not put the instance in FAULT.
    public var noTrack = false
    public var location: ConfigLocation
}

public struct TrackScriptReference: Hashable, Sendable {
    public var name: String
    /// `track_script { NAME weight N }` overrides the script's own weight.
    public var weight: Int?
    /// `weight N reverse` (true) or `weight N noreverse` (false) overrides the script's own `reverse`.
    public var reverse: Bool?
    public var location: ConfigLocation
    /// Listed in the instance's vrrp_sync_group rather than in the instance (copied to each member).
    public var fromSyncGroup = false
}

public struct TrackInterfaceReference: Hashable, Sendable {
    public var name: String
    /// 0: the interface going down puts the instance in FAULT; otherwise the priority moves by the weight.
    public var weight: Int
    /// `weight N reverse`: the weight applies in the opposite state (and weight 0 faults while the link is up).
    public var reverse: Bool
    public var location: ConfigLocation
    /// Listed in the instance's vrrp_sync_group rather than in the instance (copied to each member).
    public var fromSyncGroup = false
}

public enum ConfiguredAuthentication: Hashable, Sendable {
    case none
    /// VRRPv2 simple text password, at most 8 bytes on the wire.
    case password(String)
    /// `auth_type AH` (IPsec AH, RFC 2402), which tandem does not implement. Only where it was written is kept, so
    /// the validator can refuse it there; the key is dropped so nothing can ever send it.
    case ah(location: ConfigLocation)
}

/// `vrrp_instance NAME { ... }`.
public struct VRRPInstanceDefinition: Sendable {
    public var name: String
    /// `state`, nil when not given (see `startState`).
    public var initialState: VRRPStartState?
    public var interface: String?
    public var virtualRouterID: Int?
    /// `priority`, nil when not given (see `basePriority`).
    public var priority: Int?
    public var advertInterval: Duration = .seconds(1)
    public var version: Int?
    public var authentication: ConfiguredAuthentication = .none
    public var virtualIPAddresses: [VirtualIPAddress] = []
    /// `virtual_ipaddress_excluded`: added and removed with the VIPs, of either family, never in adverts.
    public var excludedVirtualIPAddresses: [VirtualIPAddress] = []
    /// `virtual_routes`, `virtual_rules`: keepalived installs them while the instance is MASTER.
    public var virtualRoutes: [RouteDefinition] = []
    public var virtualRules: [RuleDefinition] = []
    /// `mcast_src_ip` or `unicast_src_ip` (one setting in keepalived; the last written wins): the adverts' source
    /// address, also compared on equal priority. nil: the interface's primary address.
    public var sourceIP: IPAddress?
    public var unicastPeers: [IPAddress] = []
    /// `lvs_sync_daemon_interface IF` (deprecated in keepalived, still honoured): the global `lvs_sync_daemon IF
    /// THIS_INSTANCE`, unless one is already set; the loader moves it into `GlobalDefinitions.lvsSyncDaemon`.
    public var lvsSyncDaemonInterface: (name: String, location: ConfigLocation)?
    /// `check_unicast_src`: drop adverts from sources not in `unicastPeers` (global_defs' `vrrp_check_unicast_src`
    /// turns it on for every instance).
    public var checkUnicastSource = false
    public var nopreempt = false
    public var preemptDelay: Duration = .zero
    public var trackScripts: [TrackScriptReference] = []
    public var trackInterfaces: [TrackInterfaceReference] = []
    /// `dont_track_primary`: the instance's own interface going down does not put it in FAULT.
    public var dontTrackPrimary = false
    public var notifyMaster: ScriptCommand?
    public var notifyBackup: ScriptCommand?
    public var notifyFault: ScriptCommand?
    public var notifyStop: ScriptCommand?
    public var notify: ScriptCommand?
    /// `garp_master_*`: global_defs' `vrrp_garp_master_*` as they stood when the instance was read, then its own.
    public var garpMaster = GARPMasterTiming()
    /// `garp_lower_prio_delay`/`_repeat`, `lower_prio_no_advert`, `higher_prio_send_advert` as written; nil:
    /// global_defs' value applies (`garpLowerPriorityRepeat(_:)` and the others resolve them).
    public var garpLowerPriorityDelaySetting: Duration?
    public var garpLowerPriorityRepeatSetting: Int?
    public var lowerPriorityNoAdvertSetting: Bool?
    public var higherPrioritySendAdvertSetting: Bool?
    public var location: ConfigLocation

    /// keepalived's vrrp_complete_instance: without `priority`, `state MASTER` makes the address owner (255) and
    /// anything else 100.
    public var basePriority: Int { priority ?? (initialState == .master ? 255 : 100) }
    /// keepalived's vrrp_complete_instance: without `state`, the address owner starts as MASTER, others as BACKUP.
    public var startState: VRRPStartState { initialState ?? (basePriority == 255 ? .master : .backup) }

    /// The VRRP version in force: the instance's; else 3 for an IPv6 instance (keepalived's
    /// vrrp_complete_instance, whatever vrrp_version says), else global_defs' vrrp_version, else 2.
    public func effectiveVersion(_ global: GlobalDefinitions) -> Int { version ?? (family == .ipv6 ? 3 : global.vrrpVersion) }
    /// The address family of the instance, from its first VIP (keepalived: all VIPs of one family).
    public var family: IPAddressFamily { virtualIPAddresses.first?.address.family ?? .ipv4 }
}

/// The kernel's forwarding methods (`lb_kind` / `lvs_method`).
public enum ForwardingMethod: String, Sendable, Hashable {
    case nat = "NAT", directRouting = "DR", tunnel = "TUN"
}

/// What a `virtual_server` line names.
public enum VirtualServerAddress: Hashable, Sendable, CustomStringConvertible {
    case address(IPAddress, port: UInt16)
    case firewallMark(UInt32)
    case group(String)

    public var description: String {
        switch self {
        case .address(let ip, let port): return ip.family == .ipv4 ? "\(ip):\(port)" : "[\(ip)]:\(port)"
        case .firewallMark(let mark): return "fwmark \(mark)"
        case .group(let name): return "group \(name)"
        }
    }
}

public struct SorryServer: Hashable, Sendable {
    public var address: IPAddress
    public var port: UInt16?
    public var forwarding: ForwardingMethod?
    public var inhibit = false
}

/// Timings and retry rules shared by virtual servers, real servers and checks; the innermost setting wins.
public struct CheckTiming: Hashable, Sendable {
    // Stored as whole nanoseconds with a sentinel for "not set": 8 bytes a field instead of an optional Duration's
    // 24. Every virtual server, real server and checker carries a timing, so at 100,000 real servers this is
    // most of the difference between the model fitting a small LB's memory or not.
    private static let unset = Int64.min
    private var delayLoopNanoseconds = unset
    private var connectTimeoutNanoseconds = unset
    private var retryCount = unset
    private var delayBeforeRetryNanoseconds = unset
    private var warmupNanoseconds = unset

    public var delayLoop: Duration? {
        get { Self.duration(delayLoopNanoseconds) }
        set { delayLoopNanoseconds = Self.nanoseconds(newValue) }
    }
    public var connectTimeout: Duration? {
        get { Self.duration(connectTimeoutNanoseconds) }
        set { connectTimeoutNanoseconds = Self.nanoseconds(newValue) }
    }
    public var retry: Int? {
        get { retryCount == Self.unset ? nil : Int(retryCount) }
        set { retryCount = newValue.map { Int64(clamping: $0) } ?? Self.unset }
    }
    public var delayBeforeRetry: Duration? {
        get { Self.duration(delayBeforeRetryNanoseconds) }
        set { delayBeforeRetryNanoseconds = Self.nanoseconds(newValue) }
    }
    public var warmup: Duration? {
        get { Self.duration(warmupNanoseconds) }
        set { warmupNanoseconds = Self.nanoseconds(newValue) }
    }

    public init() {}

    private static func duration(_ nanoseconds: Int64) -> Duration? {
        nanoseconds == unset ? nil : .nanoseconds(nanoseconds)
    }

    /// Whole nanoseconds, saturating: no sane timing is near the 292 years an Int64 of nanoseconds holds.
    private static func nanoseconds(_ duration: Duration?) -> Int64 {
        guard let duration else { return unset }
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? unset + 1 : .max }
        let (total, overflow2) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds < 0 ? unset + 1 : .max }
        return max(total, unset + 1)
    }

    /// This level's settings over `outer`'s.
    public func over(_ outer: CheckTiming) -> CheckTiming {
        var merged = outer
        if let delayLoop { merged.delayLoop = delayLoop }
        if let connectTimeout { merged.connectTimeout = connectTimeout }
        if let retry { merged.retry = retry }
        if let delayBeforeRetry { merged.delayBeforeRetry = delayBeforeRetry }
        if let warmup { merged.warmup = warmup }
        return merged
    }
}

/// `url { path ...; status_code ...; digest ... }` of HTTP_GET and SSL_GET.
public struct HTTPCheckURL: Hashable, Sendable {
    public var path: String = "/"
    /// Accepted status codes; empty means keepalived's default, any 2xx.
    public var statusCodes: [ClosedRange<Int>] = []
    /// MD5 of the body in lower-case hex, as keepalived's genhash prints it.
    public var digest: String?
    public var virtualHost: String?
    public var location: ConfigLocation

    public func accepts(status: Int) -> Bool {
        statusCodes.isEmpty ? (200...299).contains(status) : statusCodes.contains { $0.contains(status) }
    }
}

public enum HealthCheckKind: Hashable, Sendable {
    case tcp
    case http(urls: [HTTPCheckURL])
    case ssl(urls: [HTTPCheckURL])
    /// `misc_dynamic`: exit status 2-255 sets the weight to status − 2.
    /// Boxed (indirect): its script is ~110 bytes, which every TCP/HTTP check would otherwise carry inline.
    indirect case misc(command: ScriptCommand?, timeout: Duration?, dynamic: Bool)
    /// UDP_CHECK, DNS_CHECK, SMTP_CHECK: boxed too, for the same reason.
    indirect case udp(UDPCheckSettings)
    indirect case dns(DNSCheckSettings)
    indirect case smtp(SMTPCheckSettings)
    /// PING_CHECK: an ICMP echo through an unprivileged datagram socket.
    case ping
    /// FILE_CHECK: the number in a track_file's file sets the verdict and the weight.
    indirect case file(FileCheckSettings)
}

/// One checker block of a real server with every timing resolved against its real and virtual server.
public struct HealthCheck: Hashable, Sendable {
    public var kind: HealthCheckKind
    public var connectIP: IPAddress?
    public var connectPort: UInt16?
    public var bindTo: IPAddress?
    public var bindPort: UInt16?
    public var virtualHost: String?
    /// SSL_GET: verify the server certificate (keepalived does not by default).
    public var verifyCertificate = false
    /// `log_all_failures`: log each failed attempt while the checker is up (the retries before it goes down),
    /// not only its changes; nil: global_defs' checker_log_all_failures.
    public var logAllFailures: Bool?
    public var timing = CheckTiming()
    public var location: ConfigLocation

    public var name: String {
        switch kind {
        case .tcp: return "TCP_CHECK"
        case .http: return "HTTP_GET"
        case .ssl: return "SSL_GET"
        case .misc: return "MISC_CHECK"
        case .udp: return "UDP_CHECK"
        case .dns: return "DNS_CHECK"
        case .smtp: return "SMTP_CHECK"
        case .ping: return "PING_CHECK"
        case .file: return "FILE_CHECK"
        }
    }
}

/// `real_server ADDR [PORT] { ... }`.
public struct RealServer: Sendable {
    public var address: IPAddress
    public var port: UInt16?
    /// The real server's own `weight` line, if it has one.
    public var declaredWeight: Int?
    /// The virtual server's `weight` (keepalived's default for real servers without their own), filled in by
    /// `VirtualServerCompletion`.
    public var inheritedWeight: Int = 1
    /// The weight in force: its own, else the virtual server's (1 unless the virtual server says otherwise).
    public var weight: Int { declaredWeight ?? inheritedWeight }
    public var forwarding: ForwardingMethod?
    public var inhibitOnFailure: Bool?
    public var upperThreshold: UInt32?
    public var lowerThreshold: UInt32?
    public var alpha: Bool?
    public var timing = CheckTiming()
    public var checks: [HealthCheck] = []
    public var location: ConfigLocation
    init(address: IPAddress, port: UInt16?, location: ConfigLocation) {
        self.address = address
        self.port = port
        self.location = location
    }

    /// notify_up and notify_down, boxed: rare, and 176 bytes inline in each of possibly 100,000 real servers.
    private var notifyScripts: NotifyScripts?

    public var notifyUp: ScriptCommand? {
        get { notifyScripts?.up }
        set { notifyScripts = NotifyScripts.make(up: newValue, down: notifyDown) }
    }
    public var notifyDown: ScriptCommand? {
        get { notifyScripts?.down }
        set { notifyScripts = NotifyScripts.make(up: notifyUp, down: newValue) }
    }

    /// Immutable, so copies of a real server share it safely; a change makes a new box.
    private final class NotifyScripts: Sendable {
        let up: ScriptCommand?
        let down: ScriptCommand?

        private init(up: ScriptCommand?, down: ScriptCommand?) {
            self.up = up
            self.down = down
        }

        static func make(up: ScriptCommand?, down: ScriptCommand?) -> NotifyScripts? {
            up == nil && down == nil ? nil : NotifyScripts(up: up, down: down)
        }
    }
}

/// `virtual_server (ADDR PORT | fwmark N | group NAME) { ... }`.
public struct VirtualServer: Sendable {
    public var address: VirtualServerAddress
    public var scheduler: String = "wlc"
    public var forwarding: ForwardingMethod = .nat
    /// Seconds; nil (also for `persistence_timeout 0`) means no persistence.
    public var persistenceTimeout: UInt32?
    public var persistenceGranularity: PersistenceGranularity?
    /// The `protocol` line; nil when there is none (completed by `VirtualServerCompletion` as keepalived does).
    public var declaredProtocol: TransportProtocol?
    /// The protocol in force: the declared one, else keepalived's default (UDP for an address service).
    public var transportProtocol: TransportProtocol = .tcp
    public var sorryServer: SorryServer?
    public var inhibitOnFailure = false
    public var alpha = false
    public var omega = false
    /// `ha_suspend`: checks run only while the service's address is on this node (see `HASuspension`).
    public var haSuspend = false
    public var quorum: Int = 1
    public var hysteresis: Int = 0
    public var quorumUp: ScriptCommand?
    public var quorumDown: ScriptCommand?
    public var virtualHost: String?
    /// The scheduler flags in force, in keepalived's spelling (flag-1..3, sh-/mh-port, sh-/mh-fallback).
    public var schedulerFlags: [String] = []
    /// `weight N`: the weight of real servers that do not give their own.
    public var realServerWeight: Int = 1
    public var onePacketScheduling = false
    public var timing = CheckTiming()
    public var realServers: [RealServer] = []
    public var location: ConfigLocation

    /// The name ipvsd gives this virtual server's pool in its logs and quorum messages, and checkd uses to find
    /// its quorum_up/quorum_down ("TCP 192.0.2.1:80", "TCP fwmark 7", "TCP group web").
    public var poolName: String { "\(transportProtocol.keyword) \(address)" }
}

/// `persistence_granularity`: an IPv4 netmask, or an IPv6 prefix length (keepalived takes a number for IPv6).
public enum PersistenceGranularity: Hashable, Sendable {
    case ipv4Netmask(IPAddress)
    case ipv6PrefixLength(UInt8)
}

/// One line of `virtual_server_group`: `count` consecutive addresses from `first` (a range, a prefix or one
/// address) and a port (0: none), or a fwmark with the family `inet`/`inet6` gives it (nil: the block's).
public enum VirtualServerGroupEntry: Hashable, Sendable {
    case addressRange(first: IPAddress, count: Int, port: UInt16)
    case firewallMark(UInt32, family: IPAddressFamily? = nil)
}

public struct VirtualServerGroup: Sendable {
    public var name: String
    public var entries: [VirtualServerGroupEntry] = []
    public var location: ConfigLocation
}

extension TransportProtocol {
    /// keepalived.conf's spelling, also the one its logs use: TCP, UDP, SCTP.
    public var keyword: String { description.uppercased() }

    /// `protocol TCP|UDP|SCTP`, in any case as keepalived takes it.
    public init?(keyword: String) {
        guard let match = Self.allCases.first(where: { $0.keyword == keyword.uppercased() }) else { return nil }
        self = match
    }
}
