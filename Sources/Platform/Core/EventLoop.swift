import CShim
import Glibc
import Vocabulary

/// A single-threaded epoll loop: fd readiness, a heap of timers, and signals through a signalfd.
///
/// Threading rule: create it, use it and run it on one thread (the main thread of a daemon).
/// It is deliberately not `Sendable`, so Swift 6 refuses to hand it to another isolation domain.
public final class EventLoop {
    private struct Watch {
        /// Held here, so a watched descriptor stays open until it is unwatched or closed.
        let descriptor: OwnedDescriptor
        var onReadable: (() -> Void)?
        var onWritable: (() -> Void)?

        var mask: UInt32 {
            (onReadable != nil ? EPOLLIN.rawValue | EPOLLRDHUP.rawValue : 0)
                | (onWritable != nil ? EPOLLOUT.rawValue : 0)
        }
    }

    /// Internal, not private: the tests read its registrations from /proc/self/fdinfo.
    let epoll: OwnedDescriptor
    /// By descriptor number (what epoll_wait reports), indexed directly: descriptors are small numbers, the lowest
    /// free one given first, and every event and every change of a watch looks its descriptor up (no hashing).
    /// One value, as `TimerTable`, so a change is one access to it (each is checked for exclusivity at run time).
    private struct WatchTable {
        private var slots: [Watch?] = []
        private(set) var count = 0

        subscript(fd: Int32) -> Watch? { fd >= 0 && Int(fd) < slots.count ? slots[Int(fd)] : nil }

        mutating func set(_ watch: Watch, at fd: Int32) {
            if Int(fd) >= slots.count { slots.append(contentsOf: repeatElement(nil, count: Int(fd) + 1 - slots.count)) }
            if slots[Int(fd)] == nil { count += 1 }
            slots[Int(fd)] = watch
        }

        /// Every watched descriptor.
        var descriptors: [OwnedDescriptor] { slots.compactMap { $0?.descriptor } }

        mutating func remove(at fd: Int32) {
            guard fd >= 0 && Int(fd) < slots.count && slots[Int(fd)] != nil else { return }
            slots[Int(fd)] = nil
            count -= 1
        }
    }
    private var watches = WatchTable()
    private var timers = TimerTable()
    private var signals: OwnedDescriptor?
    private var signalMask = sigset_t()
    private var signalHandlers: [Int32: () -> Void] = [:]
    private var stopRequested = false
    // Reused by every turn, so an idle loop does not allocate; raw memory, which a turn fills without an access
    // check of a stored array.
    private let readyFDs = UnsafeMutablePointer<Int32>.allocate(capacity: 64)
    private let readyEvents = UnsafeMutablePointer<UInt32>.allocate(capacity: 64)

    /// False: this loop waits with epoll_wait's milliseconds even where epoll_pwait2 works (tests of the fallback).
    var allowsSubMillisecondWait = true

    /// Called once per loop turn after events and timers; a daemon pings the systemd watchdog here,
    /// so the ping stops when the loop stalls.
    public var onIteration: (() -> Void)?

    /// A new loop with its own epoll instance.
    public init() throws {
        epoll = try OwnedDescriptor(returnedBy: epoll_create1(Int32(EPOLL_CLOEXEC)), call: "epoll_create1")
        sigemptyset(&signalMask)
    }

    deinit {
        // A descriptor that outlives its loop must not reach it (`OwnedDescriptor.watcher` is not weak).
        for descriptor in watches.descriptors { descriptor.watcher = nil }
        signals?.close()
        epoll.close()
        readyFDs.deallocate()
        readyEvents.deallocate()
    }

    /// The current monotonic time.
    public var now: MonotonicInstant { .now }

    // MARK: File descriptors

    /// Calls `handler` whenever `descriptor` is readable (or hung up / in error); replaces an earlier handler.
    public func watchReadable(_ descriptor: OwnedDescriptor, _ handler: @escaping () -> Void) throws {
        var watch = try currentWatch(of: descriptor)
        watch.onReadable = handler
        try apply(watch)
    }

    /// Calls `handler` whenever `descriptor` is writable; replaces an earlier handler.
    public func watchWritable(_ descriptor: OwnedDescriptor, _ handler: @escaping () -> Void) throws {
        var watch = try currentWatch(of: descriptor)
        watch.onWritable = handler
        try apply(watch)
    }

    /// Stops calling the readable handler of `descriptor`, keeping a writable one.
    public func unwatchReadable(_ descriptor: OwnedDescriptor) {
        guard var watch = watches[descriptor.rawValue], watch.descriptor === descriptor else { return }
        watch.onReadable = nil
        try? apply(watch)
    }

    /// Stops calling the writable handler of `descriptor`, keeping a readable one.
    public func unwatchWritable(_ descriptor: OwnedDescriptor) {
        guard var watch = watches[descriptor.rawValue], watch.descriptor === descriptor else { return }
        watch.onWritable = nil
        try? apply(watch)
    }

    /// Sets both handlers of `descriptor` at once (nil: not watched that way) with a single epoll_ctl; both nil
    /// unwatches it.
    public func setWatch(_ descriptor: OwnedDescriptor, onReadable: (() -> Void)?, onWritable: (() -> Void)?) throws {
        var watch = try currentWatch(of: descriptor)
        watch.onReadable = onReadable
        watch.onWritable = onWritable
        try apply(watch)
    }

    /// Forgets `descriptor` and takes it out of the epoll set, leaving it open; `OwnedDescriptor.close()` calls it.
    public func unwatch(_ descriptor: OwnedDescriptor) {
        guard forget(descriptor) else { return }
        _ = tandem_epoll_ctl(epoll.rawValue, EPOLL_CTL_DEL, descriptor.rawValue, 0)
    }

    /// Forgets `descriptor` without taking it out of the epoll set, for one about to be closed that nothing else
    /// refers to: the close takes it out (`OwnedDescriptor.closeUnshared()`). False when it was not watched here.
    @discardableResult
    func forget(_ descriptor: OwnedDescriptor) -> Bool {
        guard watches[descriptor.rawValue]?.descriptor === descriptor else { return false }
        watches.remove(at: descriptor.rawValue)
        descriptor.watcher = nil
        return true
    }

    /// The watch of `descriptor` so far, or an empty one. A closed descriptor cannot be watched (EBADF); one
    /// watched by another loop, or a number adopted twice, is a bug.
    private func currentWatch(of descriptor: OwnedDescriptor) throws -> Watch {
        guard descriptor.isOpen else { throw SystemError("epoll_ctl", errno: EBADF) }
        precondition(descriptor.watcher == nil || descriptor.watcher === self,
                     "descriptor \(descriptor.rawValue) is already watched by another event loop")
        guard let watch = watches[descriptor.rawValue] else { return Watch(descriptor: descriptor) }
        precondition(watch.descriptor === descriptor, "descriptor \(descriptor.rawValue) has two owners")
        return watch
    }

    private func apply(_ watch: Watch) throws {
        let fd = watch.descriptor.rawValue
        if watch.mask == 0 {
            unwatch(watch.descriptor)
            return
        }
        let known = watches[fd] != nil
        if tandem_epoll_ctl(epoll.rawValue, known ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, watch.mask) != 0 {
            throw SystemError.current("epoll_ctl")
        }
        watches.set(watch, at: fd)
        watch.descriptor.watcher = self
    }

    /// The number of watched file descriptors (the signalfd included).
    public var watchedCount: Int { watches.count }

    // MARK: Timers

    /// Runs `handler` once at `deadline` (at once, on the next turn, if it is already past).
    @discardableResult
    public func schedule(at deadline: MonotonicInstant, _ handler: @escaping () -> Void) -> TimerID {
        timers.add(at: deadline, handler)
    }

    /// Runs `handler` once after `delay`.
    @discardableResult
    public func schedule(after delay: Duration, _ handler: @escaping () -> Void) -> TimerID {
        schedule(at: .now + delay, handler)
    }

    /// Cancels a timer that has not fired yet; does nothing otherwise.
    public func cancel(_ id: TimerID) {
        timers.cancel(id)
    }

    /// The number of timers scheduled and not yet fired or cancelled.
    public var pendingTimerCount: Int { timers.pendingCount }

    // MARK: Signals

    /// Calls `handler` on the loop when `signo` arrives; blocks the signal for the process
    /// (call before starting threads, so all of them inherit the mask) and reads it from a signalfd.
    public func onSignal(_ signo: Int32, _ handler: @escaping () -> Void) throws {
        var one = sigset_t()
        sigemptyset(&one)
        sigaddset(&one, signo)
        if sigprocmask(SIG_BLOCK, &one, nil) != 0 { throw SystemError.current("sigprocmask") }
        sigaddset(&signalMask, signo)
        // Given the existing signalfd, signalfd() changes its mask in place and returns the same number.
        let fd = signalfd(signals?.rawValue ?? -1, &signalMask, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        if fd < 0 { throw SystemError.current("signalfd") }
        signalHandlers[signo] = handler
        if signals == nil {
            let descriptor = OwnedDescriptor(adopting: fd)
            signals = descriptor
            try watchReadable(descriptor) { [unowned self] in self.drainSignals() }
        }
    }

    private func drainSignals() {
        guard let signals else { return }
        let size = Int(tandem_signalfd_siginfo_size())
        var buffer = [UInt8](repeating: 0, count: size)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(signals.rawValue, $0.baseAddress, size) }
            guard count == size else { return }  // EAGAIN: drained
            let signo = Int32(bitPattern: buffer.withUnsafeBytes { tandem_signalfd_signo($0.baseAddress) })
            signalHandlers[signo]?()
        }
    }

    // MARK: Running

    /// Runs until `stop()` is called from a handler.
    public func run() throws {
        stopRequested = false
        while !stopRequested {
            try runOnce(maximumWait: nil)
        }
    }

    /// Makes `run()` return after the current turn.
    public func stop() { stopRequested = true }

    /// One turn: waits for events (at most until the next timer, or `maximumWait`), dispatches them,
    /// fires due timers, then calls `onIteration`. Useful in tests.
    public func runOnce(maximumWait: Duration? = nil) throws {
        // Nanoseconds, not epoll_wait's milliseconds: rounding up to the next millisecond made every timer up to
        // 1 ms late, and that lateness was added to each advert interval of vrrpd's Master.
        let current = MonotonicInstant.now
        var timeoutNs = Int64(-1)
        if let next = timers.earliestDeadline {
            timeoutNs = Self.nanoseconds(from: current, until: next)
        }
        if let maximumWait {
            let cap = Self.nanoseconds(from: current, until: current + maximumWait)
            timeoutNs = timeoutNs < 0 ? cap : min(timeoutNs, cap)
        }
        let count = tandem_epoll_wait_ns(epoll.rawValue, readyFDs, readyEvents, 64, timeoutNs,
                                         allowsSubMillisecondWait ? 1 : 0)
        if count < 0 && errno != EINTR { throw SystemError.current("epoll_wait") }
        for i in 0..<max(0, Int(count)) {
            dispatch(readyFDs[i], readyEvents[i])
        }
        fireDueTimers()
        onIteration?()
    }

    private func dispatch(_ fd: Int32, _ events: UInt32) {
        let failure = EPOLLHUP.rawValue | EPOLLERR.rawValue | EPOLLRDHUP.rawValue
        // Looked up per event: an earlier handler of this turn may have unwatched or closed this fd. A number closed
        // and reused by a new watch within the same turn can give that watch one spurious wake-up, which its
        // non-blocking handler reads as EAGAIN.
        if events & (EPOLLIN.rawValue | failure) != 0, let handler = watches[fd]?.onReadable {
            handler()
        }
        if events & (EPOLLOUT.rawValue | EPOLLHUP.rawValue | EPOLLERR.rawValue) != 0,
           let handler = watches[fd]?.onWritable {
            handler()
        }
    }

    private func fireDueTimers() {
        // Only timers due now: one scheduled by a handler for "now" waits for the next turn,
        // so a self-rescheduling timer cannot starve the file descriptors.
        let current = MonotonicInstant.now
        let last = timers.lastSequence
        while let handler = timers.popDue(now: current, through: last) { handler() }
    }

    /// Nanoseconds until `deadline`, 0 when past. The kernel never ends the wait before it (it may add its timer
    /// slack, 50 µs by default, see `setTimerSlack`), and a timer that is not yet due when the wait ends just waits
    /// again for what is left, so no timer fires early and an early wake-up does not spin.
    private static func nanoseconds(from current: MonotonicInstant, until deadline: MonotonicInstant) -> Int64 {
        max(0, (deadline - current).totalNanoseconds)
    }

    /// Sets the calling thread's timer slack (PR_SET_TIMERSLACK): how much later than asked the kernel may end a
    /// wait to batch wake-ups, 50 µs by default. A daemon whose timers are protocol deadlines (vrrpd's adverts)
    /// lowers it on its loop's thread; 0 is the kernel's "back to the default", so at least 1 ns is set.
    public static func setTimerSlack(_ slack: Duration) throws {
        let ns = UInt(max(1, slack.totalNanoseconds))
        if tandem_prctl(PR_SET_TIMERSLACK, ns, 0, 0, 0) != 0 { throw SystemError.current("prctl(PR_SET_TIMERSLACK)") }
    }

    /// True while the loop waits with epoll_pwait2 (a nanosecond timeout); false where the kernel (before 5.11) or a
    /// seccomp filter refused it and it fell back to epoll_wait's whole milliseconds, rounded up.
    public static var hasSubMillisecondWait: Bool { tandem_epoll_pwait2_in_use() != 0 }
}
