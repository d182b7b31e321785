import Platform
import VRRP
import Vocabulary

/// A timer a `VRRPClock` scheduled, for cancelling it.
struct ClockTimer: Hashable {
    let id: UInt64
}

/// The engine's time: the monotonic now, and timers at an instant of it. Outside tests it is the daemon's event
/// loop; tests move a manual clock by hand, so a Master_Down_Interval passes without anyone sleeping through it.
protocol VRRPClock: AnyObject {
    var now: MonotonicInstant { get }
    /// Calls `handler` once at `deadline` (on the next turn if it has passed).
    func schedule(at deadline: MonotonicInstant, _ handler: @escaping () -> Void) -> ClockTimer
    /// Cancels a timer that has not fired; cancelling one that has is harmless.
    func cancel(_ timer: ClockTimer)
}

/// The event loop's timers on CLOCK_MONOTONIC, the clock the VRRP module's instants count on.
final class EventLoopClock: VRRPClock {
    private let loop: EventLoop
    private var pending: [UInt64: TimerID] = [:]
    private var lastID: UInt64 = 0

    init(loop: EventLoop) { self.loop = loop }

    var now: MonotonicInstant { loop.now }

    func schedule(at deadline: MonotonicInstant, _ handler: @escaping () -> Void) -> ClockTimer {
        lastID += 1
        let id = lastID
        pending[id] = loop.schedule(at: deadline) { [unowned self] in
            pending[id] = nil
            handler()
        }
        return ClockTimer(id: id)
    }

    func cancel(_ timer: ClockTimer) {
        if let scheduled = pending.removeValue(forKey: timer.id) { loop.cancel(scheduled) }
    }
}
