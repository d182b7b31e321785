import Logging
import Wire
import Vocabulary

/// Counts dropped messages of one sort (malformed datagrams, messages their sender may not send) and logs them
/// without flooding: the first at once, then at most one summary per interval with how many were dropped since.
struct DropReporter {
    /// What is dropped, as the log line says it ("malformed message").
    let what: String
    private(set) var total = 0
    private var unreported = 0
    private var lastReport: MonotonicInstant?
    let interval: Duration

    init(_ what: String = "malformed message", interval: Duration = .seconds(10)) {
        self.what = what
        self.interval = interval
    }

    mutating func record(_ error: WireError, from peer: PeerCredentials, logger: Logger) {
        record(reason: "\(error)", from: peer, logger: logger)
    }

    mutating func record(_ refusal: SenderRefusal, from peer: PeerCredentials, logger: Logger) {
        record(reason: "\(refusal)", from: peer, logger: logger)
    }

    private mutating func record(reason: String, from peer: PeerCredentials, logger: Logger) {
        total += 1
        unreported += 1
        let now = MonotonicInstant.now
        if let last = lastReport, now - last < interval { return }
        logger.warning("dropped \(what)", metadata: [
            "error": "\(reason)", "peer_pid": "\(peer.pid)", "peer_uid": "\(peer.uid)",
            "dropped_since_last_report": "\(unreported)", "dropped_total": "\(total)",
        ])
        unreported = 0
        lastReport = now
    }
}
