/// Long work that blocks the loop but advances step by step (ipvsd reading or writing a table of 100,000
/// destinations takes seconds, and over a minute under emulation) tells systemd it is advancing: while starting,
/// reloading or stopping, the timeout of that state is extended; once started, the watchdog is fed. Only a
/// finished step reports, so work stuck on one step (a kernel that never answers) is still caught.
public final class SystemdProgress {
    /// Which of systemd's timers the work runs under: the start timeout (also used for reloads), the watchdog,
    /// the stop timeout. Before READY=1 the watchdog runs only once a WATCHDOG=1 has come (seen in the lab,
    /// bench/results/ipvs.md: a first version that fed it while starting was killed early in a long start), so
    /// starting sends none.
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
