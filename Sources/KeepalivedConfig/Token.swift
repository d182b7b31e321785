/// A lexical unit of keepalived.conf. Statements are line-oriented, so line ends are tokens too.
public struct Token: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// A bare word or a double-quoted string (quotes removed, `quoted` set).
        case word(String)
        case openBrace
        case closeBrace
        case endOfLine
    }

    public var kind: Kind
    public var location: ConfigLocation
    /// True when the word was written in double quotes: a quoted word is never taken for a keyword.
    public var quoted: Bool

    public init(_ kind: Kind, at location: ConfigLocation, quoted: Bool = false) {
        self.kind = kind
        self.location = location
        self.quoted = quoted
    }

    /// The text of a word token, nil for punctuation.
    public var word: String? {
        if case .word(let text) = kind { return text }
        return nil
    }
}
