/// keepalived's parameter substitution in one line (keepalived.conf(5), "Parameter substitution"): `$NAME`
/// followed by a blank, `,`, `)` or the end of the line, or `${NAME}` anywhere, quotes or not, is replaced by the
/// definition's value, and the value is scanned again from the same place, so definitions may use definitions
/// defined by the time of use. An undefined name stays as written. A multi-line definition is substituted only
/// where its reference ends the line.
struct Substitution {
    /// keepalived reads lines into a buffer of this size and stops substituting once a line would not fit.
    static let maximumLineLength = 1023
    /// A definition that contains itself (`$A=${A}`) never stops growing or, at the same length, never stops:
    /// keepalived loops forever on the second. More substitutions than any line of 1023 characters needs.
    static let maximumSubstitutions = 1024

    /// A `$` reference in a line.
    struct Reference {
        var name: String
        /// What a substitution replaces: from the `$` to the end of the name, or to the `}`.
        var range: Range<Int>
        /// `${_RANDOM 1 9}`: the blanks and digits between the name and `}`.
        var parameters: [UInt64]
        /// `${NAME }`: keepalived 2.2.7 would replace only `${NAME ` and leave the `}` behind.
        var spaceBeforeBrace: Bool
        var endsLine: Bool
    }

    /// The reference that starts at `dollar`, if the text there has the form of one.
    static func reference(in line: SourceLine, at dollar: Int) -> Reference? {
        var index = dollar + 1
        let braced = index < line.count && line[index] == UInt8(ascii: "{")
        if braced { index += 1 }
        guard index < line.count, DefinitionTable.isNameStart(line[index]) else { return nil }
        let nameStart = index
        while index < line.count, DefinitionTable.isNamePart(line[index]) { index += 1 }
        guard braced else {
            guard index == line.count || SourceLine.isBlank(line[index]) || line[index] == UInt8(ascii: ",")
                    || line[index] == UInt8(ascii: ")") else { return nil }
            let name = line.text(nameStart..<index)
            return Reference(name: name, range: dollar..<index, parameters: [],
                             spaceBeforeBrace: false, endsLine: index == line.count)
        }
        let nameEnd = index
        var lastDigit: Int?
        while index < line.count, line[index] == UInt8(ascii: " ") || DefinitionTable.isDigit(line[index]) {
            if line[index] != UInt8(ascii: " ") { lastDigit = index }
            index += 1
        }
        guard index < line.count, line[index] == UInt8(ascii: "}") else { return nil }
        if let lastDigit, lastDigit + 1 != index { return nil }
        let name = line.text(nameStart..<nameEnd)
        let parameters = lastDigit == nil ? [] : line.text(nameEnd..<index).split(separator: " ")
            .map { UInt64($0) ?? .max }
        return Reference(name: name, range: dollar..<index + 1, parameters: parameters,
                         spaceBeforeBrace: lastDigit == nil && index > nameEnd, endsLine: index + 1 == line.count)
    }

    /// What substituting a line did.
    struct Outcome {
        var changed = false
        /// The remaining lines of each multi-line definition substituted, in the order they were met.
        var continuations: [ArraySlice<SourceLine>] = []
        /// Substitution was abandoned (reported): the line is not what its author meant.
        var failed = false
    }

    /// Substitutes every reference to a definition in `line`. `substitutions` counts across the passes over one
    /// line, so definitions that keep producing references cannot run on.
    static func apply(to line: inout SourceLine, definitions: inout DefinitionTable, directory: String,
                      substitutions: inout Int, log: inout DiagnosticLog) -> Outcome {
        var outcome = Outcome()
        var index = 0
        while let dollar = line.firstIndex(of: UInt8(ascii: "$"), from: index), dollar + 1 < line.count {
            guard let reference = reference(in: line, at: dollar),
                  let value = applicableValue(of: reference, definitions) else {
                index = dollar + 1
                continue
            }
            let origin = line.origin(at: dollar)
            substitutions += 1
            if substitutions > maximumSubstitutions {
                log.error(origin, "\(reference.name) is defined in terms of itself: its substitution never ends")
                outcome.failed = true
                return outcome
            }
            if reference.spaceBeforeBrace {
                log.error(origin, "no space may come before '}' in ${\(reference.name)}: keepalived 2.2.7 would leave the '}' behind")
            }
            var startsRepetition = false
            switch value {
            case .text(let text):
                line.replaceSubrange(reference.range, with: text)
                startsRepetition = text.first { !SourceLine.isBlank($0) } == UInt8(ascii: "~")
            case .lines(let lines):
                line.replaceSubrange(reference.range, with: lines[0])
                if lines.count > 1 { outcome.continuations.append(lines.dropFirst()) }
                startsRepetition = lines[0].bytes.first { !SourceLine.isBlank($0) } == UInt8(ascii: "~")
            case .predefined(let predefined):
                let text = definitions.text(of: predefined, directory: directory,
                                            range: randomRange(reference, origin: origin, log: &log))
                line.replaceSubrange(reference.range, with: Array(text.utf8))
            }
            outcome.changed = true
            if line.count > maximumLineLength {
                log.error(origin, "substituting \(reference.name) makes the line longer than keepalived's \(maximumLineLength) characters")
                outcome.failed = true
                return outcome
            }
            // keepalived stops at a value that starts a ~SEQ or ~LST: the rest is substituted when it repeats.
            if startsRepetition { break }
        }
        return outcome
    }

    /// The definition a reference stands for here, by keepalived's rules; nil leaves the reference as written.
    private static func applicableValue(of reference: Reference, _ definitions: DefinitionTable) -> DefinitionTable.Value? {
        guard let value = definitions[reference.name] else { return nil }
        switch value {
        case .lines: return reference.endsLine && reference.parameters.isEmpty ? value : nil
        case .text: return reference.parameters.isEmpty ? value : nil
        case .predefined(let predefined):
            return reference.parameters.isEmpty || predefined == .random ? value : nil
        }
    }

    private static func randomRange(_ reference: Reference, origin: ConfigLocation,
                                    log: inout DiagnosticLog) -> ClosedRange<UInt64> {
        let parameters = reference.parameters
        if parameters.count > 2 {
            log.warning(origin, "${_RANDOM} takes at most MIN and MAX; the rest is ignored")
        }
        let minimum = parameters.first ?? 0
        let maximum = parameters.count > 1 ? parameters[1] : 32767
        guard minimum <= maximum else {
            log.error(origin, "${_RANDOM \(minimum) \(maximum)}: MIN must not be more than MAX")
            return maximum...maximum
        }
        return minimum...maximum
    }

    /// keepalived leaves what it cannot substitute as written; outside quotes its braces would then open and close
    /// blocks, and a multi-line definition left in the middle of a line is never what was meant. Each is an error
    /// here, at its `$`.
    static func reportUnsubstituted(in line: SourceLine, definitions: DefinitionTable, log: inout DiagnosticLog) {
        var quoted = false
        var index = 0
        while index < line.count {
            let byte = line[index]
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if byte == UInt8(ascii: "\\") { index += 2; continue }
            guard byte == UInt8(ascii: "$") else { index += 1; continue }
            let origin = line.origin(at: index)
            let reference = reference(in: line, at: index)
            if let reference, case .lines = definitions[reference.name] {
                log.error(origin, "\(reference.name) is a multi-line definition: it can only be used at the end of a line")
            } else if !quoted, index + 1 < line.count, line[index + 1] == UInt8(ascii: "{") {
                if let reference, definitions[reference.name] == nil {
                    log.error(origin, "${\(reference.name)} is not defined (keepalived would leave it as written, braces and all)")
                } else if let reference {
                    log.error(origin, "${\(reference.name)} takes no parameters")
                } else if let close = line.firstIndex(of: UInt8(ascii: "}"), from: index) {
                    log.error(origin, "'\(line.text(index..<close + 1))' is not a reference: ${ must be followed by a name of letters, digits and _")
                } else {
                    log.error(origin, "unterminated ${: write ${NAME}")
                }
            }
            index += 1
        }
    }
}
