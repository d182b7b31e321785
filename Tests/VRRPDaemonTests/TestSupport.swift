import Glibc
import KeepalivedConfig
import Logging
import VRRP
import Vocabulary

/// An address from its text; traps on a typo, which is the test's own.
func ip(_ text: String) -> IPAddress {
    var v4 = in_addr()
    if inet_pton(AF_INET, text, &v4) == 1, let address = IPAddress(bytes: withUnsafeBytes(of: &v4) { Array($0) }) {
        return address
    }
    var v6 = in6_addr()
    guard inet_pton(AF_INET6, text, &v6) == 1, let address = IPAddress(bytes: withUnsafeBytes(of: &v6) { Array($0) })
    else { preconditionFailure("not an address: \(text)") }
    return address
}

struct ConfigurationRefused: Error, CustomStringConvertible {
    var description: String
}

/// keepalived.conf text as vrrpd reads it.
func parseConfiguration(_ text: String) throws -> KeepalivedConfiguration {
    let result = ConfigLoader.parse(text)
    guard let configuration = result.configuration(for: [.vrrp]) else {
        throw ConfigurationRefused(description: result.errors.map { "\($0)" }.joined(separator: "\n"))
    }
    return configuration
}

/// One engine's log lines, shared by the copies of the handler swift-log makes.
final class LogRecorder: @unchecked Sendable {
    private var lock = pthread_mutex_t()
    private var lines: [(level: Logger.Level, message: String)] = []

    init() { pthread_mutex_init(&lock, nil) }

    var logger: Logger { Logger(label: "test.vrrpd") { _ in RecordingLogHandler(recorder: self) } }

    func append(_ level: Logger.Level, _ message: String) {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        lines.append((level, message))
    }

    var entries: [(level: Logger.Level, message: String)] {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return lines
    }

    func contains(_ text: String, at level: Logger.Level? = nil) -> Bool {
        entries.contains { $0.message.contains(text) && (level == nil || $0.level == level) }
    }

    var text: String { entries.map { "[\($0.level)] \($0.message)" }.joined(separator: "\n") }
}

struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) { recorder.append(event.level, event.message.description) }
}
