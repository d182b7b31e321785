import CSystemd
import Glibc

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

/// Long work that blocks the loop but advances step by step (ipvsd reading or writing a table of 100,000
/// destinations takes seconds, and over a minute under emulation) tells systemd it is advancing: while starting,
/// reloading or stopping, the timeout of that state is extended; once started, the watchdog is fed. Only a
/// finished step reports, so work stuck on one step (a kernel that never answers) is still caught.
public final class SystemdProgress {
    /// Which of systemd's timers the work runs under: the start timeout (also used for reloads), the watchdog,
    /// the stop timeout. Before READY=1 the watchdog runs only once a WATCHDOG=1 has come (seen in the lab: a
    /// first version that fed it while starting was killed 3 s into a long start), so starting sends none.
    public enum Phase: Sendable { case starting, reloading, running, stopping }

    public var phase: Phase = .starting
    private let notifier: SystemdNotifier
    private let enabled: Bool
    /// A quarter of the watchdog interval (2.5 s without one): at most one notification per period, so a step
    /// that reports nothing may take three quarters of the interval.
    private let period: Duration
    /// How long a timeout is extended each time: long enough for a step between two reports (reading the
    /// configuration's last statement, building the desired table) to finish.
    private let grace: Duration
    private var lastReport = ContinuousClock.now

    public init(notifier: SystemdNotifier) {
        self.notifier = notifier
        enabled = notifier.isEnabled
        period = (notifier.watchdogInterval ?? .seconds(10)) / 4
        grace = max(period * 3, .seconds(30))
    }

    /// One step of the work is done; cheap enough to call per netlink message.
    public func advanced() {
        guard enabled else { return }
        let now = ContinuousClock.now
        guard now - lastReport >= period else { return }
        lastReport = now
        switch phase {
        case .starting, .stopping: notifier.advancing(feedingWatchdog: false, extendingTimeoutBy: grace)
        case .reloading: notifier.advancing(feedingWatchdog: true, extendingTimeoutBy: grace)
        case .running: notifier.advancing(feedingWatchdog: true, extendingTimeoutBy: nil)
        }
    }
}
