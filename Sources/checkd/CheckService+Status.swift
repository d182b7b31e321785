import Control
import Foundation
import Health
import Vocabulary

/// What `tandemctl status` shows of checkd: every checked real server with its checkers' last attempts, and
/// every track script. Times are the loop's monotonic instants, dated on the wall clock when asked.
extension CheckService {
    func describe(into status: inout DaemonStatus) {
        guard let monitor = healthMonitor else { return }
        let now = monitor.now
        let wallNow = Date().timeIntervalSince1970
        func wall(_ instant: MonotonicInstant?) -> Double? {
            instant.map { wallNow - (now - $0).seconds }
        }
        status.realServerChecks = monitor.realServerViews.map { server in
            RealServerCheckStatus(
                virtualServer: server.virtualServer,
                realServer: HealthScheduler.endpoint(server.id.realAddress, server.id.realPort),
                health: server.reportedUp.map { $0 ? "up" : "down" } ?? "pending",
                weight: server.reportedWeight,
                checkers: server.checkers.map { checker in
                    CheckerStatus(kind: checker.kind, target: checker.target,
                                  verdict: checker.up.map { $0 ? "up" : "down" } ?? "pending",
                                  retriesUsed: checker.retriesUsed, retry: checker.retry,
                                  lastResult: checker.lastPassed.map { $0 ? "success" : "failure" },
                                  lastError: checker.lastReason, lastLatencySeconds: checker.lastLatency?.seconds,
                                  lastCheckedAt: wall(checker.lastEndedAt))
                })
        }
        status.trackScripts = monitor.scriptViews.map { script in
            TrackScriptStatus(name: script.name, status: script.ok.map { $0 ? "ok" : "failed" } ?? "pending",
                              rise: script.rise, fall: script.fall, towardsChange: script.towardsChange,
                              lastExit: script.lastPassed.map { passed in
                                  passed ? "exited 0" : Self.exitWords(script.lastReason ?? "failed")
                              },
                              lastRunAt: wall(script.lastEndedAt))
        }
    }

    /// ProcessExit's "exit status 1" as status says it ("exited 1"); other reasons as they are.
    static func exitWords(_ reason: String) -> String {
        reason.hasPrefix("exit status ") ? "exited " + reason.dropFirst("exit status ".count) : reason
    }
}

extension Duration {
    /// In seconds, as a Double (for JSON).
    var seconds: Double {
        let (whole, attoseconds) = components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
