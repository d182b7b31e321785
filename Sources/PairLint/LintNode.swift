import KeepalivedConfig

/// One node's configuration, read: the model, the statements it was read from (for the lines of keywords the
/// model keeps no location for) and the reader's warnings.
public struct LintNode: Sendable {
    /// The path as the operator gave it; every location of this node names it so.
    public var file: String
    public var configuration: KeepalivedConfiguration
    public var statements: StatementIndex
    public var warnings: [Diagnostic]

    public init(file: String, configuration: KeepalivedConfiguration, statements: StatementIndex,
                warnings: [Diagnostic] = []) {
        self.file = file
        self.configuration = configuration
        self.statements = statements
        self.warnings = warnings
    }

    public enum LoadResult: Sendable {
        case loaded(LintNode)
        /// The file has errors (or cannot be read): every diagnostic the reader gave, warnings included.
        case unreadable([Diagnostic])
    }

    public static func load(path: String, source: ConfigSource = DiskConfigSource()) -> LoadResult {
        result(ConfigLoader.load(path: path, source: source), file: path) {
            StatementIndex.load(path: path, source: source)
        }
    }

    /// Text held in memory, named `name` in every location (tests).
    public static func parse(_ text: String, name: String) -> LoadResult {
        result(ConfigLoader.parse(text, name: name), file: name) { StatementIndex.parse(text, name: name) }
    }

    private static func result(_ loaded: ConfigLoadResult, file: String,
                               statements: () -> StatementIndex) -> LoadResult {
        guard let configuration = loaded.configuration else { return .unreadable(loaded.diagnostics) }
        return .loaded(LintNode(file: file, configuration: configuration, statements: statements(),
                                warnings: loaded.warnings))
    }
}
