/// A `~SEQ` or `~LST` line being repeated (keepalived.conf(5), "Sequence blocks", "List blocks"): the rest of the
/// line is read once per value, with the variable defined to that value each time. The text may start another
/// ~SEQ or ~LST, which then runs through all its values for each value of this one.
struct Repetition {
    enum Values {
        case sequence(variable: String, next: Int, step: Int, last: Int, hexadecimal: Bool)
        case list(variables: [String], sets: [[String]], next: Int)
    }

    var values: Values
    let text: SourceLine
    let location: ConfigLocation

    /// How many times the text will be read from now on.
    var remaining: Int128 {
        switch values {
        case .sequence(_, let next, let step, let last, _): return (Int128(last) - Int128(next)) / Int128(step) + 1
        case .list(_, let sets, let next): return Int128(sets.count - next)
        }
    }

    /// The definitions for the next reading of the text, and whether it is the last.
    mutating func advance() -> (assignments: [(name: String, value: String)], isLast: Bool) {
        switch values {
        case .sequence(let variable, let next, let step, let last, let hexadecimal):
            let value = hexadecimal ? String(next, radix: 16) : String(next)
            let (following, overflow) = next.addingReportingOverflow(step)
            let isLast = overflow || (step > 0 ? following > last : following < last)
            values = .sequence(variable: variable, next: following, step: step, last: last, hexadecimal: hexadecimal)
            return ([(variable, value)], isLast)
        case .list(let variables, let sets, let next):
            values = .list(variables: variables, sets: sets, next: next + 1)
            return (Array(zip(variables, sets[next])).map { (name: $0.0, value: $0.1) }, next + 1 == sets.count)
        }
    }
}

/// Reads the head of a `~SEQ(...)`, `~SEQx(...)` or `~LST(...)` line. keepalived's rules:
/// - `~SEQ(VAR, END)` counts from 1 (from -1 when END is negative) to END; `~SEQ(VAR, START, END)` by 1 or -1;
///   `~SEQ(VAR, START, STEP, END)` by STEP, which must be non-zero and lead from START towards END. Numbers are
///   C numbers (`0x1f` hexadecimal, a leading 0 octal), a missing one is 0, and definitions in them are
///   substituted. `~SEQx` writes the values in hexadecimal and takes no negative START or END.
/// - `~LST(VAR, V1, V2, ...)` takes each value in turn; `~LST({A, B}, {1, 2}, {3, 4})` several variables at once,
///   a missing value being empty.
enum RepetitionParser {
    /// keepalived copies a ~SEQ's parameters into a buffer of 64 bytes.
    static let maximumParameterLength = 63
    /// What ends a variable, a number or a value.
    static let separators: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: ","), UInt8(ascii: ")")]

    static func read(_ line: SourceLine, definitions: inout DefinitionTable, directory: String,
                     log: inout DiagnosticLog) -> Repetition? {
        line.hasPrefix("~SEQ") ? sequence(line, definitions: &definitions, directory: directory, log: &log)
                               : list(line, log: &log)
    }

    private static func sequence(_ line: SourceLine, definitions: inout DefinitionTable, directory: String,
                                 log: inout DiagnosticLog) -> Repetition? {
        let hexadecimal = line.count > 4 && line[4] == UInt8(ascii: "x")
        let keyword = hexadecimal ? "~SEQx" : "~SEQ"
        var index = line.skippingBlanks(from: hexadecimal ? 5 : 4)
        guard index < line.count, line[index] == UInt8(ascii: "(") else {
            log.error(line.origin(at: index), "\(keyword) needs its parameters in parentheses: \(keyword)(VAR, [START,] [STEP,] END) TEXT")
            return nil
        }
        index = line.skippingBlanks(from: index + 1)
        let variableStart = index
        while index < line.count, !Self.separators.contains(line[index]) { index += 1 }
        let variable = line.text(variableStart..<index)
        index = line.skippingBlanks(from: index)
        guard !variable.isEmpty, index < line.count, line[index] == UInt8(ascii: ",") else {
            log.error(line.origin(at: min(index, line.count)), variable.isEmpty
                      ? "\(keyword) needs a variable: \(keyword)(VAR, [START,] [STEP,] END)"
                      : "\(keyword)(\(variable) needs ',' and the numbers after its variable")
            return nil
        }
        if !DefinitionTable.isName(variable) {
            log.warning(line.origin(at: variableStart), "\(variable) is not a name a reference can use ($ and letters, digits or _, not starting with a digit)")
        }
        let parametersStart = line.skippingBlanks(from: index + 1)
        guard let close = line.firstIndex(of: UInt8(ascii: ")"), from: parametersStart) else {
            log.error(line.origin(at: variableStart - 1), "\(keyword)( is never closed: add ')' after its numbers")
            return nil
        }
        guard close + 1 - parametersStart <= maximumParameterLength else {
            log.error(line.origin(at: parametersStart), "the numbers of \(keyword) are longer than keepalived's \(maximumParameterLength) characters")
            return nil
        }
        var parameters = line.slice(parametersStart..<close + 1)
        var substitutions = 0
        let outcome = Substitution.apply(to: &parameters, definitions: &definitions, directory: directory,
                                         substitutions: &substitutions, log: &log)
        if outcome.failed { return nil }
        guard outcome.continuations.isEmpty, parameters.count <= maximumParameterLength else {
            log.error(line.origin(at: parametersStart), outcome.continuations.isEmpty
                      ? "the numbers of \(keyword), once substituted, are longer than keepalived's \(maximumParameterLength) characters"
                      : "a multi-line definition cannot stand for the numbers of \(keyword)")
            return nil
        }
        guard let (start, step, end) = numbers(parameters, keyword, log: &log) else { return nil }
        if hexadecimal, start < 0 || end < 0 {
            log.error(line.origin(at: parametersStart), "~SEQx takes no negative numbers (\(start) to \(end))")
            return nil
        }
        return Repetition(values: .sequence(variable: variable, next: start, step: step, last: end, hexadecimal: hexadecimal),
                          text: line.slice(line.skippingBlanks(from: close + 1)..<line.count),
                          location: line.origin(at: 0))
    }

    /// START, STEP and END from `a)`, `a, b)` or `a, b, c)`.
    private static func numbers(_ parameters: SourceLine, _ keyword: String,
                                log: inout DiagnosticLog) -> (Int, Int, Int)? {
        var values: [Int] = []
        var index = 0
        while true {
            let (value, end) = CNumber.long(parameters, from: index)
            values.append(value)
            index = parameters.skippingBlanks(from: end)
            if index < parameters.count, parameters[index] == UInt8(ascii: ")") { break }
            guard index < parameters.count, parameters[index] == UInt8(ascii: ","), values.count < 3 else {
                var wordEnd = index
                while wordEnd < parameters.count, !Self.separators.contains(parameters[wordEnd]) { wordEnd += 1 }
                let what = index < parameters.count && parameters[index] == UInt8(ascii: ",") ? "more than three numbers"
                    : "'\(parameters.text(index..<wordEnd))' where a number, ',' or ')' should be"
                log.error(parameters.origin(at: index), "\(keyword) has \(what)")
                return nil
            }
            index += 1
        }
        switch values.count {
        case 1:
            let end = values[0]
            return (end < 0 ? -1 : 1, end < 1 ? -1 : 1, end)
        case 2:
            return (values[0], values[0] <= values[1] ? 1 : -1, values[1])
        default:
            let (start, step, end) = (values[0], values[1], values[2])
            if step == 0 || (start < end && step < 0) || (start > end && step > 0) {
                log.error(parameters.origin(at: 0), step == 0
                          ? "\(keyword) with a step of 0 never ends"
                          : "\(keyword) never gets from \(start) to \(end) by a step of \(step)")
                return nil
            }
            return (start, step, end)
        }
    }

    private static func list(_ line: SourceLine, log: inout DiagnosticLog) -> Repetition? {
        var cursor = line.skippingBlanks(from: 4)
        func fail(_ message: String) -> Repetition? {
            log.error(line.origin(at: min(cursor, line.count)), "~LST \(message): ~LST(VAR, V1, V2, ...) or ~LST({A, B}, {A1, B1}, ...) TEXT")
            return nil
        }
        guard cursor < line.count, line[cursor] == UInt8(ascii: "(") else { return fail("needs its parameters in parentheses") }
        cursor = line.skippingBlanks(from: cursor + 1)
        guard let variables = group(line, &cursor),
              !variables.contains(where: \.text.isEmpty) else { return fail("needs variable names") }
        guard cursor < line.count, line[cursor] == UInt8(ascii: ",") else { return fail("needs ',' after its variables") }
        for variable in variables where !DefinitionTable.isName(variable.text) {
            log.warning(line.origin(at: variable.start), "\(variable.text) is not a name a reference can use ($ and letters, digits or _, not starting with a digit)")
        }
        cursor = line.skippingBlanks(from: cursor + 1)
        var sets: [[String]] = []
        while true {
            guard let values = group(line, &cursor) else {
                return fail("has a value list that is not closed")
            }
            guard values.count <= variables.count else {
                cursor = values[variables.count].start
                return fail("has more values than variables")
            }
            sets.append(values.map(\.text) + Array(repeating: "", count: variables.count - values.count))
            if cursor < line.count, line[cursor] == UInt8(ascii: ")") { break }
            guard cursor < line.count, line[cursor] == UInt8(ascii: ",") else { return fail("needs ',' or ')' after a value") }
            cursor = line.skippingBlanks(from: cursor + 1)
        }
        return Repetition(values: .list(variables: variables.map(\.text), sets: sets, next: 0),
                          text: line.slice(line.skippingBlanks(from: cursor + 1)..<line.count),
                          location: line.origin(at: 0))
    }

    /// One word, or several in `{...}` separated by commas, each with where it starts; leaves `cursor` after it
    /// and any blanks.
    private static func group(_ line: SourceLine, _ cursor: inout Int) -> [(text: String, start: Int)]? {
        func word() -> (text: String, start: Int) {
            let start = cursor
            while cursor < line.count, !separators.contains(line[cursor]), line[cursor] != UInt8(ascii: "}") { cursor += 1 }
            defer { cursor = line.skippingBlanks(from: cursor) }
            return (line.text(start..<cursor), start)
        }
        guard cursor < line.count, line[cursor] == UInt8(ascii: "{") else { return [word()] }
        cursor = line.skippingBlanks(from: cursor + 1)
        var words = [word()]
        while cursor < line.count, line[cursor] == UInt8(ascii: ",") {
            cursor = line.skippingBlanks(from: cursor + 1)
            words.append(word())
        }
        guard cursor < line.count, line[cursor] == UInt8(ascii: "}") else { return nil }
        cursor = line.skippingBlanks(from: cursor + 1)
        return words
    }
}

/// C's strtol with base 0, which keepalived reads ~SEQ's numbers with: leading white space, a sign, `0x` for
/// hexadecimal, a leading `0` for octal; no digits reads as 0 and consumes nothing; out of range is clamped.
enum CNumber {
    static func long(_ line: SourceLine, from start: Int) -> (value: Int, end: Int) {
        var index = start
        while index < line.count, line[index] == UInt8(ascii: " ") || (9...13).contains(line[index]) { index += 1 }
        var negative = false
        if index < line.count, line[index] == UInt8(ascii: "+") || line[index] == UInt8(ascii: "-") {
            negative = line[index] == UInt8(ascii: "-")
            index += 1
        }
        var radix = 10
        if index + 2 < line.count, line[index] == UInt8(ascii: "0"),
           line[index + 1] == UInt8(ascii: "x") || line[index + 1] == UInt8(ascii: "X"),
           digit(line[index + 2], radix: 16) != nil {
            radix = 16
            index += 2
        } else if index < line.count, line[index] == UInt8(ascii: "0") {
            radix = 8
        }
        let digitsStart = index
        var magnitude: Int128 = 0
        while index < line.count, let value = digit(line[index], radix: radix) {
            magnitude = min(magnitude * Int128(radix) + Int128(value), Int128(Int.max) + 1)
            index += 1
        }
        guard index > digitsStart else { return (0, start) }
        let signed = negative ? -magnitude : magnitude
        return (Int(clamping: signed), index)
    }

    private static func digit(_ byte: UInt8, radix: Int) -> Int? {
        let value: Int
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): value = Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): value = Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
        return value < radix ? value : nil
    }
}
