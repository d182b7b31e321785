import VRRP
@testable import vrrpd
import Vocabulary

/// The time and the callbacks of every fake host in a test. Nothing happens until the test moves time: timers
/// fire in deadline order with `now` at their deadline, and what a fake socket or link has to say is posted and
/// runs after the callback in progress, as on the next turn of an event loop, so no engine is ever re-entered.
final class ManualLoop {
    private struct Timer {
        let deadline: MonotonicInstant
        let id: UInt64
        let owner: Int
        let handler: () -> Void
    }

    private(set) var now = MonotonicInstant(nanoseconds: 1_000_000_000)
    private var timers: [UInt64: Timer] = [:]
    private var posted: [(owner: Int, handler: () -> Void)] = []
    private var lastID: UInt64 = 0

    func schedule(at deadline: MonotonicInstant, owner: Int, _ handler: @escaping () -> Void) -> ClockTimer {
        lastID += 1
        timers[lastID] = Timer(deadline: deadline, id: lastID, owner: owner, handler: handler)
        return ClockTimer(id: lastID)
    }

    func cancel(_ timer: ClockTimer) { timers[timer.id] = nil }

    func post(owner: Int, _ handler: @escaping () -> Void) { posted.append((owner, handler)) }

    /// A host that died: nothing it scheduled or was sent runs any more.
    func forget(owner: Int) {
        timers = timers.filter { $0.value.owner != owner }
        posted.removeAll { $0.owner == owner }
    }

    /// Runs everything due within `duration`.
    func advance(by duration: Duration) {
        _ = run(to: now + duration) { false }
    }

    /// Runs what is due until `condition` holds (checked after every callback) or `limit` has passed; the time it
    /// took, or nil when it never held.
    func advance(until condition: () -> Bool, within limit: Duration) -> Duration? {
        let start = now
        if condition() { return .zero }
        return run(to: now + limit, stopWhen: condition) ? now - start : nil
    }

    private func run(to target: MonotonicInstant, stopWhen condition: () -> Bool) -> Bool {
        if runPosted(stopWhen: condition) { return true }
        while let next = timers.values.filter({ $0.deadline <= target }).min(by: { ($0.deadline, $0.id) < ($1.deadline, $1.id) }) {
            timers[next.id] = nil
            if next.deadline > now { now = next.deadline }
            next.handler()
            if condition() || runPosted(stopWhen: condition) { return true }
        }
        if target > now { now = target }
        return condition()
    }

    private func runPosted(stopWhen condition: () -> Bool) -> Bool {
        var turns = 0
        while !posted.isEmpty {
            let work = posted.removeFirst()
            work.handler()
            turns += 1
            precondition(turns < 100_000, "posted work never settles: two engines answering each other forever")
            if condition() { return true }
        }
        return false
    }
}

/// One host's view of the manual loop.
final class ManualClock: VRRPClock {
    private let loop: ManualLoop
    private let owner: Int

    init(_ loop: ManualLoop, owner: Int) {
        self.loop = loop
        self.owner = owner
    }

    var now: MonotonicInstant { loop.now }

    func schedule(at deadline: MonotonicInstant, _ handler: @escaping () -> Void) -> ClockTimer {
        loop.schedule(at: deadline, owner: owner, handler)
    }

    func cancel(_ timer: ClockTimer) { loop.cancel(timer) }
}
