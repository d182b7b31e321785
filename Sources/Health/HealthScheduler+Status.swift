import KeepalivedConfig
import Vocabulary
import Wire

/// How an attempt ended, kept per checker and script for the operator (not for any decision): 32 bytes (a
/// failure reason longer than 15 bytes is stored apart).
struct LastAttempt {
    var endedAt: MonotonicInstant
    /// Microseconds from start to end, saturated; UInt32.max when the start is not known.
    var latencyMicroseconds: UInt32
    var passed: Bool
    var reason: String?

    init(_ outcome: CheckOutcome, endedAt: MonotonicInstant, startedAt: MonotonicInstant?) {
        self.endedAt = endedAt
        passed = outcome.passed
        reason = outcome.failureReason
        if let startedAt {
            let elapsed = max(.zero, endedAt - startedAt)
            let (seconds, attoseconds) = elapsed.components
            let micros = Double(seconds) * 1e6 + Double(attoseconds) / 1e12
            latencyMicroseconds = micros >= Double(UInt32.max - 1) ? UInt32.max - 1 : UInt32(micros.rounded())
        } else {
            latencyMicroseconds = .max
        }
    }

    var latency: Duration? { latencyMicroseconds == .max ? nil : .microseconds(Int64(latencyMicroseconds)) }
}

/// What the operator's status shows of the checks: the scheduler's state read out, with no decision in it.
extension HealthScheduler {
    /// One checker of a real server, with its last attempt.
    public struct CheckerView: Sendable, Equatable {
        /// TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK, ... as keepalived.conf spells the block.
        public var kind: String
        /// Where it connects, or what it runs.
        public var target: String
        /// nil while no attempt settled it; else whether it says up.
        public var up: Bool?
        public var retriesUsed: Int
        public var retry: Int
        public var lastPassed: Bool?
        public var lastReason: String?
        public var lastLatency: Duration?
        public var lastEndedAt: MonotonicInstant?
    }

    /// One checked real server of one virtual_server block.
    public struct RealServerView: Sendable, Equatable {
        /// The block's `poolName` ("TCP 192.0.2.100:80").
        public var virtualServer: String
        /// The server's first identity (its port in the block's first service).
        public var id: RealServerID
        /// The verdict last sent to ipvsd; nil until every checker has one.
        public var reportedUp: Bool?
        public var reportedWeight: Int?
        public var checkers: [CheckerView]
    }

    /// One tracked vrrp_script.
    public struct ScriptView: Sendable, Equatable {
        public var name: String
        public var ok: Bool?
        public var rise: Int
        public var fall: Int
        public var towardsChange: Int
        public var lastPassed: Bool?
        public var lastReason: String?
        public var lastEndedAt: MonotonicInstant?
    }

    /// Every checked real server in configuration order, with its checkers.
    public var realServerViews: [RealServerView] {
        servers.map { entry in
            let virtualServer = configuration.virtualServers[Int(entry.virtualServerIndex)]
            let views = checkers[entry.checkerRange].map { checker -> CheckerView in
                let (check, realServer, block) = Self.resolve(checker.source, in: configuration)
                let target: String
                if case .misc(let command, _, _) = check.kind {
                    target = command?.text ?? ""
                } else {
                    let t = CheckTarget(check: check, realServer: realServer, virtualServer: block)
                    target = Self.endpoint(t.address, t.port)
                }
                return CheckerView(kind: check.name, target: target, up: checker.state.hasVerdict ? checker.state.up : nil,
                                   retriesUsed: checker.state.retriesUsed, retry: checker.timing.retry,
                                   lastPassed: checker.last?.passed, lastReason: checker.last?.reason,
                                   lastLatency: checker.last?.latency, lastEndedAt: checker.last?.endedAt)
            }
            return RealServerView(virtualServer: virtualServer.poolName, id: identities[Int(entry.firstIdentity)],
                                  reportedUp: entry.reported?.up, reportedWeight: entry.reported.map { Int($0.weight) },
                                  checkers: views)
        }
    }

    /// Every tracked script, by name.
    public var scriptViews: [ScriptView] {
        scripts.sorted { $0.key < $1.key }.map { name, entry in
            ScriptView(name: name, ok: entry.state.ok, rise: entry.state.rise, fall: entry.state.fall,
                       towardsChange: entry.state.towardsChange, lastPassed: entry.last?.passed,
                       lastReason: entry.last?.reason, lastEndedAt: entry.last?.endedAt)
        }
    }

    /// "192.0.2.11:80", "[2001:db8::11]:80".
    public static func endpoint(_ address: IPAddress, _ port: UInt16) -> String {
        address.family == .ipv4 ? "\(address):\(port)" : "[\(address)]:\(port)"
    }
}
