/// Splits one line of a file into tokens, one at a time, so a large configuration is never held as a token array.
///
/// keepalived's rules: words are separated by white space; `{` and `}` stand alone even when written against a
/// word; `#` or `!` at the start of a word starts a comment that runs to the end of the line; a double-quoted
/// string is one word (`\"` and `\\` escape inside it). Columns count Unicode scalars from 1. Every line ends
/// with an end-of-line token, so whatever follows an included file starts on a fresh line.
///
/// The line is read as UTF-8 bytes: every byte the rules look at is ASCII, and a word is made with one copy.
public struct Lexer {
    public let file: String
    private let bytes: ArraySlice<UInt8>
    private var position: Int
    private let line: Int
    private var column = 1
    /// A line keepalived's reader rewrote, which knows where each of its bytes was written.
    private let rewritten: SourceLine?
    private var finished = false

    /// A line as the file has it, without its line end.
    init(file: String, line: Int, bytes: ArraySlice<UInt8>) {
        self.file = file
        self.line = line
        self.bytes = bytes
        position = bytes.startIndex
        rewritten = nil
    }

    /// A line rewritten by definitions, conditions or a ~SEQ. Its comments are already gone, as keepalived takes
    /// them out before it substitutes, so a `#` or `!` still in it (from `\#`) is text.
    init(_ rewritten: SourceLine) {
        file = rewritten.end.file
        line = rewritten.end.line
        bytes = rewritten.bytes[...]
        position = bytes.startIndex
        self.rewritten = rewritten
    }

    private var location: ConfigLocation {
        rewritten?.origin(at: position) ?? ConfigLocation(file: file, line: line, column: column)
    }

    /// Moves past one byte; the column moves at the first byte of each scalar.
    private mutating func advance() {
        position += 1
        if position == bytes.endIndex || bytes[position] & 0xC0 != 0x80 { column += 1 }
    }

    /// The next token, or nil after the line's end.
    public mutating func next(log: inout DiagnosticLog) -> Token? {
        while position < bytes.endIndex {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"), 0x0B, 0x0C:
                advance()
            case UInt8(ascii: "{"):
                defer { advance() }
                return Token(.openBrace, at: location)
            case UInt8(ascii: "}"):
                defer { advance() }
                return Token(.closeBrace, at: location)
            case UInt8(ascii: "#") where rewritten == nil, UInt8(ascii: "!") where rewritten == nil:
                position = bytes.endIndex
            case UInt8(ascii: "\""):
                return quotedWord(log: &log)
            default:
                let start = location
                let first = position
                while position < bytes.endIndex, !Lexer.endsWord(bytes[position]) { advance() }
                return Token(.word(String(decoding: bytes[first..<position], as: UTF8.self)), at: start)
            }
        }
        if finished { return nil }
        finished = true
        return Token(.endOfLine, at: location)
    }

    private mutating func quotedWord(log: inout DiagnosticLog) -> Token {
        let start = location
        advance()
        var text: [UInt8] = []
        var closed = false
        while position < bytes.endIndex {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                closed = true
                advance()
                break
            }
            if byte == UInt8(ascii: "\\") {
                advance()
                if position < bytes.endIndex, bytes[position] == UInt8(ascii: "\"") || bytes[position] == UInt8(ascii: "\\") {
                    text.append(bytes[position])
                    advance()
                } else {
                    text.append(byte)
                }
                continue
            }
            text.append(byte)
            advance()
        }
        if !closed {
            log.error(start, "unterminated quoted string: add the closing \" on the same line")
        }
        return Token(.word(String(decoding: text, as: UTF8.self)), at: start, quoted: true)
    }

    static func endsWord(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"), UInt8(ascii: "\n"), 0x0B, 0x0C,
             UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "\""): return true
        default: return false
        }
    }
}
