import CSystemd
import Glibc
import Vocabulary

/// Tells systemd about the daemon's life (sd_notify); every call does nothing without NOTIFY_SOCKET.
public struct SystemdNotifier: Sendable {
    /// A notifier for this process.
    public init() {}

    /// True when the service manager gave us a notification socket.
    public var isEnabled: Bool { getenv("NOTIFY_SOCKET") != nil }

    /// READY=1 (with an optional STATUS=): start-up is complete.
    public func ready(status: String? = nil) {
        send(["READY=1"] + (status.map { ["STATUS=\($0)"] } ?? []))
    }

    /// RELOADING=1 with MONOTONIC_USEC, as Type=notify-reload requires; follow with `ready()`.
    public func reloading() {
        send(["RELOADING=1", "MONOTONIC_USEC=\(MonotonicInstant.now.microseconds)"])
    }

    /// STOPPING=1: shutdown has begun.
    public func stopping() {
        send(["STOPPING=1"])
    }

    /// WATCHDOG=1: the loop is alive.
    public func watchdog() {
        send(["WATCHDOG=1"])
    }

    /// WATCHDOG=1 and/or EXTEND_TIMEOUT_USEC: long work is advancing (see `SystemdProgress`).
    public func advancing(feedingWatchdog: Bool, extendingTimeoutBy grace: Duration?) {
        let lines = (feedingWatchdog ? ["WATCHDOG=1"] : [])
            + (grace.map { ["EXTEND_TIMEOUT_USEC=\($0.totalNanoseconds / 1000)"] } ?? [])
        if !lines.isEmpty { send(lines) }
    }

    /// STATUS=: one line shown by `systemctl status`.
    public func status(_ text: String) {
        send(["STATUS=\(text)"])
    }

    /// How often systemd expects `watchdog()` (WATCHDOG_USEC for this pid), nil when it does not.
    public var watchdogInterval: Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(clamping: usec))
    }

    /// Pings the watchdog from a timer on `loop` at half the interval systemd asked for; a timer
    /// only fires while the loop turns, so a stalled loop stops the pings and systemd restarts us.
    /// Returns false (and schedules nothing) when systemd wants no watchdog.
    @discardableResult
    public func attachWatchdog(to loop: EventLoop) -> Bool {
        guard isEnabled, let interval = watchdogInterval else { return false }
        let period = interval / 2
        func ping() {
            watchdog()
            loop.schedule(after: period) { ping() }
        }
        ping()
        return true
    }

    /// The notification lines joined as sd_notify expects them (newlines inside a value become spaces).
    static func payload(_ lines: [String]) -> String {
        lines.map { line in String(line.map { $0 == "\n" ? " " : $0 }) }.joined(separator: "\n")
    }

    private func send(_ lines: [String]) {
        guard isEnabled else { return }
        _ = sd_notify(0, Self.payload(lines))
    }
}
