/// Splits one file's text into tokens.
///
/// keepalived's rules: words are separated by white space; `{` and `}` stand alone even when written against a
/// word; `#` or `!` at the start of a word starts a comment that runs to the end of the line; a double-quoted
/// string is one word (`\"` and `\\` escape inside it). Columns count Unicode scalars from 1.
public struct Lexer {
    public let file: String

    public init(file: String) {
        self.file = file
    }

    public func tokenize(_ text: String, log: inout DiagnosticLog) -> [Token] {
        var tokens: [Token] = []
        var line = 1
        var column = 1
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = scalars.next()

        func location() -> ConfigLocation { ConfigLocation(file: file, line: line, column: column) }

        // Reads the next scalar, keeping line and column current.
        func advance() {
            guard let current = pending else { return }
            if current == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
            pending = scalars.next()
        }

        while let scalar = pending {
            switch scalar {
            case "\n":
                tokens.append(Token(.endOfLine, at: location()))
                advance()
            case " ", "\t", "\r", "\u{0B}", "\u{0C}":
                advance()
            case "{":
                tokens.append(Token(.openBrace, at: location()))
                advance()
            case "}":
                tokens.append(Token(.closeBrace, at: location()))
                advance()
            case "#", "!":
                while let next = pending, next != "\n" { advance() }
            case "\"":
                let start = location()
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
                tokens.append(Token(.word(String(text)), at: start, quoted: true))
            default:
                let start = location()
                var text = String.UnicodeScalarView()
                while let next = pending, !Lexer.endsWord(next) {
                    text.append(next)
                    advance()
                }
                tokens.append(Token(.word(String(text)), at: start))
            }
        }
        tokens.append(Token(.endOfLine, at: location()))
        return tokens
    }

    static func endsWord(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case " ", "\t", "\r", "\n", "\u{0B}", "\u{0C}", "{", "}", "\"": return true
        default: return false
        }
    }
}
