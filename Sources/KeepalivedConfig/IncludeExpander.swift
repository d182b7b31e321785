/// Reads the main file and splices in every `include PATTERN...` line, as keepalived does: a pattern is a
/// shell glob, relative to the directory of the file that includes it; a plain path that does not exist is an
/// error, a glob that matches nothing only a warning (a conf.d directory may well be empty).
struct IncludeExpander {
    /// keepalived limits nesting too; this also stops a file that includes itself.
    static let maximumDepth = 8

    let source: ConfigSource
    private(set) var filesRead: [String] = []

    init(source: ConfigSource) { self.source = source }

    mutating func tokens(ofFile path: String, log: inout DiagnosticLog) -> [Token]? {
        tokens(ofFile: path, includedFrom: nil, stack: [], log: &log)
    }

    mutating func tokens(ofText text: String, named name: String, log: inout DiagnosticLog) -> [Token] {
        filesRead.append(name)
        let raw = Lexer(file: name).tokenize(text, log: &log)
        return expand(raw, in: name, stack: [name], log: &log)
    }

    private mutating func tokens(
        ofFile path: String, includedFrom: ConfigLocation?, stack: [String], log: inout DiagnosticLog
    ) -> [Token]? {
        let text: String
        switch source.read(path) {
        case .success(let contents): text = contents
        case .failure(let problem):
            log.error(includedFrom ?? ConfigLocation(file: path, line: 0, column: 0), problem.description)
            return nil
        }
        filesRead.append(path)
        let raw = Lexer(file: path).tokenize(text, log: &log)
        return expand(raw, in: path, stack: stack + [path], log: &log)
    }

    private mutating func expand(
        _ raw: [Token], in path: String, stack: [String], log: inout DiagnosticLog
    ) -> [Token] {
        var output: [Token] = []
        output.reserveCapacity(raw.count)
        var index = 0
        var atLineStart = true
        while index < raw.count {
            let token = raw[index]
            if atLineStart, !token.quoted, token.word == "include" {
                var patterns: [Token] = []
                index += 1
                while index < raw.count, raw[index].kind != .endOfLine {
                    patterns.append(raw[index])
                    index += 1
                }
                if patterns.isEmpty {
                    log.error(token.location, "include needs a file name or a pattern")
                }
                for pattern in patterns {
                    guard let text = pattern.word else {
                        log.error(pattern.location, "include takes file names, not braces")
                        continue
                    }
                    output += included(text, at: pattern.location, from: path, stack: stack, log: &log)
                }
                continue
            }
            output.append(token)
            atLineStart = token.kind == .endOfLine
            index += 1
        }
        return output
    }

    private mutating func included(
        _ pattern: String, at location: ConfigLocation, from path: String, stack: [String],
        log: inout DiagnosticLog
    ) -> [Token] {
        let resolved = pattern.hasPrefix("/") ? pattern : Self.directory(of: path) + pattern
        let isGlob = resolved.contains { "*?[".contains($0) }
        let matches = isGlob ? source.glob(resolved) : [resolved]
        if matches.isEmpty {
            log.warning(location, "include \(pattern) matches no file")
            return []
        }
        var result: [Token] = []
        for match in matches {
            if stack.contains(match) {
                log.error(location, "include \(match) includes itself (through \(stack.joined(separator: " → ")))")
                continue
            }
            if stack.count >= Self.maximumDepth {
                log.error(location, "include \(match) is nested more than \(Self.maximumDepth) deep")
                continue
            }
            if let tokens = tokens(ofFile: match, includedFrom: location, stack: stack, log: &log) {
                // An included file ends its own last line, so the including line goes on cleanly.
                result += tokens
            }
        }
        return result
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }
}
