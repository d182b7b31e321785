import Glibc
import Logging

/// Chooses and installs the process's log handlers.
public enum LoggingSetup {
    /// Where log events go.
    public struct Destinations: OptionSet, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// Structured entries to journald.
        public static let journald = Destinations(rawValue: 1)
        public static let console = Destinations(rawValue: 2)
    }

    /// journald's socket: its presence, not sd_journal_sendv's result, says whether journald listens.
    public static let journaldSocketPath = "/run/systemd/journal/socket"

    /// journald when its socket exists, the console when asked; the console also when nothing else would log.
    public static func destinations(console: Bool, journaldAvailable: Bool) -> Destinations {
        var chosen: Destinations = []
        if journaldAvailable { chosen.insert(.journald) }
        if console || !journaldAvailable { chosen.insert(.console) }
        return chosen
    }

    /// The handler for `destinations` at `level` (debug with `detail`, info otherwise).
    public static func makeHandler(identifier: String, destinations: Destinations, level: Logger.Level) -> any LogHandler {
        var handlers: [any LogHandler] = []
        if destinations.contains(.journald) { handlers.append(JournaldLogHandler(identifier: identifier, logLevel: level)) }
        if destinations.contains(.console) { handlers.append(ConsoleLogHandler(identifier: identifier, logLevel: level)) }
        return handlers.count == 1 ? handlers[0] : MultiplexLogHandler(handlers)
    }

    /// Installs the handlers for this process (call once, first thing in main); returns what it chose.
    @discardableResult
    public static func bootstrap(identifier: String, console: Bool, detail: Bool) -> Destinations {
        let chosen = destinations(console: console, journaldAvailable: access(journaldSocketPath, F_OK) == 0)
        let level: Logger.Level = detail ? .debug : .info
        LoggingSystem.bootstrap { _ in makeHandler(identifier: identifier, destinations: chosen, level: level) }
        return chosen
    }
}
