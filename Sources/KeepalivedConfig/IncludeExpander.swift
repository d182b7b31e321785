/// The token stream of a configuration: the main file with every `include PATTERN...` line replaced by the
/// files it names, as keepalived does. A pattern is a shell glob, relative to the directory of the file that
/// includes it; a plain path that does not exist is an error, a glob that matches nothing only a warning (a
/// conf.d directory may well be empty).
///
/// Tokens are pulled one at a time through a stack of open files, so memory stays proportional to one file's text
/// and the include depth, not to the number of tokens (a 10,000-service configuration has over a million).
struct IncludeExpander {
    /// keepalived limits nesting too; this also stops a file that includes itself.
    static let maximumDepth = 8

    /// One open file: its lexer, and the files an include line of it named that are still to be read.
    private struct OpenFile {
        var path: String
        var lexer: Lexer
        var atLineStart = true
        var waiting: [(path: String, includedAt: ConfigLocation)] = []
    }

    let source: ConfigSource
    private(set) var filesRead: [String] = []
    private var open: [OpenFile] = []

    init(source: ConfigSource) { self.source = source }

    /// Starts with a file from the source; false (and an error logged) when it cannot be read.
    mutating func start(file path: String, log: inout DiagnosticLog) -> Bool {
        push(path, includedFrom: nil, log: &log)
    }

    /// Starts with text held in memory.
    mutating func start(text: String, named name: String) {
        filesRead.append(name)
        open = [OpenFile(path: name, lexer: Lexer(file: name, text: text))]
    }

    /// The next token of the spliced stream, or nil at the end of the main file.
    mutating func next(log: inout DiagnosticLog) -> Token? {
        while !open.isEmpty {
            let top = open.count - 1
            if !open[top].waiting.isEmpty {
                let file = open[top].waiting.removeFirst()
                _ = push(file.path, includedFrom: file.includedAt, log: &log)
                continue
            }
            guard let token = open[top].lexer.next(log: &log) else {
                open.removeLast()
                continue
            }
            if open[top].atLineStart, !token.quoted, token.word == "include" {
                readInclude(at: token.location, log: &log)
                continue   // the include line itself, up to its end, is consumed
            }
            open[top].atLineStart = token.kind == .endOfLine
            return token
        }
        return nil
    }

    /// Reads the patterns of an include line and queues the files they match, in order.
    private mutating func readInclude(at location: ConfigLocation, log: inout DiagnosticLog) {
        let top = open.count - 1
        var patterns: [Token] = []
        while let token = open[top].lexer.next(log: &log), token.kind != .endOfLine {
            patterns.append(token)
        }
        if patterns.isEmpty {
            log.error(location, "include needs a file name or a pattern")
        }
        for pattern in patterns {
            guard let text = pattern.word else {
                log.error(pattern.location, "include takes file names, not braces")
                continue
            }
            let resolved = text.hasPrefix("/") ? text : Self.directory(of: open[top].path) + text
            let isGlob = resolved.contains { "*?[".contains($0) }
            let matches = isGlob ? source.glob(resolved) : [resolved]
            if matches.isEmpty {
                log.warning(pattern.location, "include \(text) matches no file")
            }
            open[top].waiting += matches.map { ($0, pattern.location) }
        }
    }

    /// Opens an included (or the main) file on top of the stack, unless that would loop or nest too deep.
    private mutating func push(_ path: String, includedFrom: ConfigLocation?, log: inout DiagnosticLog) -> Bool {
        if let includedFrom {
            let chain = open.map(\.path)
            if chain.contains(path) {
                log.error(includedFrom, "include \(path) includes itself (through \(chain.joined(separator: " → ")))")
                return false
            }
            if chain.count >= Self.maximumDepth {
                log.error(includedFrom, "include \(path) is nested more than \(Self.maximumDepth) deep")
                return false
            }
        }
        switch source.read(path) {
        case .success(let text):
            filesRead.append(path)
            open.append(OpenFile(path: path, lexer: Lexer(file: path, text: text)))
            return true
        case .failure(let problem):
            log.error(includedFrom ?? ConfigLocation(file: path, line: 0, column: 0), problem.description)
            return false
        }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }
}
