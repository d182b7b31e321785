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
        var handler: Handler
    }

    let blockName: String
    private(set) var entries: [String: Entry] = [:]

    init(_ blockName: String) { self.blockName = blockName }

    mutating func add(_ names: String..., arity: Arity, block: Bool = false, _ handler: @escaping Handler) {
        for name in names { entries[name] = Entry(arity: arity, wantsBlock: block, handler: handler) }
    }

    /// Runs every statement of a block through the table. A line that holds several statements
    /// (`authentication { auth_type PASS auth_pass 1111 }`) is split where a fixed-arity keyword's arguments end
    /// and a keyword of the same block begins.
    func apply(_ statements: [Statement], to target: inout Target, values: inout ValueParser) {
        let outerScope = values.log.scope
        for statement in statements {
            values.log.scope = outerScope
            var current = statement
            while true {
                guard let entry = entries[current.name], !current.keyword.quoted else {
                    reportUnknown(current, values: &values)
                    break
                }
                if let split = splitPoint(of: current, entry.arity) {
                    let next = current.arguments[split]
                    let head = Statement(keyword: current.keyword,
                                         arguments: Array(current.arguments.prefix(split)), block: nil)
                    run(entry, head, &target, &values)
                    current = Statement(keyword: next, arguments: Array(current.arguments.dropFirst(split + 1)),
                                        block: current.block)
                    continue
                }
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

    /// Where the next statement of a shared line starts: right after a fixed-arity keyword's arguments, or, for a
    /// keyword that takes the rest of the line, at the first unquoted word that is a keyword of this block.
    private func splitPoint(of statement: Statement, _ arity: Arity) -> Int? {
        let arguments = statement.arguments
        if let maximum = arity.maximum {
            guard arguments.count > maximum else { return nil }
            let next = arguments[maximum]
            return !next.quoted && entries[next.word ?? ""] != nil ? maximum : nil
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
        entry.handler(&target, statement, &values)
    }

    private func reportUnknown(_ statement: Statement, values: inout ValueParser) {
        let name = statement.name
        if let note = UnsupportedKeywords.note(for: name) {
            values.log.warning(statement.location, "\(name) is not supported (\(note)); ignored")
            return
        }
        var message = "unknown keyword '\(name)' in \(blockName)"
        if let suggestion = Self.nearest(to: name, among: entries.keys) {
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

/// keepalived keywords that tandem reads without acting on; naming them avoids a misleading "unknown".
enum UnsupportedKeywords {
    static func note(for keyword: String) -> String? {
        switch keyword {
        case "vrrp_strict", "vrrp_skip_check_adv_addr", "vrrp_garp_interval", "vrrp_gna_interval",
             "vrrp_garp_master_delay", "vrrp_garp_master_repeat", "vrrp_garp_master_refresh",
             "vrrp_iptables", "vrrp_check_unicast_src", "max_auto_priority", "vrrp_no_swap",
             "checker_no_swap", "vrrp_priority", "checker_priority", "default_interface",
             "dynamic_interfaces", "smtp_helo_name", "smtp_alert", "smtp_alert_vrrp",
             "smtp_alert_checker", "snmp_socket", "enable_snmp_vrrp",
             "enable_snmp_checker", "enable_traps", "enable_dbus", "script_pre_exec", "lvs_id",
             "track_src_ip", "accept", "no_accept", "strict_mode",
             "smtp_alert_rs", "snmp_name", "ha_suspend", "persistence_engine", "ip_family",
             "vrrp_garp_lower_prio_delay", "vrrp_garp_lower_prio_repeat", "vrrp_lower_prio_no_advert",
             "lower_prio_no_advert", "higher_prio_send_advert", "vrrp_higher_prio_send_advert",
             "garp_lower_prio_delay", "garp_lower_prio_repeat", "use_vmac", "vmac_xmit_base",
             "native_ipv6", "debug", "kernel_rx_buf_size", "enable_sni", "fast_recovery":
            return "keepalived option without effect in tandem"
        case "dont_track_primary":
            return "keepalived takes it only inside a vrrp_instance"
        default:
            return nil
        }
    }
}
