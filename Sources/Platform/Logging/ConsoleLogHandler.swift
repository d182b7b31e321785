import Glibc
import Logging

/// A swift-log handler writing one line per event to stderr: time, level, identifier, message, key=value.
public struct ConsoleLogHandler: LogHandler {
    /// The name shown on every line (the daemon's name).
    public let identifier: String
    /// Events below this level are dropped.
    public var logLevel: Logger.Level
    /// Metadata attached to every event of this logger.
    public var metadata: Logger.Metadata = [:]
    /// Supplies contextual metadata at log time, merged under this handler's and the call's.
    public var metadataProvider: Logger.MetadataProvider?

    /// A handler writing lines tagged with `identifier` to stderr.
    public init(identifier: String, logLevel: Logger.Level = .info) {
        self.identifier = identifier
        self.logLevel = logLevel
    }

    /// One metadata value of this handler.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Emits one event (swift-log has already checked the level).
    public func log(event: LogEvent) {
        var merged = metadataProvider?.get() ?? [:]
        merged.merge(metadata) { _, new in new }
        merged.merge(event.metadata ?? [:]) { _, new in new }
        if let error = event.error, merged["error"] == nil { merged["error"] = "\(error)" }
        let line = Self.format(time: Self.wallClock(), identifier: identifier, level: event.level,
                               message: event.message.description, metadata: merged) + "\n"
        // One write(2) per line, so lines of concurrent writers do not interleave.
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(STDERR_FILENO, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// "12:00:01.250 info vrrpd: entering MASTER state VRRP_INSTANCE=VI_1 VRRP_STATE=MASTER".
    static func format(time: String, identifier: String, level: Logger.Level, message: String,
                       metadata: Logger.Metadata) -> String {
        var line = "\(time) \(level) \(identifier): \(Self.oneLine(message))"
        for key in metadata.keys.sorted() {
            guard let value = metadata[key] else { continue }
            line += " \(key)=\(quoted("\(value)"))"
        }
        return line
    }

    /// The value as is, or in double quotes when it is empty or holds spaces, quotes or '='.
    static func quoted(_ value: String) -> String {
        let plain = !value.isEmpty && !value.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }
        if plain { return value }
        var escaped = ""
        for character in value {
            if character == "\\" || character == "\"" { escaped.append("\\") }
            escaped.append(character)
        }
        return "\"\(oneLine(escaped))\""
    }

    /// Newlines shown as "\n" so an event stays on one line.
    private static func oneLine(_ text: String) -> String {
        text.contains(where: \.isNewline) ? text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
            .joined(separator: "\\n") : text
    }

    /// Local wall-clock time of day with milliseconds.
    private static func wallClock() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var parts = tm()
        var seconds = ts.tv_sec
        localtime_r(&seconds, &parts)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let millis = Int(ts.tv_nsec / 1_000_000)
        let ms = millis < 10 ? "00\(millis)" : millis < 100 ? "0\(millis)" : "\(millis)"
        return "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(ms)"
    }
}
