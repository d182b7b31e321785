/// The statements of a configuration as written, found by the location of their block's keyword. The model keeps
/// one location per block (an instance, a virtual server, a real server, a checker); a tool that points at one
/// line inside it (tandemctl lint: "priority 100" of vrrp_instance VI_1) looks the line up here. Reading is the
/// loader's own lexer, includes and statement builder, so every location is the one the loader gave the model.
public struct StatementIndex: Sendable {
    /// The top-level statements, includes spliced in.
    public private(set) var topLevel: [Statement] = []
    private var blocks: [ConfigLocation: Statement] = [:]

    /// Reads `path` as ConfigLoader.load does; a file that cannot be read gives an empty index (the loader
    /// reports why).
    public static func load(path: String, configID: String? = nil,
                            source: ConfigSource = DiskConfigSource()) -> StatementIndex {
        var log = DiagnosticLog()
        var expander = IncludeExpander(source: source, configID: configID ?? ConfigLoader.hostConfigID)
        guard expander.start(file: path, log: &log) else { return StatementIndex() }
        return StatementIndex(expander)
    }

    /// Reads text held in memory, as ConfigLoader.parse does.
    public static func parse(_ text: String, name: String = "keepalived.conf", configID: String? = nil,
                             source: ConfigSource = InMemoryConfigSource([:])) -> StatementIndex {
        var expander = IncludeExpander(source: source, configID: configID ?? ConfigLoader.hostConfigID)
        expander.start(text: text, named: name)
        return StatementIndex(expander)
    }

    private init() {}

    private init(_ expander: IncludeExpander) {
        var builder = SyntaxTreeBuilder(tokens: expander)
        var log = DiagnosticLog()
        while let statement = builder.nextStatement(log: &log) {
            topLevel.append(statement)
            add(statement)
        }
    }

    private mutating func add(_ statement: Statement) {
        guard let block = statement.block else { return }
        blocks[statement.location] = statement
        for child in block { add(child) }
    }

    /// The block statement whose keyword is at `location` (a model value's `location`).
    public func block(at location: ConfigLocation) -> Statement? { blocks[location] }

    /// The last `keyword` line directly inside the block at `location`: the one whose value the model holds,
    /// since a repeated keyword overrides the earlier one.
    public func statement(_ keyword: String, inBlockAt location: ConfigLocation) -> Statement? {
        block(at: location)?.block?.last { $0.name == keyword && !$0.keyword.quoted }
    }

    public func location(of keyword: String, inBlockAt location: ConfigLocation) -> ConfigLocation? {
        statement(keyword, inBlockAt: location)?.location
    }

    /// The last top-level statement with this keyword (e.g. global_defs).
    public func topLevel(_ keyword: String) -> Statement? { topLevel.last { $0.name == keyword } }
}

extension Statement {
    /// Every word of this statement's block, line by line: the members of a `group { ... }`, the addresses of a
    /// `unicast_peer { ... }`.
    public var blockWords: [Token] {
        (block ?? []).flatMap { [$0.keyword] + $0.arguments }.filter { $0.word != nil }
    }

    /// The last direct child with this keyword.
    public func child(_ keyword: String) -> Statement? {
        block?.last { $0.name == keyword && !$0.keyword.quoted }
    }
}
