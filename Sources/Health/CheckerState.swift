/// One checker's verdict and retry count: keepalived's rules, with no clock and no I/O.
///
/// A success makes the checker up at once. A failure of an up checker is retried `retry` times, each after
/// `delay_before_retry`, before the checker goes down; a failure of a down checker changes nothing.
public struct CheckerState: Hashable, Sendable {
    /// What the checker says now; starts as the assumed state (down under `alpha`, else up).
    public private(set) var up: Bool
    /// True once an attempt settled the verdict (a pending retry has not).
    public private(set) var hasVerdict = false
    /// Retries spent on the current series of failures.
    public private(set) var retriesUsed = 0
    /// The last weight a misc_dynamic check gave (status − 2), kept until another one is given.
    public private(set) var dynamicWeight: Int?

    /// A checker that has run no attempt yet.
    public init(alpha: Bool) { up = !alpha }

    /// Records an attempt's outcome; returns how long to wait before the next attempt.
    public mutating func record(_ outcome: CheckOutcome, timing: CheckerTiming) -> Duration {
        switch outcome {
        case .success(let weight):
            up = true
            hasVerdict = true
            retriesUsed = 0
            if let weight { dynamicWeight = weight }
            return timing.delayLoop
        case .failure:
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
}
