/// `global_defs { ... }`.

import Vocabulary
enum GlobalDefsReader {
    static let table: KeywordTable<GlobalDefinitions> = {
        var table = KeywordTable<GlobalDefinitions>("global_defs")
        table.add("router_id", arity: .exactly(1)) { global, s, _ in global.routerID = s.arguments[0].word }
        table.add("lvs_timeouts", arity: .rest(minimum: 0)) { global, s, values in
            global.lvsTimeouts = lvsTimeouts(s, values: &values)
        }
        table.add("notification_email", arity: .rest(minimum: 0), block: true, noEffect: KeywordClasses.noMail) { global, s, _ in
            global.notificationEmails = ListReader.words(of: s)
        }
        table.add("notification_email_from", arity: .exactly(1), noEffect: KeywordClasses.noMail) { global, s, _ in
            global.notificationEmailFrom = s.arguments[0].word
        }
        table.add("smtp_server", arity: .between(1, 2), noEffect: KeywordClasses.noMail) { global, s, values in
            global.smtpServer = s.arguments[0].word
            if s.arguments.count > 1, let port = values.port(s.arguments[1], "smtp_server port") {
                global.smtpPort = port
            }
        }
        table.add("smtp_connect_timeout", arity: .exactly(1), noEffect: KeywordClasses.noMail) { global, s, values in
            if let timeout = values.duration(s.arguments[0], "smtp_connect_timeout", allowZero: false) {
                global.smtpConnectTimeout = timeout
            }
        }
        table.add("vrrp_mcast_group4", arity: .exactly(1)) { global, s, values in
            if let group = multicastGroup(s, .ipv4, "an IPv4 multicast address (224.0.0.0/4)", values: &values) {
                global.vrrpMulticastGroup4 = group
            }
        }
        table.add("vrrp_mcast_group6", arity: .exactly(1)) { global, s, values in
            if let group = multicastGroup(s, .ipv6, "an IPv6 multicast address (ff00::/8)", values: &values) {
                global.vrrpMulticastGroup6 = group
            }
        }
        table.add("script_user", arity: .between(1, 2)) { global, s, _ in
            global.scriptUser = s.arguments[0].word
            global.scriptGroup = s.arguments.count > 1 ? s.arguments[1].word : nil
        }
        table.add("enable_script_security", arity: .between(0, 1), noEffect: KeywordClasses.scriptSecurityUnchecked) { global, s, values in
            global.enableScriptSecurity = values.flag(s)
        }
        table.add("checker_log_all_failures", arity: .between(0, 1)) { global, s, values in
            global.checkerLogAllFailures = values.flag(s)
        }
        table.add("lvs_flush_on_stop", "lvs_flush_onstop", arity: .between(0, 1)) { global, s, values in
            global.lvsFlushOnStop = values.flag(s)
        }
        table.add("vrrp_version", arity: .exactly(1)) { global, s, values in
            if let version = values.integer(s.arguments[0], "vrrp_version", in: 2...3) { global.vrrpVersion = version }
        }
        table.add("lvs_sync_daemon", arity: .rest(minimum: 2)) { global, s, values in
            global.lvsSyncDaemon = syncDaemon(s, values: &values)
        }
        GratuitousKeywords.addGlobal(to: &table)
        table.add("vrrp_check_unicast_src", arity: .exactly(0)) { global, _, _ in global.checkUnicastSource = true }
        return table
    }()

    /// The group address of `vrrp_mcast_group4`/`6`: an address of the family that is multicast.
    static func multicastGroup(_ s: Statement, _ family: IPAddressFamily, _ what: String,
                               values: inout ValueParser) -> IPAddress? {
        guard let group = values.address(s.arguments[0], s.name) else { return nil }
        guard group.family == family, group.isMulticast else {
            values.log.error(s.arguments[0].location, "\(s.name) must be \(what)")
            return nil
        }
        return group
    }

    /// `lvs_sync_daemon INTERFACE VRRP_INSTANCE [id N] [maxlen N] [port N] [ttl N] [group ADDR]`.
    static func syncDaemon(_ s: Statement, values: inout ValueParser) -> LVSSyncDaemon? {
        guard let interface = s.arguments[0].word, let instance = s.arguments[1].word else { return nil }
        var daemon = LVSSyncDaemon(interface: interface, vrrpInstance: instance, location: s.location)
        var options = s.arguments.dropFirst(2).makeIterator()
        while let option = options.next() {
            guard let value = options.next() else {
                values.log.error(option.location, "lvs_sync_daemon option '\(option.word ?? "")' needs a value")
                break
            }
            switch option.word {
            case "id": daemon.syncID = values.integer(value, "lvs_sync_daemon id", in: 0...255).map(UInt8.init) ?? 0
            case "maxlen": daemon.maximumLength = values.integer(value, "lvs_sync_daemon maxlen", in: 1...65507).map(UInt16.init)
            case "port": daemon.port = values.port(value, "lvs_sync_daemon port")
            case "ttl": daemon.ttl = values.integer(value, "lvs_sync_daemon ttl", in: 1...255).map(UInt8.init)
            case "group": daemon.group = values.address(value, "lvs_sync_daemon group")
            default:
                values.log.warning(option.location, "unknown lvs_sync_daemon option '\(option.word ?? "")' (ignored)")
            }
        }
        return daemon
    }
}

/// Blocks that hold a plain list of words, whatever their line layout.
enum ListReader {
    static func words(of statement: Statement) -> [String] {
        tokens(of: statement).compactMap(\.word)
    }

    static func tokens(of statement: Statement) -> [Token] {
        // A nested block inside a list is meaningless; its words are still listed so nothing is lost silently.
        statement.arguments + flattened(statement.block ?? [])
    }

    private static func flattened(_ block: [Statement]) -> [Token] {
        block.flatMap { [$0.keyword] + $0.arguments + flattened($0.block ?? []) }
    }
}

extension GlobalDefsReader {
    /// `lvs_timeouts [tcp N] [tcpfin N] [udp N]`, 0 to 31 days each. keepalived ignores a bad option or value
    /// with a warning and keeps the others, so tandem does too.
    static func lvsTimeouts(_ s: Statement, values: inout ValueParser) -> LVSTimeouts {
        var timeouts = LVSTimeouts()
        if s.arguments.count < 2 {
            values.log.warning(s.location, "lvs_timeouts needs at least one of tcp, tcpfin, udp with a value; nothing is set")
            return timeouts
        }
        var index = 0
        while index < s.arguments.count {
            let option = s.arguments[index]
            let name = option.word ?? ""
            guard ["tcp", "tcpfin", "udp"].contains(name) else {
                values.log.warning(option.location, "lvs_timeouts: unknown option '\(name)' is ignored")
                index += 1
                continue
            }
            guard index + 1 < s.arguments.count else {
                values.log.warning(option.location, "lvs_timeouts \(name) has no value; it is ignored")
                break
            }
            let token = s.arguments[index + 1]
            if let seconds = UInt32(token.word ?? ""), seconds <= 86_400 * 31 {
                switch name {
                case "tcp": timeouts.tcp = seconds
                case "tcpfin": timeouts.tcpFin = seconds
                default: timeouts.udp = seconds
                }
            } else {
                values.log.warning(token.location, "lvs_timeouts \(name) '\(token.word ?? "")' is not a number of seconds from 0 to 2678400; it is ignored")
            }
            index += 2
        }
        return timeouts
    }
}
