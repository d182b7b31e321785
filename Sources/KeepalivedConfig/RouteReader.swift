/// Route and rule lines (`virtual_routes`, `static_routes`, `virtual_rules`, `static_rules`), with keepalived's
/// keywords and defaults (vrrp_iproute.c, vrrp_iprule.c). An option tandem does not implement is an error at
/// its own location: dropping it would install a different route than keepalived does.

import Vocabulary

enum RouteReader {
    /// Each line of the block is one route.
    static func routes(_ s: Statement, values: inout ValueParser) -> [RouteDefinition] {
        (s.block ?? []).compactMap { route([$0.keyword] + $0.arguments, values: &values) }
    }

    static func rules(_ s: Statement, values: inout ValueParser) -> [RuleDefinition] {
        (s.block ?? []).compactMap { rule([$0.keyword] + $0.arguments, values: &values) }
    }

    /// Options keepalived knows that tandem refuses, so the error can say it is a real option.
    static let unimplementedRouteOptions: Set<String> = [
        "inet", "inet6", "as", "from", "tos", "dsfield", "encap", "expires", "mtu", "hoplimit", "advmss", "rtt",
        "rttvar", "reordering", "window", "cwnd", "ssthresh", "realms", "rto_min", "initcwnd", "initrwnd",
        "features", "quickack", "congctl", "pref", "ttl-propagate", "fastopen_no_cookie", "add", "prepend",
        "append", "or", "nexthop", "track_group", "vrf",
    ]
    static let unimplementedRuleOptions: Set<String> = [
        "inet", "inet6", "tos", "dsfield", "realms", "suppress_prefixlength", "sup_pl", "suppress_ifgroup",
        "sup_group", "not", "tunnel-id", "uidrange", "l3mdev", "protocol", "ipproto", "sport", "dport", "track_group",
    ]

    /// keepalived watches its tracked routes and rules and puts the instance in FAULT when another program
    /// deletes one; vrrpd installs them but does not watch them yet, and says so once per block.
    static func warnUnwatched(_ s: Statement, tracked: Bool, values: inout ValueParser) {
        guard tracked, s.name.hasPrefix("virtual_") else { return }
        values.log.warning(s.location, "\(s.name): vrrpd does not watch tracked routes and rules yet: one deleted by another program does not put the instance in FAULT as under keepalived (no_track on a line says it need not)")
    }

    // MARK: routes

    static func route(_ tokens: [Token], values: inout ValueParser) -> RouteDefinition? {
        guard let first = tokens.first else { return nil }
        var route = RouteDefinition(destination: IPPrefix(address: .v4(0), length: 0), location: first.location)
        var destination: (token: Token, prefix: IPPrefix?)?
        var protocolGiven = false
        var rest = tokens[...]
        var failed = false
        while let token = rest.popFirst(), !failed {
            let name = token.word ?? ""
            func value() -> Token? {
                guard let next = rest.popFirst() else {
                    values.log.error(token.location, "route option \(name) needs a value")
                    failed = true
                    return nil
                }
                return next
            }
            switch name {
            case "src":
                guard let v = value() else { break }
                route.source = values.address(v, "route src")
                failed = route.source == nil
            case "via", "gw":
                guard let v = value() else { break }
                route.via = values.address(v, "route via")
                failed = route.via == nil
                if name == "gw" { values.log.warning(token.location, "gw for routes is deprecated (as keepalived says): use via") }
            case "dev", "oif":
                guard let v = value() else { break }
                route.device = v.word
            case "scope":
                guard let v = value() else { break }
                guard let scope = scopeNumber(v.word ?? "") else {
                    values.log.error(v.location, "route scope '\(v.word ?? "")' is not global, universe, site, link, host, nowhere or 0–255")
                    failed = true
                    break
                }
                route.scope = scope
            case "table":
                guard let v = value() else { break }
                guard let table = tableNumber(v.word ?? "") else {
                    values.log.error(v.location, "route table '\(v.word ?? "")' is not main, local, default or a number")
                    failed = true
                    break
                }
                route.table = table
            case "metric", "priority", "preference":
                guard let v = value() else { break }
                guard let metric = UInt32(v.word ?? "") else {
                    values.log.error(v.location, "route \(name) must be a whole number 0–4294967295, not '\(v.word ?? "")'")
                    failed = true
                    break
                }
                route.metric = metric
            case "protocol":
                guard let v = value() else { break }
                guard let number = protocolNumber(v.word ?? "") else {
                    values.log.error(v.location, "route protocol '\(v.word ?? "")' is not kernel, boot, static, keepalived or 0–255")
                    failed = true
                    break
                }
                route.routingProtocol = number
                protocolGiven = true
            case "onlink":
                route.onlink = true
            case "no_track":
                route.noTrack = true
            default:
                if unimplementedRouteOptions.contains(name) {
                    values.log.error(token.location, "route option '\(name)' is not supported by tandem")
                    failed = true
                    break
                }
                var target = token
                if name == "to" {
                    guard let v = value() else { break }
                    target = v
                }
                if let type = RouteType(rawValue: target.word ?? "") {
                    route.type = type
                    guard let v = rest.popFirst() else {
                        values.log.error(target.location, "route type \(type.rawValue) needs a destination after it")
                        failed = true
                        break
                    }
                    target = v
                }
                guard let prefix = destinationPrefix(target) else {
                    values.log.error(target.location, "unknown route option or bad destination '\(target.word ?? "")'")
                    failed = true
                    break
                }
                destination = (target, prefix)
            }
        }
        if failed { return nil }
        guard let (token, prefix) = destination else {
            values.log.error(first.location, "route must have a destination")
            return nil
        }
        // `default` takes the family of the route's other addresses (IPv4 when it has none).
        let family = route.via?.family ?? route.source?.family ?? prefix?.family ?? .ipv4
        route.destination = prefix ?? IPPrefix(address: family == .ipv4 ? .v4(0) : .v6(high: 0, low: 0), length: 0)
        for (address, what) in [(route.via, "via"), (route.source, "src")] {
            if let address, address.family != route.destination.family {
                values.log.error(token.location, "route mixes IPv4 and IPv6: destination \(route.destination) with \(what) \(address)")
                return nil
            }
        }
        if !route.noTrack {
            if protocolGiven && route.routingProtocol != RouteDefinition.keepalivedProtocol {
                values.log.warning(first.location, "a tracked route has protocol keepalived (18), as under keepalived; add no_track to keep protocol \(route.routingProtocol)")
            }
            route.routingProtocol = RouteDefinition.keepalivedProtocol
            if route.device == nil {
                values.log.warning(first.location, "route \(route.destination) has no dev, so it cannot be tracked (as keepalived: not tracked)")
                route.noTrack = true
            }
        }
        return route
    }

    /// `default`, `ADDR` (a host prefix) or `ADDR/LEN`; nil (and `nil` prefix) for `default`, resolved later.
    private static func destinationPrefix(_ token: Token) -> IPPrefix?? {
        let text = token.word ?? ""
        if ["default", "any", "all"].contains(text) { return .some(nil) }
        return prefix(text).map { .some($0) }
    }

    static func prefix(_ text: String) -> IPPrefix? {
        let pieces = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(pieces[0])) else { return nil }
        guard pieces.count == 2 else { return IPPrefix(address: address, length: address.maximumPrefixLength) }
        guard let length = Int(pieces[1]), (0...address.maximumPrefixLength).contains(length) else { return nil }
        return IPPrefix(address: address, length: length)
    }

    /// iproute2's rt_scopes names.
    static func scopeNumber(_ text: String) -> UInt8? {
        switch text {
        case "global", "universe": 0
        case "site": 200
        case "link": 253
        case "host": 254
        case "nowhere": 255
        default: UInt8(text)
        }
    }

    /// iproute2's rt_tables names (tandem reads no /etc/iproute2/rt_tables: a custom name is refused).
    static func tableNumber(_ text: String) -> UInt32? {
        switch text {
        case "default": 253
        case "main": 254
        case "local": 255
        default: UInt32(text)
        }
    }

    /// iproute2's rt_protos names that configs use.
    static func protocolNumber(_ text: String) -> UInt8? {
        switch text {
        case "unspec": 0
        case "redirect": 1
        case "kernel": 2
        case "boot": 3
        case "static": 4
        case "keepalived": 18
        default: UInt8(text)
        }
    }

    // MARK: rules

    static func rule(_ tokens: [Token], values: inout ValueParser) -> RuleDefinition? {
        guard let first = tokens.first else { return nil }
        var family: IPAddressFamily?
        var rule = RuleDefinition(action: .nop, preference: 0, location: first.location)
        var action: RuleAction?
        var preference: UInt32?
        var rest = tokens[...]
        var failed = false
        func setAction(_ new: RuleAction, at token: Token) {
            if action != nil {
                values.log.error(token.location, "a rule takes only one of table, goto, nop, blackhole, unreachable, prohibit")
                failed = true
            }
            action = new
        }
        while let token = rest.popFirst(), !failed {
            let name = token.word ?? ""
            func value() -> Token? {
                guard let next = rest.popFirst() else {
                    values.log.error(token.location, "rule option \(name) needs a value")
                    failed = true
                    return nil
                }
                return next
            }
            switch name {
            case "from", "to":
                guard let v = value() else { break }
                let anything = ["all", "any", "default"].contains(v.word ?? "")
                guard let prefix = anything ? nil : prefix(v.word ?? "") else {
                    if !anything {
                        values.log.error(v.location, "rule \(name) '\(v.word ?? "")' is not an address or ADDR/LEN")
                        failed = true
                    }
                    break
                }
                if let family, family != prefix.family {
                    values.log.error(v.location, "rule mixes IPv4 and IPv6")
                    failed = true
                    break
                }
                family = prefix.family
                if name == "from" { rule.from = prefix } else { rule.to = prefix }
            case "table", "lookup":
                guard let v = value() else { break }
                guard let table = tableNumber(v.word ?? ""), table != 0 else {
                    values.log.error(v.location, "rule table '\(v.word ?? "")' is not main, local, default or a number 1–4294967295")
                    failed = true
                    break
                }
                setAction(.lookup(table: table), at: token)
            case "preference", "priority", "order":
                guard let v = value() else { break }
                guard let number = UInt32(v.word ?? "") else {
                    values.log.error(v.location, "rule \(name) must be a whole number 0–4294967295, not '\(v.word ?? "")'")
                    failed = true
                    break
                }
                preference = number
            case "fwmark":
                guard let v = value() else { break }
                let pieces = (v.word ?? "").split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
                guard let mark = number(pieces[0]), pieces.count == 1 || number(pieces[1]) != nil else {
                    values.log.error(v.location, "rule fwmark '\(v.word ?? "")' is not N or N/MASK (decimal or 0x hex)")
                    failed = true
                    break
                }
                rule.fwmark = mark
                rule.fwmask = pieces.count == 2 ? number(pieces[1]) : nil
            case "iif", "dev":
                guard let v = value() else { break }
                rule.inputInterface = v.word
            case "oif":
                guard let v = value() else { break }
                rule.outputInterface = v.word
            case "no_track":
                rule.noTrack = true
            case "goto":
                guard let v = value() else { break }
                guard let target = UInt32(v.word ?? "") else {
                    values.log.error(v.location, "rule goto target must be a whole number, not '\(v.word ?? "")'")
                    failed = true
                    break
                }
                setAction(.goto(preference: target), at: token)
            case "nop": setAction(.nop, at: token)
            case "blackhole": setAction(.blackhole, at: token)
            case "unreachable": setAction(.unreachable, at: token)
            case "prohibit": setAction(.prohibit, at: token)
            default:
                if unimplementedRuleOptions.contains(name) {
                    values.log.error(token.location, "rule option '\(name)' is not supported by tandem")
                } else {
                    values.log.error(token.location, "unknown rule option '\(name)'")
                }
                failed = true
            }
        }
        if failed { return nil }
        guard let action else {
            values.log.error(first.location, "rule needs an action: table N, goto N, nop, blackhole, unreachable or prohibit")
            return nil
        }
        rule.action = action
        rule.family = family ?? .ipv4
        if case .goto(let target) = action, preference.map({ $0 >= target }) ?? true {
            values.log.error(first.location, "a goto rule needs a preference lower than its target \(target)")
            return nil
        }
        if let preference {
            rule.preference = preference
        } else {
            // keepalived numbers rules written without a preference, and says so.
            if rule.family == .ipv4 {
                rule.preference = values.nextRulePreferenceIPv4
                values.nextRulePreferenceIPv4 -= 1
            } else {
                rule.preference = values.nextRulePreferenceIPv6
                values.nextRulePreferenceIPv6 -= 1
            }
            values.log.warning(first.location, "rule has no preference; it gets \(rule.preference), as under keepalived (probably not what you want)")
        }
        return rule
    }

    /// A decimal or 0x-hexadecimal 32-bit number, as strtoul(…, 0) reads an fwmark.
    private static func number(_ text: Substring) -> UInt32? {
        if text.hasPrefix("0x") || text.hasPrefix("0X") { return UInt32(text.dropFirst(2), radix: 16) }
        return UInt32(text)
    }
}
