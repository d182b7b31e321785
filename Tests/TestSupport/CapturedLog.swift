import Glibc
import Logging

/// Log entries kept in memory for a test to read; shared by the copies of the handler swift-log makes, which may
/// log from any thread.
public final class CapturedLog: @unchecked Sendable {
    public struct Entry: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: Logger.Metadata
    }

    private var lock = pthread_mutex_t()
    private var lines: [Entry] = []

    public init() { pthread_mutex_init(&lock, nil) }

    /// A logger whose every entry lands here.
    public func logger(label: String) -> Logger { Logger(label: label) { _ in CapturingLogHandler(log: self) } }

    func append(_ entry: Entry) {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        lines.append(entry)
    }

    public var entries: [Entry] {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return lines
    }

    public func contains(_ text: String, at level: Logger.Level? = nil) -> Bool {
        entries.contains { $0.message.contains(text) && (level == nil || $0.level == level) }
    }

    public var text: String { entries.map { "[\($0.level)] \($0.message)" }.joined(separator: "\n") }
}

struct CapturingLogHandler: LogHandler {
    let log: CapturedLog
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        log.append(CapturedLog.Entry(level: event.level, message: event.message.description,
                                     metadata: event.metadata ?? [:]))
    }
}
