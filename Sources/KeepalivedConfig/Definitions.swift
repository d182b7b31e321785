import Vocabulary

/// The definitions in force while a configuration is read: `$NAME=value` lines, ~SEQ and ~LST variables and
/// keepalived's predefined names. keepalived keeps one table for the whole read, through every included file, so a
/// definition made in an included file holds after the include; defining a name again replaces its value (a
/// predefined one too).
struct DefinitionTable {
    enum Value {
        case text([UInt8])
        /// A definition continued with `\`: its lines, each where it was written. keepalived substitutes it only
        /// where its reference ends a line, and reads the lines that follow its first as if they stood there.
        case lines([SourceLine])
        case predefined(Predefined)
    }

    /// keepalived.conf(5), "Pre-defined definitions".
    enum Predefined {
        /// `${_PWD}`: the directory of the file being read.
        case directory
        /// `${_INSTANCE}`: the config id (`-i`, else the host name).
        case instance
        /// `${_RANDOM [MIN [MAX]]}`: a whole number in MIN...MAX, by default 0...32767.
        case random
        case hash
        case bang

        static let byName: [String: Predefined] = [
            "_PWD": .directory, "_INSTANCE": .instance, "_RANDOM": .random, "_HASH": .hash, "_BANG": .bang,
        ]
    }

    let configID: String
    private var values: [String: Value] = [:]
    /// `${_RANDOM}` draws from a fixed sequence, so vrrpd, ipvsd and checkd, each reading the file, agree.
    private var random = SplitMix64(seed: 0x6B65_6570_616C_6976)

    init(configID: String) {
        self.configID = configID
        for (name, predefined) in Predefined.byName { values[name] = .predefined(predefined) }
    }

    subscript(name: String) -> Value? { values[name] }

    mutating func define(_ name: String, as value: Value) { values[name] = value }

    /// The text of a predefined name at this point of the read.
    mutating func text(of predefined: Predefined, directory: String, range: ClosedRange<UInt64>) -> String {
        switch predefined {
        case .directory: return directory
        case .instance: return configID
        case .random:
            let width = range.upperBound - range.lowerBound
            let offset = width == .max ? random.next() : random.next() % (width + 1)
            return String(range.lowerBound + offset)
        case .hash: return "#"
        case .bang: return "!"
        }
    }

    static func isNameStart(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || byte == UInt8(ascii: "_")
    }

    static func isNamePart(_ byte: UInt8) -> Bool { isNameStart(byte) || isDigit(byte) }

    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    static func isName(_ text: String) -> Bool {
        guard let first = text.utf8.first, isNameStart(first) else { return false }
        return text.utf8.allSatisfy(isNamePart)
    }
}

/// What a line that starts with `$` is, by keepalived's rule for a definition: `$`, a name (letters, digits and
/// `_`, not starting with a digit), `=` with nothing between, then the value with its leading blanks dropped.
/// A value that ends with `\` continues on the following lines.
enum DefinitionLine {
    case definition(name: String, value: SourceLine, continued: Bool)
    /// Not meant as a definition: a reference such as `$INSTANCE` standing for a whole line.
    case notADefinition
    /// Meant as a definition but not one keepalived takes; it would read the line as an unknown keyword.
    case malformed(ConfigLocation, String)

    static func read(_ line: SourceLine) -> DefinitionLine {
        guard line.count > 1, line[0] == UInt8(ascii: "$") else { return .notADefinition }
        var index = 1
        while index < line.count, DefinitionTable.isNamePart(line[index]) { index += 1 }
        let nameEnd = index
        var name: String { line.text(1..<nameEnd) }
        if index < line.count, line[index] == UInt8(ascii: "=") {
            if nameEnd == 1 { return .malformed(line.origin(at: 0), "'$=' defines nothing: write $NAME=VALUE") }
            if DefinitionTable.isDigit(line[1]) {
                return .malformed(line.origin(at: 1), "the name of a definition cannot start with a digit ($\(name)=)")
            }
            return definition(name, line, valueFrom: index + 1)
        }
        if index < line.count, SourceLine.isBlank(line[index]), nameEnd > 1 {
            let next = line.skippingBlanks(from: index)
            if next < line.count, line[next] == UInt8(ascii: "=") {
                return .malformed(line.origin(at: index), "no space may come between $\(name) and '=' in a definition")
            }
            return .notADefinition
        }
        guard index < line.count, line[index] != UInt8(ascii: "{"),
              line.firstIndex(of: UInt8(ascii: "="), from: index).map({ $0 < line.nextBlank(from: index) }) == true
        else { return .notADefinition }
        var scalarEnd = index + 1
        while scalarEnd < line.count, line[scalarEnd] & 0xC0 == 0x80 { scalarEnd += 1 }
        return .malformed(line.origin(at: index),
                          "'\(line.text(index..<scalarEnd))' cannot be part of a definition's name (letters, digits and _ only)")
    }

    private static func definition(_ name: String, _ line: SourceLine, valueFrom start: Int) -> DefinitionLine {
        var value = line.slice(line.skippingBlanks(from: start)..<line.count)
        let continued = value.isContinued
        if continued { value = ContinuedDefinition.withoutContinuation(value) }
        return .definition(name: name, value: value, continued: continued)
    }
}

/// A definition continued with `\` while its lines are being read: each following line is part of it, without
/// its final `\`, up to a line that has none or an empty line. Lines that are blank once the `\` is gone are left
/// out; comment lines are skipped without ending it, as in keepalived.
struct ContinuedDefinition {
    let name: String
    let location: ConfigLocation
    /// keepalived reads on into the next file when the last line of one ends with `\`; said once.
    var crossedFiles = false
    private var continuedLines: [SourceLine] = []
    private var lastLine: SourceLine?

    init(name: String, location: ConfigLocation, first: SourceLine) {
        self.name = name
        self.location = location
        if !first.isEmpty { continuedLines.append(first) }
    }

    /// Adds a decommented line; false when it was the last.
    mutating func add(_ line: SourceLine) -> Bool {
        guard line.isContinued else {
            if !line.isEmpty { lastLine = line }
            return false
        }
        let text = Self.withoutContinuation(line)
        if !text.isEmpty { continuedLines.append(text) }
        return true
    }

    /// What the definition stands for once complete. keepalived decides whether it is multi-line before it adds
    /// the last line: with nothing on the lines before, it is an ordinary definition of the last line's text.
    var value: DefinitionTable.Value {
        guard !continuedLines.isEmpty else { return .text(lastLine?.bytes ?? []) }
        return .lines(continuedLines + (lastLine.map { [$0] } ?? []))
    }

    static func withoutContinuation(_ line: SourceLine) -> SourceLine {
        var end = line.count - 1
        while end > 0, SourceLine.isBlank(line[end - 1]) { end -= 1 }
        return line.slice(0..<end)
    }
}
