/// checkd's part of a status: each checked real server, each of its checkers' last attempt, each track script.
public struct RealServerCheckStatus: Codable, Sendable, Equatable {
    /// The virtual_server block's name (`VirtualServer.poolName`, as ipvsd's virtualServers name it).
    public var virtualServer: String
    /// "192.0.2.11:80", "[2001:db8::11]:80": the port it has in the block's first service, as ipvsd names it.
    public var realServer: String
    /// The verdict last sent to ipvsd: "up", "down", or "pending" (some checker has no verdict yet).
    public var health: String
    /// The weight last sent to ipvsd (MISC_CHECK's misc_dynamic changes it); absent while pending.
    public var weight: Int?
    public var checkers: [CheckerStatus]

    public init(virtualServer: String, realServer: String, health: String, weight: Int?, checkers: [CheckerStatus]) {
        self.virtualServer = virtualServer
        self.realServer = realServer
        self.health = health
        self.weight = weight
        self.checkers = checkers
    }
}

/// One checker of a real server.
public struct CheckerStatus: Codable, Sendable, Equatable {
    /// "TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK", ...
    public var kind: String
    /// Where it connects ("192.0.2.11:80") or what it runs (MISC_CHECK's misc_path).
    public var target: String
    /// "up", "down", or "pending" (no attempt has settled it yet).
    public var verdict: String
    /// The progress towards going down: failures retried so far in the current series, of `retry` allowed
    /// (keepalived's retry; the next failure after the last retry takes the checker down).
    public var retriesUsed: Int
    public var retry: Int
    /// The last attempt that ended: "success" or "failure", why it failed, how long it took, and when it ended
    /// (seconds since the Unix epoch); absent before the first.
    public var lastResult: String?
    public var lastError: String?
    public var lastLatencySeconds: Double?
    public var lastCheckedAt: Double?

    public init(kind: String, target: String, verdict: String, retriesUsed: Int, retry: Int,
                lastResult: String? = nil, lastError: String? = nil, lastLatencySeconds: Double? = nil,
                lastCheckedAt: Double? = nil) {
        self.kind = kind
        self.target = target
        self.verdict = verdict
        self.retriesUsed = retriesUsed
        self.retry = retry
        self.lastResult = lastResult
        self.lastError = lastError
        self.lastLatencySeconds = lastLatencySeconds
        self.lastCheckedAt = lastCheckedAt
    }
}

/// One vrrp_script that some instance tracks.
public struct TrackScriptStatus: Codable, Sendable, Equatable {
    public var name: String
    /// "ok", "failed", or "pending" (no result yet).
    public var status: String
    /// keepalived's rise and fall, and how many results in a row agree with a change now (progress towards
    /// `rise` while failed, towards `fall` while ok).
    public var rise: Int
    public var fall: Int
    public var towardsChange: Int
    /// How the last run ended ("exited 0", "exited 1", "killed by signal 9", "timed out") and when (seconds since
    /// the Unix epoch); absent before the first.
    public var lastExit: String?
    public var lastRunAt: Double?

    public init(name: String, status: String, rise: Int, fall: Int, towardsChange: Int,
                lastExit: String? = nil, lastRunAt: Double? = nil) {
        self.name = name
        self.status = status
        self.rise = rise
        self.fall = fall
        self.towardsChange = towardsChange
        self.lastExit = lastExit
        self.lastRunAt = lastRunAt
    }
}
