/// `virtual_server_group`, `virtual_server`, `real_server` and the checker blocks.

import Vocabulary
enum VirtualServerReader {
    /// The schedulers of Linux's IPVS (net/netfilter/ipvs/ip_vs_*.c).
    public static let kernelSchedulers: Set<String> = [
        "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos",
    ]

    /// The timing keywords every level (virtual server, real server, checker) accepts.
    static func addTiming<T>(_ table: inout KeywordTable<T>, _ timing: WritableKeyPath<T, CheckTiming> & Sendable) {
        table.add("delay_loop", arity: .exactly(1)) { target, s, values in
            target[keyPath: timing].delayLoop = values.duration(s.arguments[0], "delay_loop", allowZero: false)
        }
        table.add("connect_timeout", arity: .exactly(1)) { target, s, values in
            target[keyPath: timing].connectTimeout = values.duration(s.arguments[0], "connect_timeout", allowZero: false)
        }
        // nb_get_retry is retry's old name, still in most published configs.
        table.add("retry", "nb_get_retry", arity: .exactly(1)) { target, s, values in
            target[keyPath: timing].retry = values.integer(s.arguments[0], s.name, in: 0...Int(Int32.max))
        }
        table.add("delay_before_retry", arity: .exactly(1)) { target, s, values in
            target[keyPath: timing].delayBeforeRetry = values.duration(s.arguments[0], "delay_before_retry")
        }
        table.add("warmup", arity: .exactly(1)) { target, s, values in
            target[keyPath: timing].warmup = values.duration(s.arguments[0], "warmup")
        }
    }

    static func forwarding(_ s: Statement, values: inout ValueParser) -> ForwardingMethod? {
        let text = s.arguments[0].word ?? ""
        if let method = ForwardingMethod(rawValue: text.uppercased()) { return method }
        let hint = text.uppercased() == "FNAT" ? " (FULLNAT needs a patched kernel)" : ""
        values.log.error(s.arguments[0].location, "\(s.name) '\(text)' is not a forwarding method the kernel has: use NAT, DR or TUN\(hint)")
        return nil
    }

    static let urlTable: KeywordTable<HTTPCheckURL> = {
        var table = KeywordTable<HTTPCheckURL>("url", keepalivedBlock: "virtual_server/real_server/HTTP_GET/url")
        table.add("path", arity: .exactly(1)) { url, s, _ in url.path = s.arguments[0].word ?? "/" }
        table.add("digest", arity: .exactly(1)) { url, s, values in
            let digest = (s.arguments[0].word ?? "").lowercased()
            guard digest.count == 32, digest.allSatisfy({ $0.isHexDigit }) else {
                values.log.error(s.arguments[0].location, "digest must be an MD5 sum: 32 hexadecimal digits, as genhash prints")
                return
            }
            url.digest = digest
        }
        table.add("status_code", arity: .rest(minimum: 1)) { url, s, values in
            for token in s.arguments {
                let parts = (token.word ?? "").split(separator: "-", maxSplits: 1)
                let bounds = parts.compactMap { Int($0) }
                guard bounds.count == parts.count, let low = bounds.first, let high = bounds.last,
                      (100...999).contains(low), (100...999).contains(high), low <= high else {
                    values.log.error(token.location, "status_code '\(token.word ?? "")' must be an HTTP status (100–999) or a range such as 200-299")
                    continue
                }
                url.statusCodes.append(low...high)
            }
        }
        table.add("virtualhost", arity: .exactly(1)) { url, s, _ in url.virtualHost = s.arguments[0].word }
        return table
    }()

    /// The keywords every checker takes (keepalived's install_checker_common_keywords), in `block`.
    static func commonCheckerTable(_ name: String, block: String) -> KeywordTable<HealthCheck> {
        var table = KeywordTable<HealthCheck>(name, keepalivedBlock: block)
        addTiming(&table, \.timing)
        table.add("connect_ip", arity: .exactly(1)) { check, s, values in check.connectIP = values.address(s.arguments[0], "connect_ip") }
        table.add("connect_port", arity: .exactly(1)) { check, s, values in check.connectPort = values.port(s.arguments[0], "connect_port") }
        table.add("bindto", arity: .exactly(1)) { check, s, values in check.bindTo = values.address(s.arguments[0], "bindto") }
        table.add("bind_port", arity: .exactly(1)) { check, s, values in check.bindPort = values.port(s.arguments[0], "bind_port") }
        table.add("log_all_failures", arity: .between(0, 1)) { check, s, values in check.logAllFailures = values.flag(s) }
        return table
    }

    static func checkerTable(_ name: String) -> KeywordTable<HealthCheck> {
        var table = commonCheckerTable(name, block: "virtual_server/real_server/" + name)
        if name == "HTTP_GET" || name == "SSL_GET" {
            table.add("url", arity: .exactly(0), block: true) { check, s, values in
                var url = HTTPCheckURL(location: s.location)
                urlTable.apply(s.block ?? [], to: &url, values: &values)
                switch check.kind {
                case .http(let urls): check.kind = .http(urls: urls + [url])
                case .ssl(let urls): check.kind = .ssl(urls: urls + [url])
                default: break
                }
            }
            table.add("virtualhost", arity: .exactly(1)) { check, s, _ in check.virtualHost = s.arguments[0].word }
        }
        if name == "SSL_GET" {
            table.add("verify_cert", arity: .between(0, 1)) { check, s, values in check.verifyCertificate = values.flag(s) }
        }
        if name == "MISC_CHECK" {
            table.add("misc_path", arity: .rest(minimum: 1)) { check, s, values in
                guard case .misc(_, let timeout, let dynamic) = check.kind else { return }
                check.kind = .misc(command: values.script(s), timeout: timeout, dynamic: dynamic)
            }
            table.add("misc_timeout", arity: .exactly(1)) { check, s, values in
                guard case .misc(let command, _, let dynamic) = check.kind else { return }
                // keepalived takes 0 as "not set": the virtual server's delay_loop then bounds the program.
                let timeout = values.duration(s.arguments[0], "misc_timeout").flatMap { $0 == .zero ? nil : $0 }
                check.kind = .misc(command: command, timeout: timeout, dynamic: dynamic)
            }
            table.add("misc_dynamic", arity: .between(0, 1)) { check, s, values in
                guard case .misc(let command, let timeout, _) = check.kind else { return }
                check.kind = .misc(command: command, timeout: timeout, dynamic: values.flag(s))
            }
        }
        if name == "UDP_CHECK" { addUDPKeywords(&table) }
        if name == "DNS_CHECK" { addDNSKeywords(&table) }
        if name == "SMTP_CHECK" {
            table.add("helo_name", arity: .rest(minimum: 1)) { check, s, _ in
                guard case .smtp(var settings) = check.kind else { return }
                settings.heloName = s.arguments.compactMap(\.word).joined(separator: " ")
                check.kind = .smtp(settings)
            }
            // Read by addSMTPChecker, which makes each host its own checker.
            table.add("host", arity: .exactly(0), block: true) { _, _, _ in }
        }
        return table
    }

    /// UDP_CHECK's own keywords (check_udp.c).
    private static func addUDPKeywords(_ table: inout KeywordTable<HealthCheck>) {
        @Sendable func hex(_ s: Statement, wildcards: Bool, _ values: inout ValueParser) -> (data: [UInt8], mask: [UInt8]?)? {
            let text = s.arguments.compactMap(\.word).joined(separator: " ")
            guard let parsed = UDPCheckHex.parse(text, wildcards: wildcards) else {
                values.log.error(s.arguments.first?.location ?? s.location,
                                 "\(s.name) '\(text)' is not a hex string: pairs of hex digits\(wildcards ? " (x for any digit)" : ""), spaces between octets allowed")
                return nil
            }
            return parsed
        }
        table.add("payload", arity: .rest(minimum: 1)) { check, s, values in
            guard case .udp(var settings) = check.kind, let parsed = hex(s, wildcards: false, &values) else { return }
            settings.payload = parsed.data
            check.kind = .udp(settings)
        }
        table.add("require_reply", arity: .rest(minimum: 0)) { check, s, values in
            guard case .udp(var settings) = check.kind else { return }
            settings.reply.requireReply = true
            if !s.arguments.isEmpty, let parsed = hex(s, wildcards: true, &values) {
                settings.reply.data = parsed.data
                settings.reply.mask = parsed.mask
            }
            check.kind = .udp(settings)
        }
        table.add("min_reply_length", arity: .exactly(1)) { check, s, values in
            guard case .udp(var settings) = check.kind,
                  let length = values.integer(s.arguments[0], "min_reply_length", in: 0...65535) else { return }
            settings.reply.minimumLength = length
            check.kind = .udp(settings)
        }
        table.add("max_reply_length", arity: .exactly(1)) { check, s, values in
            guard case .udp(var settings) = check.kind,
                  let length = values.integer(s.arguments[0], "max_reply_length", in: 0...65535) else { return }
            settings.reply.maximumLength = length
            check.kind = .udp(settings)
        }
    }

    /// DNS_CHECK's own keywords (check_dns.c). keepalived reports a bad value and runs on without it, so these
    /// warn with what the check asks instead.
    private static func addDNSKeywords(_ table: inout KeywordTable<HealthCheck>) {
        table.add("type", arity: .exactly(1)) { check, s, values in
            guard case .dns(var settings) = check.kind else { return }
            let text = s.arguments[0].word ?? ""
            guard let type = DNSCheckSettings.recordTypes[text.uppercased()] else {
                let known = DNSCheckSettings.recordTypes.keys.sorted().joined(separator: ", ")
                values.log.warning(s.arguments[0].location, "DNS_CHECK type '\(text)' is not one keepalived knows (\(known)): the check asks for type \(settings.type) as before, as keepalived does")
                return
            }
            settings.type = type
            check.kind = .dns(settings)
        }
        table.add("name", arity: .exactly(1)) { check, s, values in
            guard case .dns(var settings) = check.kind else { return }
            let name = s.arguments[0].word ?? ""
            guard !settings.nameGiven else {
                values.log.warning(s.location, "DNS_CHECK name is given twice: the check asks about '\(settings.name)', the first, as keepalived does")
                return
            }
            guard DNSCheckSettings.isValidName(name) else {
                values.log.warning(s.arguments[0].location, "DNS_CHECK name '\(name)' has an empty label or one over 63 octets: the check asks about '\(settings.name)' instead, as keepalived does")
                return
            }
            settings.name = name
            settings.nameGiven = true
            check.kind = .dns(settings)
        }
    }

    static let tcpCheckTable = checkerTable("TCP_CHECK")
    static let httpCheckTable = checkerTable("HTTP_GET")
    static let sslCheckTable = checkerTable("SSL_GET")
    static let miscCheckTable = checkerTable("MISC_CHECK")
    static let udpCheckTable = checkerTable("UDP_CHECK")
    static let dnsCheckTable = checkerTable("DNS_CHECK")
    static let smtpCheckTable = checkerTable("SMTP_CHECK")
    static let pingCheckTable = checkerTable("PING_CHECK")
    static let smtpHostTable = commonCheckerTable("host", block: "virtual_server/real_server/SMTP_CHECK/host")

    /// `kind` is made per checker rather than captured: the table is a static for the life of the process, and a
    /// captured MISC_CHECK kind would be a boxed (indirect) value whose pointer carries enum tag bits, which leak
    /// checkers (the fuzz harness's LeakSanitizer) cannot follow.
    static func addChecker(_ name: String, _ kind: @escaping @Sendable () -> HealthCheckKind,
                           _ checkTable: KeywordTable<HealthCheck>, to table: inout KeywordTable<RealServer>) {
        table.add(name, arity: .exactly(0), block: true) { server, s, values in
            var check = HealthCheck(kind: kind(), location: s.location)
            checkTable.apply(s.block ?? [], to: &check, values: &values)
            if case .udp(let settings) = check.kind, settings.reply.minimumLength > settings.reply.maximumLength {
                values.log.warning(s.location, "UDP_CHECK min_reply_length \(settings.reply.minimumLength) is more than max_reply_length \(settings.reply.maximumLength): a reply never passes, as in keepalived")
            }
            if case .smtp = check.kind {
                server.checks += smtpCheckers(check, s, values: &values)
            } else {
                server.checks.append(check)
            }
        }
    }

    /// An SMTP_CHECK with `host { ... }` blocks (deprecated in keepalived, still read) is one checker per host,
    /// as in keepalived's check_smtp.c: the block's own connection (connect_ip, connect_port, bindto, bind_port,
    /// connect_timeout) is a checker too only when one of them is set. A host without connect_timeout takes the
    /// real or virtual server's, not the block's; the timing keywords in a host block set the whole block's, as in
    /// keepalived, where they reach the one checker being read.
    private static func smtpCheckers(_ check: HealthCheck, _ s: Statement, values: inout ValueParser) -> [HealthCheck] {
        let hostStatements = (s.block ?? []).filter { $0.name == "host" }
        guard !hostStatements.isEmpty else { return [check] }
        values.log.warning(hostStatements[0].location, "SMTP_CHECK host blocks are deprecated in keepalived: each host is checked as its own SMTP_CHECK, as keepalived does; write one SMTP_CHECK per host instead")
        var main = check
        var hosts: [HealthCheck] = []
        for statement in hostStatements {
            var host = main
            host.connectIP = nil
            host.connectPort = nil
            host.bindTo = nil
            host.bindPort = nil
            host.timing.connectTimeout = nil
            host.location = statement.location
            smtpHostTable.apply(statement.block ?? [], to: &host, values: &values)
            let hostTimeout = host.timing.connectTimeout
            main.timing = host.timing
            main.timing.connectTimeout = check.timing.connectTimeout
            host.timing.connectTimeout = hostTimeout
            hosts.append(host)
        }
        // Each host carries the block's final timing, with its own connect_timeout.
        hosts = hosts.map { host in
            var copy = host
            let timeout = host.timing.connectTimeout
            copy.timing = main.timing
            copy.timing.connectTimeout = timeout
            return copy
        }
        let mainHasConnection = main.connectIP != nil || main.connectPort != nil || main.bindTo != nil
            || main.bindPort != nil || main.timing.connectTimeout != nil
        return mainHasConnection ? [main] + hosts : hosts
    }

    static let realServerTable: KeywordTable<RealServer> = {
        var table = KeywordTable<RealServer>("real_server", keepalivedBlock: "virtual_server/real_server")
        addTiming(&table, \.timing)
        table.add("weight", arity: .exactly(1)) { server, s, values in
            let text = s.arguments[0].word ?? ""
            guard let weight = Int(text) else {
                values.log.error(s.arguments[0].location, "weight must be a whole number, not '\(text)'")
                return
            }
            // keepalived reports an out-of-range weight and keeps the default; a config that ran under
            // keepalived must run here, so this is a warning with the same effect.
            guard (0...65535).contains(weight) else {
                values.log.warning(s.arguments[0].location, "real server weight \(weight) is outside 0–65535, so it is ignored (as keepalived)")
                return
            }
            server.declaredWeight = weight
        }
        table.add("lvs_method", arity: .rest(minimum: 1)) { server, s, values in server.forwarding = forwarding(s, values: &values) }
        table.add("inhibit_on_failure", arity: .between(0, 1)) { server, s, values in server.inhibitOnFailure = values.flag(s) }
        table.add("alpha", arity: .between(0, 1)) { server, s, values in server.alpha = values.flag(s) }
        table.add("uthreshold", arity: .exactly(1)) { server, s, values in
            server.upperThreshold = values.integer(s.arguments[0], "uthreshold", in: 0...Int(Int32.max)).map(UInt32.init)
        }
        table.add("lthreshold", arity: .exactly(1)) { server, s, values in
            server.lowerThreshold = values.integer(s.arguments[0], "lthreshold", in: 0...Int(Int32.max)).map(UInt32.init)
        }
        table.add("notify_up", arity: .rest(minimum: 1)) { server, s, values in server.notifyUp = values.script(s) }
        table.add("notify_down", arity: .rest(minimum: 1)) { server, s, values in server.notifyDown = values.script(s) }
        addChecker("TCP_CHECK", { .tcp }, tcpCheckTable, to: &table)
        addChecker("HTTP_GET", { .http(urls: []) }, httpCheckTable, to: &table)
        addChecker("SSL_GET", { .ssl(urls: []) }, sslCheckTable, to: &table)
        addChecker("MISC_CHECK", { .misc(command: nil, timeout: nil, dynamic: false) }, miscCheckTable, to: &table)
        addChecker("UDP_CHECK", { .udp(UDPCheckSettings()) }, udpCheckTable, to: &table)
        addChecker("DNS_CHECK", { .dns(DNSCheckSettings()) }, dnsCheckTable, to: &table)
        addChecker("SMTP_CHECK", { .smtp(SMTPCheckSettings()) }, smtpCheckTable, to: &table)
        addChecker("PING_CHECK", { .ping }, pingCheckTable, to: &table)
        addChecker("FILE_CHECK", { .file(FileCheckSettings()) }, TrackFileReader.fileCheckTable, to: &table)
        return table
    }()

    static let virtualServerTable: KeywordTable<VirtualServer> = {
        var table = KeywordTable<VirtualServer>("virtual_server")
        addTiming(&table, \.timing)
        table.add("lb_algo", "lvs_sched", arity: .exactly(1)) { server, s, values in
            let name = s.arguments[0].word ?? ""
            guard kernelSchedulers.contains(name) else {
                values.log.error(s.arguments[0].location, "\(s.name) '\(name)' is not a scheduler the kernel has: use one of \(kernelSchedulers.sorted().joined(separator: ", "))")
                return
            }
            server.scheduler = name
        }
        table.add("lb_kind", "lvs_method", arity: .rest(minimum: 1)) { server, s, values in
            if let method = forwarding(s, values: &values) { server.forwarding = method }
        }
        table.add("persistence_timeout", arity: .between(0, 1)) { server, s, values in
            guard let token = s.arguments.first else {
                server.persistenceTimeout = 360   // keepalived: the keyword alone means six minutes
                return
            }
            // 0 means no persistence, which is what configs that write it intend.
            guard let seconds = values.integer(token, "persistence_timeout", in: 0...2_678_400) else { return }
            server.persistenceTimeout = seconds == 0 ? nil : UInt32(seconds)
        }
        table.add("persistence_granularity", arity: .exactly(1)) { server, s, values in
            server.persistenceGranularity = persistenceGranularity(s.arguments[0], of: server, values: &values)
            // keepalived: a granularity without a timeout turns persistence on, for six minutes.
            if server.persistenceGranularity != nil && server.persistenceTimeout == nil { server.persistenceTimeout = 360 }
        }
        table.add("protocol", arity: .exactly(1)) { server, s, values in
            guard let proto = TransportProtocol(keyword: s.arguments[0].word ?? "") else {
                values.log.error(s.arguments[0].location, "protocol must be TCP, UDP or SCTP, not '\(s.arguments[0].word ?? "")'")
                return
            }
            server.declaredProtocol = proto
            server.transportProtocol = proto
        }
        table.add("sorry_server", arity: .between(1, 2)) { server, s, values in
            guard let address = values.address(s.arguments[0], "sorry_server") else { return }
            let port = s.arguments.count > 1 ? values.port(s.arguments[1], "sorry_server port") : nil
            let inhibit = server.sorryServer?.inhibit ?? false
            server.sorryServer = SorryServer(address: address, port: port, forwarding: server.sorryServer?.forwarding, inhibit: inhibit)
        }
        table.add("sorry_server_inhibit", arity: .between(0, 1)) { server, s, values in
            let inhibit = values.flag(s)
            if server.sorryServer != nil { server.sorryServer!.inhibit = inhibit } else {
                values.log.warning(s.location, "sorry_server_inhibit before sorry_server has no effect")
            }
        }
        table.add("sorry_server_lvs_method", arity: .rest(minimum: 1)) { server, s, values in
            let method = forwarding(s, values: &values)
            if server.sorryServer != nil { server.sorryServer!.forwarding = method } else {
                values.log.warning(s.location, "sorry_server_lvs_method before sorry_server has no effect")
            }
        }
        table.add("inhibit_on_failure", arity: .between(0, 1)) { server, s, values in server.inhibitOnFailure = values.flag(s) }
        table.add("alpha", arity: .between(0, 1)) { server, s, values in server.alpha = values.flag(s) }
        table.add("omega", arity: .between(0, 1)) { server, s, values in
            server.omega = values.flag(s)
            // keepalived's omega runs quorum_down and notify_down when it shuts the virtual server down; stopping
            // tandem's daemons leaves the IPVS table serving, so there is no such shutdown to announce.
            if server.omega {
                values.log.warning(s.location, "omega has no effect: stopping ipvsd or checkd leaves this virtual server in the kernel, so no quorum_down or notify_down is due")
            }
        }
        table.add("quorum", arity: .exactly(1)) { server, s, values in
            // keepalived takes 0 and says it sets 1 instead; anything else out of range is an error.
            if s.arguments[0].word == "0" {
                values.log.warning(s.arguments[0].location, "quorum 0 is not valid, so 1 (as keepalived)")
                server.quorum = 1
            } else if let quorum = values.integer(s.arguments[0], "quorum", in: 1...Int(Int32.max)) {
                server.quorum = quorum
            }
        }
        table.add("hysteresis", arity: .exactly(1)) { server, s, values in
            if let hysteresis = values.integer(s.arguments[0], "hysteresis", in: 0...Int(Int32.max)) { server.hysteresis = hysteresis }
        }
        table.add("quorum_up", arity: .rest(minimum: 1)) { server, s, values in server.quorumUp = values.script(s) }
        table.add("quorum_down", arity: .rest(minimum: 1)) { server, s, values in server.quorumDown = values.script(s) }
        table.add("virtualhost", arity: .exactly(1)) { server, s, _ in server.virtualHost = s.arguments[0].word }
        table.add("ops", arity: .exactly(0)) { server, _, _ in server.onePacketScheduling = true }
        table.add("ha_suspend", arity: .exactly(0)) { server, _, _ in server.haSuspend = true }
        // keepalived 2.2.7 (lbflags_handler) sets flag-1..3 under any scheduler, sh-* only if lb_algo sh came
        // before and mh-* only if lb_algo mh did; anything else (and `hashed`, which sets no flag at all) is
        // reported and ignored.
        for flag in ["flag-1", "flag-2", "flag-3"] {
            table.add(flag, arity: .exactly(0)) { server, s, _ in server.schedulerFlags.append(s.name) }
        }
        for flag in ["sh-port", "sh-fallback", "mh-port", "mh-fallback", "hashed"] {
            table.add(flag, arity: .exactly(0)) { server, s, values in
                let owner = String(s.name.prefix(2))
                if server.scheduler == owner, s.name != "hashed" {
                    server.schedulerFlags.append(s.name)
                } else if !["sh", "mh"].contains(server.scheduler) {
                    values.log.warning(s.location, "\(s.name) only applies to the sh and mh schedulers, and the scheduler when this line is read is \(server.scheduler) (lb_algo must come first), so it is ignored (as keepalived)")
                } else if s.name != "hashed" {
                    values.log.warning(s.location, "\(s.name) only applies to the \(owner) scheduler, so it is ignored under lb_algo \(server.scheduler) (as keepalived)")
                }
            }
        }
        table.add("weight", arity: .exactly(1)) { server, s, values in
            // keepalived reports a weight outside 1-65535 and keeps the one it had.
            let text = s.arguments[0].word ?? ""
            guard let weight = Int(text), (1...65535).contains(weight) else {
                values.log.warning(s.arguments[0].location, "virtual server weight '\(text)' is outside 1–65535, so real servers without a weight keep \(server.realServerWeight) (as keepalived)")
                return
            }
            server.realServerWeight = weight
        }
        table.add("real_server", arity: .between(1, 2), block: true) { server, s, values in
            guard let address = values.address(s.arguments[0], "real_server") else { return }
            var port: UInt16?
            if s.arguments.count > 1 {
                guard let parsed = values.port(s.arguments[1], "real_server port") else { return }
                port = parsed
            }
            var real = RealServer(address: address, port: port, location: s.location)
            realServerTable.apply(s.block ?? [], to: &real, values: &values)
            server.realServers.append(real)
        }
        return table
    }()

    /// The `virtual_server` line itself: `ADDR PORT`, `fwmark N` or `group NAME`.
    static func address(of s: Statement, values: inout ValueParser) -> VirtualServerAddress? {
        let args = s.arguments
        guard let first = args.first else {
            values.log.error(s.location, "virtual_server needs an address and port, 'fwmark N' or 'group NAME'")
            return nil
        }
        switch first.word {
        case "fwmark":
            guard args.count == 2, let mark = values.integer(args[1], "fwmark", in: 1...Int(UInt32.max)) else {
                if args.count != 2 { values.log.error(first.location, "fwmark needs one number") }
                return nil
            }
            return .firewallMark(UInt32(mark))
        case "group":
            guard args.count == 2, let name = args[1].word else {
                values.log.error(first.location, "group needs the name of a virtual_server_group")
                return nil
            }
            return .group(name)
        default:
            guard args.count == 2 else {
                values.log.error(first.location, "virtual_server needs an address and a port")
                return nil
            }
            guard let ip = values.address(first, "virtual_server"), let port = values.port(args[1], "virtual_server port") else {
                return nil
            }
            return .address(ip, port: port)
        }
    }
}
