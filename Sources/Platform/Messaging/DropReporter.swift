import Logging
import Wire
import Vocabulary

/// Counts malformed datagrams and logs them without flooding: the first at once, then at most one
/// summary per interval with how many were dropped since.
struct DropReporter {
    private(set) var total = 0
    private var unreported = 0
    private var lastReport: MonotonicInstant?
    let interval: Duration

    init(interval: Duration = .seconds(10)) { self.interval = interval }

    mutating func record(_ error: WireError, from peer: PeerCredentials, logger: Logger) {
        total += 1
        unreported += 1
        let now = MonotonicInstant.now
        if let last = lastReport, now - last < interval { return }
        logger.warning("dropped malformed message", metadata: [
            "error": "\(error)", "peer_pid": "\(peer.pid)", "peer_uid": "\(peer.uid)",
            "dropped_since_last_report": "\(unreported)", "dropped_total": "\(total)",
        ])
        unreported = 0
        lastReport = now
    }
}
