import CSystemd
import Foundation
import Glibc

/// Hands journal entries to journald from a thread of its own, so logging never blocks a daemon's loop.
/// sd_journal_sendv writes to journald's datagram socket and waits when journald is slow or restarting (its
/// socket's queue full): on vrrpd's loop that wait would hold the adverts, and the BACKUP would take over while
/// the MASTER is alive (issue 16). The loop only queues an entry; the writer sends them in order.
///
/// Bounded: beyond `capacity` queued entries a new one is dropped and counted, and once the queue has room again
/// one entry says how many were lost. `flush` waits (bounded) for the queue to drain, for a daemon about to exit.
public final class JournalWriter: @unchecked Sendable {
    /// The process's writer, sending with sd_journal_sendv.
    public static let shared = JournalWriter(identifier: ProcessInfo.processInfo.processName) { fields in
        JournalFields.withIOVecs(fields) { vectors in
            _ = sd_journal_sendv(vectors.baseAddress, Int32(vectors.count))
        }
    }

    public let capacity: Int
    private let identifier: String
    private let sink: ([String]) -> Void
    private var lock = pthread_mutex_t()
    private var wake = pthread_cond_t()
    private var drained = pthread_cond_t()
    private var queue: [[String]] = []
    private var head = 0
    private var writing = false
    private var dropped = 0
    private var droppedTotal = 0
    private var started = false

    /// A writer that hands each entry's fields to `sink` on its own thread (tests give a sink of their own).
    public init(identifier: String, capacity: Int = 8192, sink: @escaping ([String]) -> Void) {
        self.identifier = identifier
        self.capacity = capacity
        self.sink = sink
        pthread_mutex_init(&lock, nil)
        pthread_cond_init(&wake, nil)
        pthread_cond_init(&drained, nil)
    }

    /// Entries dropped because the queue was full, since the start.
    public var droppedEntries: Int {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return droppedTotal
    }

    /// Queues one entry; never waits for journald.
    public func enqueue(_ fields: [String]) {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        if !started {
            started = true
            let thread = Thread { [unowned self] in run() }
            Self.startWithSignalsBlocked(thread)
        }
        guard queue.count - head < capacity else {
            dropped += 1
            droppedTotal += 1
            return
        }
        queue.append(fields)
        pthread_cond_signal(&wake)
    }

    /// Waits until every queued entry is written, at most `timeout`; true when it was.
    @discardableResult
    public func flush(timeout: Duration = .seconds(2)) -> Bool {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        var deadline = timespec()
        clock_gettime(CLOCK_REALTIME, &deadline)
        let (seconds, attoseconds) = timeout.components
        let nanoseconds = Int(deadline.tv_nsec) + Int(attoseconds / 1_000_000_000)
        deadline.tv_sec += Int(seconds) + nanoseconds / 1_000_000_000
        deadline.tv_nsec = nanoseconds % 1_000_000_000
        while queue.count > head || writing {
            if pthread_cond_timedwait(&drained, &lock, &deadline) == ETIMEDOUT { return false }
        }
        return true
    }

    /// Starts `thread` with every signal blocked from its first instruction (a thread inherits its creator's
    /// mask), whatever the caller's mask is; the caller's is left as it was.
    public static func startWithSignalsBlocked(_ thread: Thread) {
        var all = sigset_t()
        sigfillset(&all)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &all, &previous)
        thread.start()
        pthread_sigmask(SIG_SETMASK, &previous, nil)
    }

    private func run() {
        // The first entry may come before the loop blocks the signals it takes through its signalfd; a thread
        // that left them unblocked would be the one the kernel picks for them, and SIGHUP's or SIGTERM's default
        // action would end the daemon (seen in the lab: a reload killed vrrpd, its VIPs left on the interface).
        var all = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_BLOCK, &all, nil)
        while true {
            pthread_mutex_lock(&lock)
            while queue.count == head { pthread_cond_wait(&wake, &lock) }
            var batch = Array(queue[head...])
            queue.removeAll(keepingCapacity: queue.capacity <= 4 * capacity)
            head = 0
            if dropped > 0 {
                batch.append(JournalFields.render(
                    identifier: identifier, level: .warning,
                    message: "\(dropped) log entries were dropped: journald did not take them as fast as they came",
                    metadata: ["LOG_DROPPED": "\(dropped)"], file: #fileID, function: #function, line: #line))
                dropped = 0
            }
            writing = true
            pthread_mutex_unlock(&lock)
            for fields in batch { sink(fields) }
            pthread_mutex_lock(&lock)
            writing = false
            if queue.count == head { pthread_cond_broadcast(&drained) }
            pthread_mutex_unlock(&lock)
        }
    }
}
