/// Turns argument tokens into typed values, reporting each problem at the token's own location.

import Vocabulary
struct ValueParser {
    var log: DiagnosticLog
    /// Where each virtual_server was defined, to refuse a second one in constant time (configs can hold
    /// tens of thousands).
    var virtualServerLocations: [VirtualServerAddress: ConfigLocation] = [:]
    /// The names taken so far by each kind of named block (vrrp_instance, vrrp_script, ...), for the same reason:
    /// a list scanned per block made 30,000 instances take minutes.
    var definedNames: [String: Set<String>] = [:]
    /// The preference keepalived gives the next rule written without one, per family (it counts down).
    var nextRulePreferenceIPv4: UInt32 = 16384
    var nextRulePreferenceIPv6: UInt32 = 16384

    mutating func integer(_ token: Token, _ what: String, in range: ClosedRange<Int>) -> Int? {
        let text = token.word ?? ""
        guard let value = Int(text) else {
            log.error(token.location, "\(what) must be a whole number, not '\(text)'")
            return nil
        }
        guard range.contains(value) else {
            log.error(token.location, "\(what) \(value) is outside \(range.lowerBound)–\(range.upperBound)")
            return nil
        }
        return value
    }

    /// keepalived's `<TIMER>`: seconds, with up to six decimals ("0.1", "1.5", "3").
    mutating func duration(_ token: Token, _ what: String, allowZero: Bool = true,
                           maximum: Duration = .seconds(86400 * 31)) -> Duration? {
        let text = token.word ?? ""
        guard let value = Self.seconds(text) else {
            log.error(token.location, "\(what) must be a number of seconds such as 1 or 0.5, not '\(text)'")
            return nil
        }
        if value == .zero && !allowZero {
            log.error(token.location, "\(what) must be more than 0")
            return nil
        }
        if value > maximum {
            log.error(token.location, "\(what) \(text) is longer than \(maximum)")
            return nil
        }
        return value
    }

    static func seconds(_ text: String) -> Duration? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let wholeText = parts.first, !wholeText.isEmpty || parts.count == 2,
              wholeText.allSatisfy({ $0.isASCII && $0.isNumber }), wholeText.count <= 9 else { return nil }
        let whole = Int64(wholeText) ?? 0
        var micros: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.count <= 6, fraction.allSatisfy({ $0.isASCII && $0.isNumber })
            else { return nil }
            micros = Int64(fraction + String(repeating: "0", count: 6 - fraction.count)) ?? 0
        }
        return .seconds(whole) + .microseconds(micros)
    }

    mutating func address(_ token: Token, _ what: String) -> IPAddress? {
        let text = token.word ?? ""
        guard let address = IPAddress(text) else {
            log.error(token.location, "\(what) '\(text)' is not an IPv4 or IPv6 address")
            return nil
        }
        return address
    }

    mutating func port(_ token: Token, _ what: String) -> UInt16? {
        integer(token, what, in: 0...65535).map { UInt16($0) }
    }

    /// keepalived's optional `<BOOL>` after a flag keyword: absent means true.
    mutating func flag(_ statement: Statement) -> Bool {
        guard let token = statement.arguments.first, let text = token.word?.lowercased() else { return true }
        switch text {
        case "yes", "true", "on", "1": return true
        case "no", "false", "off", "0": return false
        default:
            log.error(token.location, "\(statement.name) takes yes or no, not '\(token.word ?? "")'")
            return true
        }
    }

    /// `ADDR[/PREFIX]`, with the prefix checked against the family.
    mutating func addressWithPrefix(_ token: Token, _ what: String) -> (IPAddress, Int?)? {
        let text = token.word ?? ""
        let pieces = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(pieces[0])) else {
            log.error(token.location, "\(what) '\(text)' is not an IPv4 or IPv6 address")
            return nil
        }
        guard pieces.count == 2 else { return (address, nil) }
        guard let prefix = Int(pieces[1]), (0...address.maximumPrefixLength).contains(prefix) else {
            log.error(token.location,
                      "\(what) '\(text)' has a bad prefix length: use 0–\(address.maximumPrefixLength)")
            return nil
        }
        return (address, prefix)
    }

    /// A script: its command (split into arguments) and an optional user and group after it.
    mutating func script(_ statement: Statement) -> ScriptCommand? {
        guard let first = statement.arguments.first, let text = first.word else {
            log.error(statement.location, "\(statement.name) needs a command")
            return nil
        }
        let arguments: [String]
        switch ScriptSplitter.split(text) {
        case .success(let words): arguments = words
        case .failure(let problem):
            log.error(first.location, "\(statement.name): \(problem.description)")
            return nil
        }
        guard !arguments.isEmpty else {
            log.error(first.location, "\(statement.name) has an empty command")
            return nil
        }
        let extra = statement.arguments.dropFirst()
        if extra.count > 2 {
            log.warning(extra.dropFirst(2).first!.location, "\(statement.name): arguments after the user and group are ignored")
        }
        return ScriptCommand(text: text, arguments: arguments,
                             user: extra.first?.word, group: extra.dropFirst().first?.word,
                             location: first.location)
    }
}

/// Splits a command line into an argument vector the way keepalived does before exec: white space separates,
/// single and double quotes group, a backslash escapes the next character. No expansion of any kind.
public enum ScriptSplitter {
    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    public static func split(_ text: String) -> Result<[String], Problem> {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            if character == "\\" && quote != "'" {
                escaped = true
                inWord = true
                continue
            }
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
                continue
            }
            if character == "'" || character == "\"" {
                quote = character
                inWord = true
            } else if character == " " || character == "\t" {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if let open = quote { return .failure(Problem(description: "unterminated \(open) quote in '\(text)'")) }
        if escaped { current.append("\\") }
        if inWord { words.append(current) }
        return .success(words)
    }
}
