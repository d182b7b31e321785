import Glibc
import Logging
import Testing
import Wire
@testable import Platform

/// Collects log lines in memory; shared between the handler copies swift-log makes.
final class CapturedLog: @unchecked Sendable {
    private var lock = pthread_mutex_t()
    private var lines: [(Logger.Level, String, Logger.Metadata)] = []
    init() { pthread_mutex_init(&lock, nil) }
    func append(_ entry: (Logger.Level, String, Logger.Metadata)) {
        pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }
        lines.append(entry)
    }
    var entries: [(Logger.Level, String, Logger.Metadata)] {
        pthread_mutex_lock(&lock); defer { pthread_mutex_unlock(&lock) }
        return lines
    }
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
        log.append((event.level, event.message.description, event.metadata ?? [:]))
    }
}

@Test func malformedMessagesAreLoggedOncePerInterval() {
    let captured = CapturedLog()
    let logger = Logger(label: "test") { _ in CapturingLogHandler(log: captured) }
    let peer = PeerCredentials(pid: 7, uid: 0, gid: 0)
    var reporter = DropReporter(interval: .milliseconds(50))
    for _ in 0..<100 { reporter.record(.truncated, from: peer, logger: logger) }
    #expect(reporter.total == 100)
    #expect(captured.entries.count == 1, "a burst logs one line")
    usleep(60_000)
    reporter.record(.badMagic(1), from: peer, logger: logger)
    #expect(captured.entries.count == 2)
    let summary = captured.entries[1].2
    #expect(summary["dropped_since_last_report"] == "100", "the summary counts the suppressed ones")
    #expect(summary["dropped_total"] == "101")
    #expect(captured.entries.allSatisfy { $0.0 == .warning })
}
