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

/// Which part of the configuration a finding is about. Each daemon reads only its own part, so an error in
/// another daemon's part does not stop it; syntax and global_defs concern all three.
public enum ConfigScope: String, Sendable, Hashable, CaseIterable {
    /// Files, includes, braces, quotes: nothing after such an error can be trusted.
    case syntax
    case global
    /// vrrp_script, vrrp_sync_group, vrrp_instance.
    case vrrp
    /// virtual_server_group, virtual_server and everything inside.
    case virtualServers
}

/// One finding about the configuration, printed in the compiler style editors understand:
/// `file:line:column: error: message`.
public struct Diagnostic: Hashable, Sendable, CustomStringConvertible {
    public var severity: DiagnosticSeverity
    public var location: ConfigLocation
    public var message: String
    public var scope: ConfigScope

    public init(_ severity: DiagnosticSeverity, _ location: ConfigLocation, _ message: String,
                scope: ConfigScope = .syntax) {
        self.severity = severity
        self.location = location
        self.message = message
        self.scope = scope
    }

    public var description: String { "\(location): \(severity.rawValue): \(message)" }
}

/// Collects findings while the configuration is read; shared by the lexer, the loader and the readers.
public struct DiagnosticLog: Sendable {
    public private(set) var all: [Diagnostic] = []
    /// The part of the configuration being read; every finding recorded is tagged with it.
    public var scope: ConfigScope = .syntax

    public init() {}

    public mutating func error(_ location: ConfigLocation, _ message: String) {
        all.append(Diagnostic(.error, location, message, scope: scope))
    }

    public mutating func warning(_ location: ConfigLocation, _ message: String) {
        all.append(Diagnostic(.warning, location, message, scope: scope))
    }

    public var hasErrors: Bool { all.contains { $0.severity == .error } }
    public var errors: [Diagnostic] { all.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { all.filter { $0.severity == .warning } }
}
