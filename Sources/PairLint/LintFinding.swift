import KeepalivedConfig

/// One thing wrong with a pair of nodes' configurations: where it is on this node and where its counterpart is
/// on the other.
public struct LintFinding: Hashable, Sendable, CustomStringConvertible {
    public var severity: DiagnosticSeverity
    public var code: LintCode
    /// What the finding is about, as the configuration names it: "vrrp_instance VI_1", "virtual_server
    /// 192.0.2.93:80", "real_server 198.51.100.123:80 of virtual_server 192.0.2.93:80".
    public var subject: String
    public var message: String
    public var location: ConfigLocation
    /// The other node's side: its file, and where in it the counterpart is (nil when that node has none).
    /// nil altogether for a finding about one file alone (`config-warning`).
    public var other: OtherSide?

    public struct OtherSide: Hashable, Sendable {
        public var file: String
        public var location: ConfigLocation?

        public init(file: String, location: ConfigLocation?) {
            self.file = file
            self.location = location
        }
    }

    public init(_ severity: DiagnosticSeverity, _ code: LintCode, subject: String, _ message: String,
                at location: ConfigLocation, other: OtherSide?) {
        self.severity = severity
        self.code = code
        self.subject = subject
        self.message = message
        self.location = location
        self.other = other
    }

    /// `file:line:col: error: [code] message (other side: file:line:col)`, the compiler style editors follow.
    public var description: String {
        var text = "\(location): \(severity.rawValue): [\(code.rawValue)] \(message)"
        if let other {
            text += other.location.map { " (other side: \($0))" } ?? " (other side: \(other.file): none)"
        }
        return text
    }
}

/// The stable name of each rule: scripts and the JSON output match on these, so a code is never renamed.
public enum LintCode: String, CaseIterable, Codable, Sendable {
    /// A warning the configuration reader gives one file (`vrrpd -t` prints the same).
    case configWarning = "config-warning"

    case instanceMissing = "instance-missing"
    case vridMismatch = "vrid-mismatch"
    case authMismatch = "auth-mismatch"
    case advertIntMismatch = "advert-int-mismatch"
    case versionMismatch = "version-mismatch"
    case vipMismatch = "vip-mismatch"
    case excludedVIPMismatch = "excluded-vip-mismatch"

    case priorityTie = "priority-tie"
    case bothMaster = "both-master"
    case masterNotHighest = "master-not-highest"
    case priorityEqual = "priority-equal"

    case unicastMismatch = "unicast-mismatch"
    case unicastSourceSame = "unicast-src-same"
    case unicastPeerMissing = "unicast-peer-missing"
    case multicastGroupMismatch = "mcast-group-mismatch"

    case syncGroupMismatch = "sync-group-mismatch"
    case gatewayNotSynced = "gateway-not-synced"
    case syncDaemonMismatch = "sync-daemon-mismatch"

    case virtualServerMissing = "virtual-server-missing"
    case protocolMismatch = "protocol-mismatch"
    case virtualServerGroupMismatch = "virtual-server-group-mismatch"
    case lbKindMismatch = "lb-kind-mismatch"
    case lbAlgoMismatch = "lb-algo-mismatch"
    case persistenceMismatch = "persistence-mismatch"
    case sorryServerMismatch = "sorry-server-mismatch"
    case quorumMismatch = "quorum-mismatch"
    case realServerMissing = "real-server-missing"
    case weightMismatch = "weight-mismatch"
    case checkerMismatch = "checker-mismatch"
    case checkerTimingMismatch = "checker-timing-mismatch"
    case mhOrderMismatch = "mh-order-mismatch"

    case announcementMismatch = "announcement-mismatch"
    case ecmpScheduler = "ecmp-scheduler"
}
