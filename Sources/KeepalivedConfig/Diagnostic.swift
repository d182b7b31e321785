/// Where something is in the configuration: the file as it was named, and a 1-based line and column.
public struct ConfigLocation: Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// How bad a finding is. Errors make a configuration unusable; warnings are reported and the value is ignored
/// or defaulted, as keepalived does.
public enum DiagnosticSeverity: String, Sendable, Comparable {
    case warning
    case error

    public static func < (a: Self, b: Self) -> Bool { a == .warning && b == .error }
}

/// One finding about the configuration, printed in the compiler style editors understand:
/// `file:line:column: error: message`.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public var severity: DiagnosticSeverity
    public var location: ConfigLocation
    public var message: String

    public init(_ severity: DiagnosticSeverity, _ location: ConfigLocation, _ message: String) {
        self.severity = severity
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(severity.rawValue): \(message)" }
}

/// Collects findings while the configuration is read; shared by the lexer, the loader and the readers.
public struct DiagnosticLog: Sendable {
    public private(set) var all: [Diagnostic] = []

    public init() {}

    public mutating func error(_ location: ConfigLocation, _ message: String) {
        all.append(Diagnostic(.error, location, message))
    }

    public mutating func warning(_ location: ConfigLocation, _ message: String) {
        all.append(Diagnostic(.warning, location, message))
    }

    public var hasErrors: Bool { all.contains { $0.severity == .error } }
    public var errors: [Diagnostic] { all.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { all.filter { $0.severity == .warning } }
}
