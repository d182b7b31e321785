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
///
/// Bounded: a file of millions of unknown keywords (or stray braces) must not cost gigabytes of findings nobody
/// reads. The first `maximumKept` findings of each severity in each scope are kept; the rest are counted and
/// stand as one finding, at the first omitted one's location, that says how many more there were. An omitted
/// error still makes its scope unusable.
public struct DiagnosticLog: Sendable {
    /// How many findings of one severity in one scope are kept.
    public static let maximumKept = 1000

    private struct Kind: Hashable, Sendable {
        var scope: ConfigScope
        var severity: DiagnosticSeverity
    }

    private struct Omitted: Sendable {
        var count: Int
        var first: ConfigLocation
    }

    private var kept: [Diagnostic] = []
    private var keptByKind: [Kind: Int] = [:]
    private var omitted: [Kind: Omitted] = [:]
    /// The part of the configuration being read; every finding recorded is tagged with it.
    public var scope: ConfigScope = .syntax

    public init() {}

    public mutating func error(_ location: ConfigLocation, _ message: String) {
        record(Diagnostic(.error, location, message, scope: scope))
    }

    public mutating func warning(_ location: ConfigLocation, _ message: String) {
        record(Diagnostic(.warning, location, message, scope: scope))
    }

    /// Whether a finding of `severity` in the current scope would be kept: a caller skips costly wording (a
    /// "did you mean") for one that would only be counted.
    public func keeps(_ severity: DiagnosticSeverity) -> Bool {
        keptByKind[Kind(scope: scope, severity: severity), default: 0] < Self.maximumKept
    }

    private mutating func record(_ finding: Diagnostic) {
        let kind = Kind(scope: finding.scope, severity: finding.severity)
        let count = keptByKind[kind, default: 0]
        if count < Self.maximumKept {
            keptByKind[kind] = count + 1
            kept.append(finding)
        } else if omitted[kind] == nil {
            omitted[kind] = Omitted(count: 1, first: finding.location)
        } else {
            omitted[kind]!.count += 1
        }
    }

    /// Every finding kept, then one for each kind that had more than `maximumKept`.
    public var all: [Diagnostic] {
        kept + omitted.sorted { ($0.key.scope.rawValue, $0.key.severity.rawValue) < ($1.key.scope.rawValue, $1.key.severity.rawValue) }
            .map { kind, omitted in
                let noun = kind.severity == .error ? "error" : "warning"
                return Diagnostic(kind.severity, omitted.first,
                                  "\(omitted.count) more \(noun)\(omitted.count == 1 ? "" : "s") from here on are not shown (only the first \(Self.maximumKept) \(noun)s of each part of the configuration are kept)",
                                  scope: kind.scope)
            }
    }

    /// How many findings were counted but not kept.
    public var omittedCount: Int { omitted.values.reduce(0) { $0 + $1.count } }

    public var hasErrors: Bool {
        kept.contains { $0.severity == .error } || omitted.keys.contains { $0.severity == .error }
    }
    public var errors: [Diagnostic] { all.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { all.filter { $0.severity == .warning } }
}
