#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Platform

/// Runs one piece of blocking work at a time on a thread of its own and hands its result to the loop. A reload's
/// reading of keepalived.conf is such work: a large file takes seconds, a hostile one (an include graph at its
/// bounds) longer, and minutes under emulation; on the loop it held vrrpd's adverts until the BACKUP took over
/// while the MASTER still held its VIPs. The result comes back through a pipe the loop watches, so the rest
/// (applying the configuration) stays on the loop as before.
///
/// While the work runs the loop asks `stepsDone` whether it advanced since the last look: progress is told to
/// systemd from the loop (the reload's timeout is extended only while the reading advances), never from the
/// worker.
final class BackgroundWork<Result: Sendable> {
    /// What the worker and the loop share, under a lock: the result, the steps, and the pipe's write end, which
    /// is a plain number because its last user may be the worker (when this object goes while work still runs,
    /// the worker closes it after the work, so it never writes to a number reused meanwhile).
    private final class Shared: @unchecked Sendable {
        private var lock = pthread_mutex_t()
        var result: Result?
        var steps = 0
        var running = false
        var abandoned = false
        let writer: Int32

        init(writer: Int32) {
            self.writer = writer
            pthread_mutex_init(&lock, nil)
        }

        func locked<T>(_ body: (Shared) -> T) -> T {
            pthread_mutex_lock(&lock)
            defer { pthread_mutex_unlock(&lock) }
            return body(self)
        }
    }

    private let shared: Shared
    /// The pipe's read end, watched by the loop: the worker writes a byte when its result is in `shared`.
    private let wakeup: OwnedDescriptor
    private var completion: ((Result) -> Void)?

    init(loop: EventLoop) throws {
        // pipe2 is not in Swift's Glibc module: pipe, then the flags on each end.
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw SystemError.current("pipe") }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        wakeup = OwnedDescriptor(adopting: ends[0])
        shared = Shared(writer: ends[1])
        do {
            try loop.watchReadable(wakeup) { [unowned self] in deliver() }
        } catch {
            wakeup.close()
            Glibc.close(ends[1])
            throw error
        }
    }

    deinit {
        wakeup.close()
        shared.locked { shared in
            if shared.running { shared.abandoned = true } else { _ = Glibc.close(shared.writer) }
        }
    }

    /// Whether work is running (its completion not yet called).
    var isRunning: Bool { completion != nil }

    /// Steps the running work reported through its `advanced` callback so far.
    var stepsDone: Int { shared.locked { $0.steps } }

    /// Starts `work` on a new thread (none may be running); `completion` gets its result on the loop.
    func start(_ work: @escaping @Sendable (_ advanced: @escaping @Sendable () -> Void) -> Result,
               completion: @escaping (Result) -> Void) {
        precondition(self.completion == nil, "one piece of background work at a time")
        self.completion = completion
        let shared = shared
        shared.locked { shared in
            shared.result = nil
            shared.steps = 0
            shared.running = true
        }
        let thread = Thread {
            // Signals are the loop's (its signalfd): this thread must never be the one the kernel picks for them.
            var all = sigset_t()
            sigfillset(&all)
            pthread_sigmask(SIG_BLOCK, &all, nil)
            let outcome = work { shared.locked { $0.steps += 1 } }
            shared.locked { shared in
                shared.result = outcome
                shared.running = false
                if shared.abandoned {
                    _ = Glibc.close(shared.writer)
                } else {
                    var byte: UInt8 = 1
                    _ = write(shared.writer, &byte, 1)
                }
            }
        }
        // The reader's recursion is bounded (32 blocks), but keep the main thread's usual room.
        thread.stackSize = 8 << 20
        JournalWriter.startWithSignalsBlocked(thread)
    }

    private func deliver() {
        var bytes = [UInt8](repeating: 0, count: 16)
        _ = read(wakeup.rawValue, &bytes, bytes.count)
        let result: Result? = shared.locked { shared in
            defer { shared.result = nil }
            return shared.result
        }
        guard let result, let completion else { return }
        self.completion = nil
        completion(result)
    }
}
