/// One statement: a keyword, its arguments up to the end of the line, and an optional `{ ... }` block.
public struct Statement: Sendable {
    public var keyword: Token
    public var arguments: [Token]
    public var block: [Statement]?

    public var name: String { keyword.word ?? "" }
    public var location: ConfigLocation { keyword.location }
}

/// Builds statements from the token stream, one top-level statement (with its whole block) at a time, so the
/// loader can read each into the model and let it go. The only errors here are misplaced and unbalanced braces.
struct SyntaxTreeBuilder {
    private var tokens: IncludeExpander
    private var lookahead: Token?
    /// A top-level statement read but not yet handed out: its `{` may still come on the next line.
    private var pending: Statement?

    init(tokens: IncludeExpander) { self.tokens = tokens }

    /// The files read so far, in the order they were first read.
    var filesRead: [String] { tokens.filesRead }

    private mutating func peek(_ log: inout DiagnosticLog) -> Token? {
        if lookahead == nil { lookahead = tokens.next(log: &log) }
        return lookahead
    }

    private mutating func take(_ log: inout DiagnosticLog) -> Token? {
        let token = peek(&log)
        lookahead = nil
        return token
    }

    /// The next top-level statement, or nil at the end of the configuration.
    mutating func nextStatement(log: inout DiagnosticLog) -> Statement? {
        while let token = peek(&log) {
            switch token.kind {
            case .endOfLine:
                _ = take(&log)
            case .openBrace:
                _ = take(&log)
                var statement = pending
                attachBlock(openedAt: token.location, to: &statement, log: &log)
                pending = statement
            case .closeBrace:
                if let statement = pending {
                    pending = nil
                    return statement
                }
                // Anything after a stray `}` at the top level is still read, so one typo does not hide the rest.
                _ = take(&log)
                log.error(token.location, "unbalanced brace: '}' closes no open block")
            case .word:
                if let statement = pending {
                    pending = nil
                    return statement
                }
                pending = statement(log: &log)
            }
        }
        defer { pending = nil }
        return pending
    }

    /// A `{` on the line after its keyword: keepalived accepts it, so do we.
    private mutating func attachBlock(openedAt location: ConfigLocation, to statement: inout Statement?,
                                      log: inout DiagnosticLog) {
        let block = parseBlock(openedAt: location, log: &log)
        if var last = statement, last.block == nil {
            last.block = block
            statement = last
        } else {
            log.error(location, "'{' must follow a keyword such as vrrp_instance or real_server")
        }
    }

    /// A keyword, its arguments to the end of the line, and the block when `{` follows on the same line.
    private mutating func statement(log: inout DiagnosticLog) -> Statement? {
        guard let keyword = take(&log) else { return nil }
        var arguments: [Token] = []
        while let token = peek(&log), case .word = token.kind {
            arguments.append(token)
            _ = take(&log)
        }
        var statement = Statement(keyword: keyword, arguments: arguments, block: nil)
        if let brace = peek(&log), brace.kind == .openBrace {
            _ = take(&log)
            statement.block = parseBlock(openedAt: brace.location, log: &log)
        }
        return statement
    }

    /// The statements of a block up to its `}`.
    private mutating func parseBlock(openedAt: ConfigLocation, log: inout DiagnosticLog) -> [Statement] {
        var statements: [Statement] = []
        var last: Statement?
        while let token = peek(&log) {
            switch token.kind {
            case .endOfLine:
                _ = take(&log)
            case .closeBrace:
                _ = take(&log)
                if let last { statements.append(last) }
                return statements
            case .openBrace:
                _ = take(&log)
                attachBlock(openedAt: token.location, to: &last, log: &log)
            case .word:
                if let last { statements.append(last) }
                last = statement(log: &log)
            }
        }
        if let last { statements.append(last) }
        log.error(openedAt, "unbalanced brace: the block opened here is never closed")
        return statements
    }
}
