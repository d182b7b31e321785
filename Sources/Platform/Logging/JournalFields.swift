import Glibc
import Logging

/// Turns one log event into journald fields: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, CODE_*, and one
/// upper-case field per metadata key, so `journalctl VRRP_INSTANCE=VI_1` finds it.
enum JournalFields {
    /// syslog priority of a swift-log level (journald's PRIORITY field).
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// A metadata key as a journald field name: upper case, [A-Z0-9_] only, not starting with
    /// "_" (reserved for trusted fields) or a digit; nil when nothing usable is left.
    static func fieldName(_ key: String) -> String? {
        var name = String(key.uppercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "_" })
        while name.first == "_" { name.removeFirst() }
        if let first = name.first, first.isNumber { name = "F_" + name }
        if name.isEmpty { return nil }
        // journald ignores field names longer than 64 bytes.
        return String(name.prefix(64))
    }

    /// All fields of one event as "NAME=value" strings, in a fixed order.
    static func render(identifier: String, level: Logger.Level, message: String,
                       metadata: Logger.Metadata, file: String, function: String, line: UInt) -> [String] {
        var fields = [
            "MESSAGE=\(message)",
            "PRIORITY=\(priority(level))",
            "SYSLOG_IDENTIFIER=\(identifier)",
            "CODE_FILE=\(file)",
            "CODE_LINE=\(line)",
            "CODE_FUNC=\(function)",
        ]
        let reserved: Set = ["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "CODE_FILE", "CODE_LINE", "CODE_FUNC"]
        for key in metadata.keys.sorted() {
            guard let name = fieldName(key), !reserved.contains(name), let value = metadata[key] else { continue }
            fields.append("\(name)=\(value)")
        }
        return fields
    }

    /// The fields of a swift-log event: the call's metadata wins over the handler's, which wins over
    /// the provider's; an attached error becomes ERROR.
    static func render(identifier: String, event: LogEvent, handlerMetadata: Logger.Metadata,
                       provider: Logger.MetadataProvider?) -> [String] {
        var merged = provider?.get() ?? [:]
        merged.merge(handlerMetadata) { _, new in new }
        merged.merge(event.metadata ?? [:]) { _, new in new }
        if let error = event.error, merged["error"] == nil { merged["error"] = "\(error)" }
        return render(identifier: identifier, level: event.level, message: event.message.description,
                      metadata: merged, file: event.file, function: event.function, line: event.line)
    }

    /// Calls `body` with one iovec per field, pointing at the fields' UTF-8 bytes (valid only inside).
    static func withIOVecs<R>(_ fields: [String], _ body: (UnsafeBufferPointer<iovec>) -> R) -> R {
        // One contiguous buffer holds every field, so the iovecs stay valid for the whole call.
        var storage: [UInt8] = []
        var ranges: [Range<Int>] = []
        for field in fields {
            let start = storage.count
            storage += field.utf8
            ranges.append(start..<storage.count)
        }
        return storage.withUnsafeMutableBytes { raw in
            let vectors = ranges.map { range in
                iovec(iov_base: raw.baseAddress.map { $0 + range.lowerBound }, iov_len: range.count)
            }
            return vectors.withUnsafeBufferPointer(body)
        }
    }
}
