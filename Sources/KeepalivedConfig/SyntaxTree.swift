/// One statement: a keyword, its arguments up to the end of the line, and an optional `{ ... }` block.
public struct Statement: Sendable {
    public var keyword: Token
    public var arguments: [Token]
    public var block: [Statement]?

    public var name: String { keyword.word ?? "" }
    public var location: ConfigLocation { keyword.location }
}

/// Builds statements from tokens; the only errors here are misplaced and unbalanced braces.
struct SyntaxTreeBuilder {
    private let tokens: [Token]
    private var position = 0

    init(tokens: [Token]) { self.tokens = tokens }

    mutating func build(log: inout DiagnosticLog) -> [Statement] {
        var statements = parseBlock(openedAt: nil, log: &log)
        // Anything after a stray `}` at the top level is still read, so one typo does not hide the rest.
        while position < tokens.count {
            log.error(tokens[position].location, "unbalanced brace: '}' closes no open block")
            position += 1
            statements += parseBlock(openedAt: nil, log: &log)
        }
        return statements
    }

    private mutating func parseBlock(openedAt: ConfigLocation?, log: inout DiagnosticLog) -> [Statement] {
        var statements: [Statement] = []
        while position < tokens.count {
            let token = tokens[position]
            switch token.kind {
            case .endOfLine:
                position += 1
            case .closeBrace:
                if openedAt != nil { position += 1 }
                return statements
            case .openBrace:
                // A brace on the line after its keyword: keepalived accepts it, so do we.
                position += 1
                let block = parseBlock(openedAt: token.location, log: &log)
                if var last = statements.last, last.block == nil {
                    last.block = block
                    statements[statements.count - 1] = last
                } else {
                    log.error(token.location, "'{' must follow a keyword such as vrrp_instance or real_server")
                }
            case .word:
                var arguments: [Token] = []
                position += 1
                while position < tokens.count, case .word = tokens[position].kind {
                    arguments.append(tokens[position])
                    position += 1
                }
                var statement = Statement(keyword: token, arguments: arguments, block: nil)
                if position < tokens.count, tokens[position].kind == .openBrace {
                    let brace = tokens[position]
                    position += 1
                    statement.block = parseBlock(openedAt: brace.location, log: &log)
                }
                statements.append(statement)
            }
        }
        if let openedAt {
            log.error(openedAt, "unbalanced brace: the block opened here is never closed")
        }
        return statements
    }
}
