/// How many arguments a keyword takes.
enum Arity: Sendable {
    case exactly(Int)
    case between(Int, Int)
    /// Everything up to the end of the line (lists, scripts with user and group, option lists).
    case rest(minimum: Int)

    var minimum: Int {
        switch self {
        case .exactly(let n), .between(let n, _), .rest(let n): return n
        }
    }

    var maximum: Int? {
        switch self {
        case .exactly(let n), .between(_, let n): return n
        case .rest: return nil
        }
    }
}

/// The keywords of one kind of block and what each does to the value being built.
struct KeywordTable<Target>: Sendable {
    typealias Handler = @Sendable (inout Target, Statement, inout ValueParser) -> Void

    struct Entry: Sendable {
        var arity: Arity
        var wantsBlock: Bool
        /// Set for a keyword that is read (its value is kept for `--dump-conf`-style output and tests) but has no
        /// effect in tandem: the consequence, warned at every use and listed as `warned` in docs/compatibility.md.
        var noEffect: String?
        var handler: Handler
    }

    let blockName: String
    /// Where keepalived puts this block (`top`, `vrrp_instance`, `virtual_server/real_server/TCP_CHECK`), to find
    /// the KeywordClasses rule of a keyword this table does not implement.
    let keepalivedBlock: String
    private(set) var entries: [String: Entry] = [:]

    init(_ blockName: String, keepalivedBlock: String? = nil) {
        self.blockName = blockName
        self.keepalivedBlock = keepalivedBlock ?? blockName
    }

    mutating func add(_ names: String..., arity: Arity, block: Bool = false, noEffect: String? = nil,
                      _ handler: @escaping Handler) {
        for name in names { entries[name] = Entry(arity: arity, wantsBlock: block, noEffect: noEffect, handler: handler) }
    }

    /// Runs every statement of a block through the table. A line that holds several statements
    /// (`authentication { auth_type PASS auth_pass 1111 }`) is split where a fixed-arity keyword's arguments end
    /// and a keyword of the same block begins.
    func apply(_ statements: [Statement], to target: inout Target, values: inout ValueParser) {
        let outerScope = values.log.scope
        for statement in statements {
            values.log.scope = outerScope
            // The line's words are walked as one slice: a split takes its head and goes on with the rest, copying
            // nothing twice (a line of 40,000 words was quadratic when each split copied what followed).
            var keyword = statement.keyword
            var rest = statement.arguments[...]
            while true {
                guard let entry = entries[keyword.word ?? ""], !keyword.quoted else {
                    reportUnknown(Statement(keyword: keyword, arguments: Array(rest), block: statement.block), values: &values)
                    break
                }
                if let split = splitPoint(of: rest, entry.arity) {
                    run(entry, Statement(keyword: keyword, arguments: Array(rest[..<split]), block: nil), &target, &values)
                    keyword = rest[split]
                    rest = rest[(split + 1)...]
                    continue
                }
                var current = Statement(keyword: keyword, arguments: Array(rest), block: statement.block)
                if let maximum = entry.arity.maximum, current.arguments.count > maximum {
                    let next = current.arguments[maximum]
                    values.log.warning(next.location,
                                       "\(current.name) takes at most \(maximum) argument\(maximum == 1 ? "" : "s"); '\(next.word ?? "")' and what follows are ignored")
                    current.arguments = Array(current.arguments.prefix(maximum))
                }
                run(entry, current, &target, &values)
                break
            }
        }
        values.log.scope = outerScope
    }

    /// Where the next statement of a shared line starts (an index of `arguments`): right after a fixed-arity
    /// keyword's arguments, or, for a keyword that takes the rest of the line, at the first unquoted word that is a
    /// keyword of this block.
    private func splitPoint(of arguments: ArraySlice<Token>, _ arity: Arity) -> Int? {
        if let maximum = arity.maximum {
            guard arguments.count > maximum else { return nil }
            let next = arguments[arguments.startIndex + maximum]
            return !next.quoted && entries[next.word ?? ""] != nil ? arguments.startIndex + maximum : nil
        }
        return arguments.indices.dropFirst(arity.minimum).first {
            !arguments[$0].quoted && entries[arguments[$0].word ?? ""] != nil
        }
    }

    private func run(_ entry: Entry, _ statement: Statement, _ target: inout Target, _ values: inout ValueParser) {
        if statement.arguments.count < entry.arity.minimum {
            let count = entry.arity.minimum
            values.log.error(statement.location,
                             "\(statement.name) needs \(count) argument\(count == 1 ? "" : "s")")
            return
        }
        if entry.wantsBlock && statement.block == nil {
            values.log.error(statement.location, "\(statement.name) needs a { ... } block")
            return
        }
        if !entry.wantsBlock, let block = statement.block {
            values.log.error(statement.location, "\(statement.name) does not take a { ... } block")
            _ = block
            return
        }
        if let consequence = entry.noEffect {
            values.log.warning(statement.location, "\(statement.name) has no effect: \(consequence)")
        }
        entry.handler(&target, statement, &values)
    }

    private func reportUnknown(_ statement: Statement, values: inout ValueParser) {
        let name = statement.name
        if let rule = KeywordClasses.rule(block: keepalivedBlock, keyword: name) {
            switch rule.kind {
            case .refused: values.log.error(statement.location, "\(name) is refused: \(rule.note)")
            case .warned, .implemented: values.log.warning(statement.location, "\(name) is ignored: \(rule.note)")
            }
            return
        }
        if name == "dont_track_primary" {
            values.log.warning(statement.location, "dont_track_primary is ignored: keepalived takes it only inside a vrrp_instance")
            return
        }
        var message = "unknown keyword '\(name)' in \(blockName)"
        if values.log.keeps(.warning), let suggestion = Self.nearest(to: name, among: entries.keys) {
            message += "; did you mean '\(suggestion)'?"
        }
        values.log.warning(statement.location, message + " (ignored)")
    }

    /// The known keyword closest to a misspelling, if it is close enough to be a plausible typo.
    static func nearest(to word: String, among candidates: some Sequence<String>) -> String? {
        let limit = max(2, word.count / 4)
        var best: (String, Int)?
        for candidate in candidates {
            let distance = EditDistance.between(word, candidate, limit: limit)
            if distance <= limit, best == nil || distance < best!.1 || (distance == best!.1 && candidate < best!.0) {
                best = (candidate, distance)
            }
        }
        return best?.0
    }
}

enum EditDistance {
    /// Levenshtein distance, stopping early once every path exceeds `limit`.
    static func between(_ a: String, _ b: String, limit: Int) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        if abs(a.count - b.count) > limit { return limit + 1 }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            current[0] = i
            var rowMinimum = current[0]
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                rowMinimum = min(rowMinimum, current[j])
            }
            if rowMinimum > limit { return limit + 1 }
            swap(&previous, &current)
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
