/// Splits one file's text into tokens, one at a time, so a large configuration is never held as a token array.
///
/// keepalived's rules: words are separated by white space; `{` and `}` stand alone even when written against a
/// word; `#` or `!` at the start of a word starts a comment that runs to the end of the line; a double-quoted
/// string is one word (`\"` and `\\` escape inside it). Columns count Unicode scalars from 1. The last token of
/// a file is always an end of line, so whatever follows an included file starts on a fresh line.
public struct Lexer {
    public let file: String
    private var scalars: String.UnicodeScalarView.Iterator
    private var pending: Unicode.Scalar?
    private var line = 1
    private var column = 1
    private var finished = false

    public init(file: String, text: String) {
        self.file = file
        scalars = text.unicodeScalars.makeIterator()
        pending = scalars.next()
    }

    /// Every token of a text at once; for tests and small inputs.
    public static func tokenize(_ text: String, file: String, log: inout DiagnosticLog) -> [Token] {
        var lexer = Lexer(file: file, text: text)
        var tokens: [Token] = []
        while let token = lexer.next(log: &log) { tokens.append(token) }
        return tokens
    }

    private var location: ConfigLocation { ConfigLocation(file: file, line: line, column: column) }

    /// Reads the next scalar, keeping line and column current.
    private mutating func advance() {
        guard let current = pending else { return }
        if current == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        pending = scalars.next()
    }

    /// The next token, or nil after the final end of line.
    public mutating func next(log: inout DiagnosticLog) -> Token? {
        while let scalar = pending {
            switch scalar {
            case "\n":
                defer { advance() }
                return Token(.endOfLine, at: location)
            case " ", "\t", "\r", "\u{0B}", "\u{0C}":
                advance()
            case "{":
                defer { advance() }
                return Token(.openBrace, at: location)
            case "}":
                defer { advance() }
                return Token(.closeBrace, at: location)
            case "#", "!":
                while let next = pending, next != "\n" { advance() }
            case "\"":
                return quotedWord(log: &log)
            default:
                let start = location
                var text = String.UnicodeScalarView()
                while let next = pending, !Lexer.endsWord(next) {
                    text.append(next)
                    advance()
                }
                return Token(.word(String(text)), at: start)
            }
        }
        if finished { return nil }
        finished = true
        return Token(.endOfLine, at: location)
    }

    private mutating func quotedWord(log: inout DiagnosticLog) -> Token {
        let start = location
        advance()
        var text = String.UnicodeScalarView()
        var closed = false
        while let next = pending, next != "\n" {
            if next == "\"" {
                closed = true
                advance()
                break
            }
            if next == "\\" {
                advance()
                if let escaped = pending, escaped == "\"" || escaped == "\\" {
                    text.append(escaped)
                    advance()
                } else {
                    text.append("\\")
                }
                continue
            }
            text.append(next)
            advance()
        }
        if !closed {
            log.error(start, "unterminated quoted string: add the closing \" on the same line")
        }
        return Token(.word(String(text)), at: start, quoted: true)
    }

    static func endsWord(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case " ", "\t", "\r", "\n", "\u{0B}", "\u{0C}", "{", "}", "\"": return true
        default: return false
        }
    }
}
