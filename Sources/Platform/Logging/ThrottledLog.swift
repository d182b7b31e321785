import Logging
import Vocabulary

/// One kind of log line that a peer can cause at will (a malformed message, a refused one, a result for a script
/// the configuration does not define): the first is written at once, the rest at most once per `interval` as one
/// line that says how many there were. With a loop, a burst's count is written `interval` after its first line by
/// a timer, not only when a later one happens to come.
public final class ThrottledLog {
    public let interval: Duration
    /// Every occurrence recorded, written or not.
    public private(set) var total = 0
    private var unwritten = 0
    private var lastWritten: MonotonicInstant?
    /// The newest occurrence not written yet: what the next line says (with the count).
    private var latest: ((_ since: Int, _ total: Int) -> (Logger.Message, Logger.Metadata))?
    private var flushTimer: TimerID?
    private let loop: EventLoop?
    private let logger: Logger
    private let level: Logger.Level

    public init(logger: Logger, level: Logger.Level = .warning, interval: Duration = .seconds(10), loop: EventLoop?) {
        self.logger = logger
        self.level = level
        self.interval = interval
        self.loop = loop
    }

    /// Records one occurrence; `line` makes its log line from how many occurred since the last line written
    /// (this one included) and in all, and is called only when a line is written.
    public func record(_ line: @escaping (_ since: Int, _ total: Int) -> (Logger.Message, Logger.Metadata)) {
        total += 1
        unwritten += 1
        latest = line
        let now = MonotonicInstant.now
        if let last = lastWritten, now - last < interval {
            if flushTimer == nil, let loop {
                flushTimer = loop.schedule(at: last + interval) { [weak self] in
                    self?.flushTimer = nil
                    self?.flush()
                }
            }
            return
        }
        write(at: now)
    }

    /// Writes what was recorded and not written yet, now.
    public func flush() {
        guard unwritten > 0 else { return }
        write(at: .now)
    }

    private func write(at now: MonotonicInstant) {
        guard let latest else { return }
        let (message, metadata) = latest(unwritten, total)
        logger.log(level: level, message, metadata: metadata)
        unwritten = 0
        self.latest = nil
        lastWritten = now
        if let flushTimer, let loop {
            loop.cancel(flushTimer)
            self.flushTimer = nil
        }
    }

    // What was counted and not written yet is written now (a connection that closes before the timer fires
    // takes its count with it otherwise).
    deinit {
        if let flushTimer, let loop { loop.cancel(flushTimer) }
        flushTimer = nil
        flush()
    }
}
