/// One checker's verdict, retry count and (MISC_CHECK) weight: keepalived's rules, with no clock and no I/O.
///
/// A success makes the checker up at once. A failure of an up checker is retried `retry` times, each after
/// `delay_before_retry`, before the checker goes down; a failure of a down checker changes nothing, not even
/// the weight.
///
/// MISC_CHECK's weight follows check/check_misc.c: an exit status that differs from the last one acted on sets
/// the weight (0: the configured one; 2–255 under misc_dynamic: status − 2), the same status again changes
/// nothing. Going down on an exit status gives back the configured weight; going down on a signal or the
/// timeout does not (see `strandedWeightChange`).
public struct CheckerState: Hashable, Sendable {
    /// What the checker says now; starts as the assumed state (down under `alpha`, else up).
    public private(set) var up: Bool
    /// True once an attempt settled the verdict (a pending retry has not).
    public private(set) var hasVerdict = false
    /// Retries spent on the current series of failures.
    public private(set) var retriesUsed = 0
    /// MISC_CHECK: the exit status whose weight is in force (keepalived's last_exit_code, 0 at start).
    public private(set) var lastExitStatus: Int32 = 0
    /// misc_dynamic: the weight the last exit status 2–255 gave the server (status − 2); nil for the configured one.
    public private(set) var dynamicWeight: Int?
    /// A weight change a kill left behind for good. On a signal or a timeout keepalived 2.2.7 forgets the checker's
    /// dynamic weight without taking it out of the server's effective weight, so the server keeps it while down,
    /// comes back with it even when the program then exits 0, and a later status adds its change on top.
    public private(set) var strandedWeightChange = 0

    /// A checker that has run no attempt yet.
    public init(alpha: Bool) { up = !alpha }

    /// What this checker adds to the server's configured weight (several dynamic checkers add up, as in
    /// keepalived, so one sets the weight to its status − 2).
    public func weightChange(from configuredWeight: Int) -> Int {
        (dynamicWeight.map { $0 - configuredWeight } ?? 0) + strandedWeightChange
    }

    /// Records an attempt's outcome; returns how long to wait before the next attempt. `configuredWeight` is the
    /// real server's `weight`, which a kill's stranded change is measured from.
    public mutating func record(_ outcome: CheckOutcome, timing: CheckerTiming, configuredWeight: Int = 1) -> Duration {
        switch outcome {
        case .success:
            return succeed(timing)
        case .failure:
            return fail(timing)
        case .misc(let end) where end.passed:
            if case .exited(let status, _) = end, status != lastExitStatus {
                dynamicWeight = end.dynamicWeight
                lastExitStatus = status
            }
            return succeed(timing)
        case .misc(.exited(let status, _)):
            if failureGoesDown(timing) {
                dynamicWeight = nil
                lastExitStatus = status
            }
            return fail(timing)
        case .misc(.killed):
            if failureGoesDown(timing) {
                strandedWeightChange += dynamicWeight.map { $0 - configuredWeight } ?? 0
                dynamicWeight = nil
            }
            return fail(timing)
        }
    }

    /// FILE_CHECK: the state the tracked file's value gives (`TrackedFileValue.verdict`), at once and with no
    /// retry; `weightChange` is added to the configured weight while up.
    public mutating func follow(up: Bool, weightChange: Int, configuredWeight: Int) {
        self.up = up
        hasVerdict = true
        retriesUsed = 0
        dynamicWeight = up && weightChange != 0 ? configuredWeight + weightChange : nil
    }

    private mutating func succeed(_ timing: CheckerTiming) -> Duration {
        up = true
        hasVerdict = true
        retriesUsed = 0
        return timing.delayLoop
    }

    /// True when a failure now takes an up (or not yet settled) checker down: no retry is left.
    private func failureGoesDown(_ timing: CheckerTiming) -> Bool {
        !(up && retriesUsed < timing.retry) && (up || !hasVerdict)
    }

    /// A failure: a retry while retries are left, else the checker goes (or stays) down.
    private mutating func fail(_ timing: CheckerTiming) -> Duration {
        if up && retriesUsed < timing.retry {
            retriesUsed += 1
            return timing.delayBeforeRetry
        }
        up = false
        hasVerdict = true
        retriesUsed = 0
        return timing.delayLoop
    }
}
