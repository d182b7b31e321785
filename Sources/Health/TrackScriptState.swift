/// A vrrp_script's OK/failed state under `rise` and `fall`, following keepalived's counter.
///
/// keepalived keeps one counter in 0...(rise + fall − 1); the script is OK while it is ≥ rise. It starts at
/// rise − 1 with no verdict, so the first result decides at once either way ("one success is enough", and a
/// failure drops it to 0); after that `rise` consecutive successes make it OK and `fall` consecutive
/// failures make it failed.
public struct TrackScriptState: Hashable, Sendable {
    public let rise: Int
    public let fall: Int
    private var counter: Int
    /// nil until the first result; then whether the script is OK.
    public private(set) var ok: Bool?

    /// A script with no result yet; `rise` and `fall` below 1 count as 1.
    public init(rise: Int, fall: Int) {
        self.rise = max(1, rise)
        self.fall = max(1, fall)
        counter = self.rise - 1
    }

    /// How many results in a row so far agree with a change of the verdict: towards `rise` while failed,
    /// towards `fall` while OK; 0 before the first result and right after a change.
    public var towardsChange: Int {
        switch ok {
        case nil: return 0
        case true?: return rise + fall - 1 - counter
        case false?: return counter
        }
    }

    /// Records a run's result; returns the new verdict when it changed (the first verdict included).
    public mutating func record(success: Bool) -> Bool? {
        let before = ok
        if success {
            if counter < rise - 1 {
                counter += 1
            } else {
                counter = rise + fall - 1
                ok = true
            }
        } else {
            if counter > rise {
                counter -= 1
            } else {
                counter = 0
                ok = false
            }
        }
        return ok != before ? ok : nil
    }
}
