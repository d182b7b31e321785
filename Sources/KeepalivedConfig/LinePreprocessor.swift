#if canImport(Glibc)
import Glibc
#endif

/// keepalived's reading of lines before it splits them into words (lib/parser.c, read_line): conditional lines
/// (`@ID`, `@^ID`), definitions (`$NAME=value`, continued with `\`), repetition (`~SEQ`, `~SEQx`, `~LST`) and
/// substitution, in keepalived's order. Lines that use none of it come through untouched, so the common case costs
/// one scan of the line.
///
/// The order of lines is keepalived's: a repetition runs through its values before anything else is read, and the
/// lines of a multi-line definition follow the line that used it, before the next line of the file; a repetition
/// begun while such lines are read out runs first, one begun before waits for them.
struct LinePreprocessor {
    enum Line {
        /// Straight from a file and untouched: split into words as written.
        case raw(RawLine)
        /// Rewritten or generated. `fromRewrittenInclude`: keepalived 2.2.7 would read a file this line includes
        /// twice (its child processes read a copy of the configuration that holds the include line itself only
        /// when the line was written as one).
        case rewritten(SourceLine, fromRewrittenInclude: Bool)
    }

    /// Lines a configuration may generate through repetitions and multi-line definitions (keepalived's own
    /// example generates 65,024 instances); beyond this a mistake such as a huge ~SEQ range is assumed.
    static let defaultMaximumGeneratedLines = 1_000_000

    /// The lines of a multi-line definition still to be read, and how many repetitions were under way when it
    /// was used: those wait until its lines are read.
    private struct Expansion {
        var lines: ArraySlice<SourceLine>
        let repetitionsBefore: Int
    }

    let configID: String
    let maximumGeneratedLines: Int
    private var definitions: DefinitionTable
    private var repetitions: [Repetition] = []
    private var expansions: [Expansion] = []
    private var continued: ContinuedDefinition?
    private var generatedLines = 0

    init(configID: String, maximumGeneratedLines: Int = defaultMaximumGeneratedLines) {
        self.configID = configID
        self.maximumGeneratedLines = maximumGeneratedLines
        definitions = DefinitionTable(configID: configID)
    }

    /// keepalived's default config id: the host name up to its first dot.
    static var hostConfigID: String {
        var names = utsname()
        guard uname(&names) == 0 else { return "" }
        let node = withUnsafeBytes(of: &names.nodename) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return String(node.prefix { $0 != "." })
    }

    /// The next line to split into words, or nil at the end of the configuration.
    mutating func next(from files: inout FileStack, log: inout DiagnosticLog) -> Line? {
        while true {
            var line: SourceLine
            var raw: RawLine?
            if let top = repetitions.indices.last, repetitions.count > (expansions.last?.repetitionsBefore ?? 0) {
                guard countGenerated(at: repetitions[top].location, log: &log) else { continue }
                let (assignments, isLast) = repetitions[top].advance()
                for assignment in assignments {
                    definitions.define(assignment.name, as: .text(Array(assignment.value.utf8)))
                }
                line = repetitions[top].text
                if isLast { repetitions.removeLast() }
            } else if let top = expansions.indices.last {
                line = expansions[top].lines.removeFirst()
                if expansions[top].lines.isEmpty { expansions.removeLast() }
                guard countGenerated(at: line.origin(at: 0), log: &log) else { continue }
            } else {
                guard let next = files.nextLine(log: &log) else {
                    finishContinuedDefinition()
                    return nil
                }
                if continued == nil, Self.isPlain(next.bytes) { return .raw(next) }
                if next.bytes.allSatisfy({ $0 == UInt8(ascii: "\r") }) {
                    finishContinuedDefinition()   // only a truly empty line ends a definition; a comment does not
                    continue
                }
                line = SourceLine(next.bytes, file: next.file, line: next.number)
                line.decomment()
                if line.isEmpty { continue }
                raw = next
            }
            if continued != nil {
                guard !continues(with: line, raw: raw, log: &log) else { continue }
            }
            if line.isEmpty { continue }
            if let result = process(&line, raw: raw, directory: files.currentDirectory, log: &log) { return result }
        }
    }

    /// A line without `$` that does not start with `@` or `~` is none of keepalived's business.
    private static func isPlain(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBufferPointer { line in
            guard let base = line.baseAddress, !line.isEmpty else { return true }
            if memchr(base, Int32(UInt8(ascii: "$")), line.count) != nil { return false }
            guard let first = line.firstIndex(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") })
            else { return true }
            return line[first] != UInt8(ascii: "@") && line[first] != UInt8(ascii: "~")
        }
    }

    /// Runs one line through conditions, definitions, repetitions and substitution; nil when nothing of it is left
    /// to split into words.
    private mutating func process(_ line: inout SourceLine, raw: RawLine?, directory: String,
                                  log: inout DiagnosticLog) -> Line? {
        let writtenAsInclude = raw != nil && Self.isInclude(line)
        var rewritten = false
        var substitutions = 0
        while true {
            if line[0] == UInt8(ascii: "@") {
                guard applyCondition(&line, log: &log) else { return nil }
                rewritten = true
            }
            if line[0] == UInt8(ascii: "$") {
                switch DefinitionLine.read(line) {
                case .definition(let name, let value, let isContinued):
                    define(name, value, continued: isContinued, at: line.origin(at: 0), log: &log)
                    return nil
                case .malformed(let location, let message):
                    log.error(location, message)
                    return nil
                case .notADefinition:
                    break
                }
            }
            if line.hasPrefix("~SEQ") || line.hasPrefix("~LST") {
                if let repetition = RepetitionParser.read(line, definitions: &definitions, directory: directory, log: &log) {
                    start(repetition, log: &log)
                }
                return nil
            }
            if line[0] == UInt8(ascii: "~") {
                let word = line.text(0..<line.nextBlank(from: 0))
                log.error(line.origin(at: 0), "keepalived knows no '\(word)': the repetitions are ~SEQ, ~SEQx and ~LST")
                return nil
            }
            guard line.contains(UInt8(ascii: "$")) else { break }
            let outcome = Substitution.apply(to: &line, definitions: &definitions, directory: directory,
                                             substitutions: &substitutions, log: &log)
            if outcome.failed { return nil }
            for remaining in outcome.continuations {
                expansions.append(Expansion(lines: remaining, repetitionsBefore: repetitions.count))
            }
            guard outcome.changed else { break }
            rewritten = true
            line.decomment()
            guard !line.isEmpty, line[0] == UInt8(ascii: "@") || line.contains(UInt8(ascii: "$")) else { break }
        }
        if line.contains(UInt8(ascii: "$")) { Substitution.reportUnsubstituted(in: line, definitions: definitions, log: &log) }
        if line.isEmpty { return nil }
        if let raw, !rewritten { return .raw(raw) }
        return .rewritten(line, fromRewrittenInclude: !writtenAsInclude)
    }

    /// `@ID text` keeps `text` when ID is the config id, `@^ID text` when it is not; false drops the line.
    private func applyCondition(_ line: inout SourceLine, log: inout DiagnosticLog) -> Bool {
        let negated = line.count > 1 && line[1] == UInt8(ascii: "^")
        let idStart = negated ? 2 : 1
        let blank = line.nextBlank(from: idStart)
        guard blank < line.count else {
            log.warning(line.origin(at: 0), "nothing follows \(line.text): the line does nothing")
            return false
        }
        let matches = line.bytes[idStart..<blank].elementsEqual(configID.utf8)
        guard matches != negated else { return false }
        line.removeFirst(line.skippingBlanks(from: blank))
        return true
    }

    private mutating func define(_ name: String, _ value: SourceLine, continued isContinued: Bool,
                                 at location: ConfigLocation, log: inout DiagnosticLog) {
        if DefinitionTable.Predefined.byName[name] != nil {
            log.warning(location, "$\(name)= replaces keepalived's predefined ${\(name)} from here on")
        }
        if isContinued {
            continued = ContinuedDefinition(name: name, location: location, first: value)
        } else {
            definitions.define(name, as: .text(value.bytes))
        }
    }

    /// Adds a line to the definition being continued; false when the line is not part of it after all.
    private mutating func continues(with line: SourceLine, raw: RawLine?, log: inout DiagnosticLog) -> Bool {
        guard var definition = continued else { return false }
        if raw != nil, Self.isInclude(line) {
            // keepalived's child processes read a copy of the file in which an include line is blank, and a blank
            // line ends the definition: it would end here, and the file be read where the definition is used.
            log.error(line.origin(at: 0), "an include cannot be part of the definition of $\(definition.name) (keepalived 2.2.7 would end the definition here); include the file where the definition is used")
            finishContinuedDefinition()
            return false
        }
        if let raw, raw.file != definition.location.file, !definition.crossedFiles {
            definition.crossedFiles = true
            log.warning(line.origin(at: 0), "the definition of $\(definition.name) at \(definition.location) ends its file with '\\' and goes on here")
        }
        let more = definition.add(line)
        continued = definition
        if !more { finishContinuedDefinition() }
        return true
    }

    private mutating func finishContinuedDefinition() {
        guard let definition = continued else { return }
        definitions.define(definition.name, as: definition.value)
        continued = nil
    }

    private mutating func start(_ repetition: Repetition, log: inout DiagnosticLog) {
        guard repetition.remaining <= Int128(maximumGeneratedLines - generatedLines) else {
            log.error(repetition.location, "this repetition would read its line \(repetition.remaining) times, past the \(maximumGeneratedLines) lines a configuration may generate; it and the repetitions it is part of are left out")
            repetitions.removeAll()
            expansions.removeAll()
            return
        }
        repetitions.append(repetition)
    }

    /// Counts a generated line; past the limit, drops every repetition and expansion under way.
    private mutating func countGenerated(at location: ConfigLocation, log: inout DiagnosticLog) -> Bool {
        generatedLines += 1
        guard generatedLines > maximumGeneratedLines else { return true }
        log.error(location, "repetitions and multi-line definitions generate more than \(maximumGeneratedLines) lines here; the rest is left out")
        repetitions.removeAll()
        expansions.removeAll()
        return false
    }

    /// keepalived's test for an include line: `include` and a blank.
    private static func isInclude(_ line: SourceLine) -> Bool {
        line.hasPrefix("include") && line.count > 7 && (SourceLine.isBlank(line[7]))
    }
}
