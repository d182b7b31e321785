import Logging
import Wire

/// Counts dropped messages of one sort (malformed datagrams, messages their sender may not send) and logs them
/// without flooding (`ThrottledLog`): the first at once, then at most one line per interval with how many were
/// dropped since, the last of a burst by a timer.
final class DropReporter {
    /// What is dropped, as the log line says it ("malformed message").
    let what: String
    private let log: ThrottledLog

    var total: Int { log.total }

    init(_ what: String = "malformed message", logger: Logger, loop: EventLoop?, interval: Duration = .seconds(10)) {
        self.what = what
        log = ThrottledLog(logger: logger, interval: interval, loop: loop)
    }

    func record(_ error: WireError, from peer: PeerCredentials) {
        record(reason: "\(error)", from: peer)
    }

    func record(_ refusal: SenderRefusal, from peer: PeerCredentials) {
        record(reason: "\(refusal)", from: peer)
    }

    private func record(reason: String, from peer: PeerCredentials) {
        let what = what
        log.record { since, total in
            ("dropped \(what)", [
                "error": "\(reason)", "peer_pid": "\(peer.pid)", "peer_uid": "\(peer.uid)",
                "dropped_since_last_report": "\(since)", "dropped_total": "\(total)",
            ])
        }
    }
}
