import CSystemd
import Glibc
import Logging

/// A swift-log handler writing structured entries to journald with sd_journal_sendv, through `JournalWriter`'s
/// thread: an entry is rendered and queued on the caller's thread, never waited for.
public struct JournaldLogHandler: LogHandler {
    /// SYSLOG_IDENTIFIER of every entry (the daemon's name).
    public let identifier: String
    /// Events below this level are dropped.
    public var logLevel: Logger.Level
    /// Metadata attached to every event of this logger.
    public var metadata: Logger.Metadata = [:]

    private let writer: JournalWriter

    /// A handler tagging entries with `identifier`, queueing them on `writer`.
    public init(identifier: String, logLevel: Logger.Level = .info, writer: JournalWriter = .shared) {
        self.identifier = identifier
        self.logLevel = logLevel
        self.writer = writer
    }

    /// One metadata value of this handler.
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Supplies contextual metadata at log time, merged under this handler's and the call's.
    public var metadataProvider: Logger.MetadataProvider?

    /// Emits one event (swift-log has already checked the level).
    public func log(event: LogEvent) {
        let fields = JournalFields.render(identifier: identifier, event: event,
                                          handlerMetadata: metadata, provider: metadataProvider)
        writer.enqueue(fields)
    }
}
