/// The token stream of a configuration: each line as keepalived's line reader leaves it (conditions, definitions,
/// repetitions, substitution: LinePreprocessor), with every `include PATTERN...` line replaced by the files it
/// names, as keepalived does. A pattern is a shell glob, relative to the directory of the file that includes it; a
/// plain path that does not exist is an error, a glob that matches nothing only a warning (a conf.d directory may
/// well be empty).
///
/// Tokens are made one line at a time, so memory stays proportional to the files' text and the include depth, not
/// to the number of tokens (a 10,000-service configuration has over a million).
struct IncludeExpander {
    private var files: FileStack
    private var preprocessor: LinePreprocessor
    private var lexer: Lexer?

    init(source: ConfigSource, configID: String,
         maximumGeneratedLines: Int = LinePreprocessor.defaultMaximumGeneratedLines,
         limits: FileStack.Limits = FileStack.Limits()) {
        files = FileStack(source: source, limits: limits)
        preprocessor = LinePreprocessor(configID: configID, maximumGeneratedLines: maximumGeneratedLines)
    }

    /// The files read so far, in the order they were first read.
    var filesRead: [String] { files.filesRead }

    /// Starts with a file from the source; false (and an error logged) when it cannot be read.
    mutating func start(file path: String, log: inout DiagnosticLog) -> Bool {
        files.start(file: path, log: &log)
    }

    /// Starts with text held in memory.
    mutating func start(text: String, named name: String) {
        files.start(text: text, named: name)
    }

    /// The next token of the spliced stream, or nil at the end of the main file.
    mutating func next(log: inout DiagnosticLog) -> Token? {
        while true {
            if let token = lexer?.next(log: &log) { return token }
            lexer = nil
            guard let line = preprocessor.next(from: &files, log: &log) else { return nil }
            var lineLexer: Lexer
            var rewrittenInclude = false
            switch line {
            case .raw(let raw):
                lineLexer = Lexer(file: raw.file, line: raw.number, bytes: raw.bytes)
            case .rewritten(let text, let fromRewrittenInclude):
                lineLexer = Lexer(text)
                rewrittenInclude = fromRewrittenInclude
            }
            guard let first = lineLexer.next(log: &log) else { continue }
            if !first.quoted, first.word == "include" {
                if rewrittenInclude {
                    log.warning(first.location, "keepalived 2.2.7 reads a file included by a line that is conditional, substituted or generated twice (tandem reads it once); write the line as an include line")
                }
                readInclude(at: first.location, from: &lineLexer, log: &log)
                continue
            }
            lexer = lineLexer
            return first
        }
    }

    /// Reads the patterns of an include line and queues the files they match, in order.
    private mutating func readInclude(at location: ConfigLocation, from line: inout Lexer, log: inout DiagnosticLog) {
        var patterns: [Token] = []
        while let token = line.next(log: &log), token.kind != .endOfLine {
            patterns.append(token)
        }
        if patterns.isEmpty {
            log.error(location, "include needs a file name or a pattern")
        }
        let including = files.chain.last ?? ""
        var matched: [(path: String, includedAt: ConfigLocation)] = []
        for pattern in patterns {
            guard let text = pattern.word else {
                log.error(pattern.location, "include takes file names, not braces")
                continue
            }
            let resolved = text.hasPrefix("/") ? text : FileStack.directory(of: including) + text
            let isGlob = resolved.contains { "*?[".contains($0) }
            let matches = isGlob ? files.source.glob(resolved) : [resolved]
            if matches.isEmpty {
                log.warning(pattern.location, "include \(text) matches no file")
            }
            matched += matches.map { ($0, pattern.location) }
        }
        files.include(matched)
    }
}
