import Glibc
import Logging

/// A logger's lines, kept in memory and shared by the copies of the handler swift-log makes.
public final class LogRecorder: @unchecked Sendable {
    private var lock = pthread_mutex_t()
    private var lines: [(level: Logger.Level, message: String)] = []

    public init() { pthread_mutex_init(&lock, nil) }

    public var logger: Logger { Logger(label: "test") { _ in RecordingLogHandler(recorder: self) } }

    public func append(_ level: Logger.Level, _ message: String) {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        lines.append((level, message))
    }

    public var entries: [(level: Logger.Level, message: String)] {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return lines
    }

    public func contains(_ text: String, at level: Logger.Level? = nil) -> Bool {
        entries.contains { $0.message.contains(text) && (level == nil || $0.level == level) }
    }

    public var text: String { entries.map { "[\($0.level)] \($0.message)" }.joined(separator: "\n") }
}

public struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    public var logLevel: Logger.Level = .trace
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) { recorder.append(event.level, event.message.description) }
}
