import KeepalivedConfig

/// What `tandemctl lint` prints with `--json`: the object docs/json/lint.md describes. Fields are added, never
/// renamed or given another meaning, within one schema version.
public struct LintReport: Codable, Equatable, Sendable {
    public static let schemaVersion = "tandem.lint/1"

    public var schema: String
    public var files: [String]
    /// "clean" (no error; warnings may remain), "errors", or "unreadable" (a file could not be read).
    public var status: Status
    public var errors: Int
    public var warnings: Int
    public var findings: [Finding]
    /// The reader's diagnostics, only when a file could not be read: then there are no findings.
    public var diagnostics: [ReaderDiagnostic]

    public enum Status: String, Codable, Sendable {
        case clean, errors, unreadable

        /// The process's exit status: 0 clean, 1 errors found, 2 a file could not be read.
        public var exitStatus: Int32 {
            switch self {
            case .clean: return 0
            case .errors: return 1
            case .unreadable: return 2
            }
        }
    }

    public struct Place: Codable, Equatable, Sendable {
        public var file: String
        /// Absent on the other side when the other node has no counterpart.
        public var line: Int?
        public var column: Int?

        public init(file: String, line: Int? = nil, column: Int? = nil) {
            self.file = file
            self.line = line
            self.column = column
        }

        init(_ location: ConfigLocation) { self.init(file: location.file, line: location.line, column: location.column) }
    }

    public struct Finding: Codable, Equatable, Sendable {
        public var severity: String
        public var code: String
        public var subject: String
        public var message: String
        public var location: Place
        /// Absent for a finding about one file alone (config-warning).
        public var other: Place?
    }

    public struct ReaderDiagnostic: Codable, Equatable, Sendable {
        public var severity: String
        public var message: String
        public var location: Place
    }

    public init(files: [String], findings: [LintFinding]) {
        schema = Self.schemaVersion
        self.files = files
        errors = findings.filter { $0.severity == .error }.count
        warnings = findings.count - errors
        status = errors > 0 ? .errors : .clean
        self.findings = findings.map { finding in
            Finding(severity: finding.severity.rawValue, code: finding.code.rawValue, subject: finding.subject,
                    message: finding.message, location: Place(finding.location),
                    other: finding.other.map { other in other.location.map(Place.init) ?? Place(file: other.file) })
        }
        diagnostics = []
    }

    public init(files: [String], unreadable: [Diagnostic]) {
        schema = Self.schemaVersion
        self.files = files
        status = .unreadable
        errors = unreadable.filter { $0.severity == .error }.count
        warnings = unreadable.count - errors
        findings = []
        diagnostics = unreadable.map {
            ReaderDiagnostic(severity: $0.severity.rawValue, message: $0.message, location: Place($0.location))
        }
    }
}
