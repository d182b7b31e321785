/// `vrrp_script`, `vrrp_sync_group` and `vrrp_instance` blocks.

import Vocabulary
enum VRRPReader {
    static let scriptTable: KeywordTable<VRRPScript> = {
        var table = KeywordTable<VRRPScript>("vrrp_script")
        table.add("script", arity: .exactly(1)) { script, s, values in script.command = values.script(s) }
        table.add("interval", arity: .exactly(1)) { script, s, values in
            if let interval = values.duration(s.arguments[0], "interval", allowZero: false) { script.interval = interval }
        }
        table.add("timeout", arity: .exactly(1)) { script, s, values in
            script.timeout = values.duration(s.arguments[0], "timeout", allowZero: false)
        }
        table.add("weight", arity: .between(1, 2)) { script, s, values in
            if let weight = values.integer(s.arguments[0], "weight", in: -253...253) { script.weight = weight }
            if s.arguments.count > 1 {
                if s.arguments[1].word == "reverse" { script.weightReversed = true } else {
                    values.log.error(s.arguments[1].location, "weight takes 'reverse' after the number, not '\(s.arguments[1].word ?? "")'")
                }
            }
        }
        table.add("fall", arity: .exactly(1)) { script, s, values in
            if let fall = values.integer(s.arguments[0], "fall", in: 1...Int(Int32.max)) { script.fall = fall }
        }
        table.add("rise", arity: .exactly(1)) { script, s, values in
            if let rise = values.integer(s.arguments[0], "rise", in: 1...Int(Int32.max)) { script.rise = rise }
        }
        table.add("user", arity: .between(1, 2)) { script, s, _ in
            script.user = s.arguments[0].word
            script.group = s.arguments.count > 1 ? s.arguments[1].word : nil
        }
        return table
    }()

    static let syncGroupTable: KeywordTable<VRRPSyncGroup> = {
        var table = KeywordTable<VRRPSyncGroup>("vrrp_sync_group")
        table.add("group", arity: .rest(minimum: 0), block: true) { group, s, _ in
            group.members = ListReader.words(of: s)
        }
        table.add("notify_master", arity: .rest(minimum: 1)) { group, s, values in group.notifyMaster = values.script(s) }
        table.add("notify_backup", arity: .rest(minimum: 1)) { group, s, values in group.notifyBackup = values.script(s) }
        table.add("notify_fault", arity: .rest(minimum: 1)) { group, s, values in group.notifyFault = values.script(s) }
        table.add("notify_stop", arity: .rest(minimum: 1)) { group, s, values in group.notifyStop = values.script(s) }
        table.add("notify", arity: .rest(minimum: 1)) { group, s, values in group.notify = values.script(s) }
        table.add("track_interface", arity: .exactly(0), block: true) { group, s, values in
            group.trackInterfaces += trackInterfaces(s, values: &values).map { var entry = $0; entry.fromSyncGroup = true; return entry }
        }
        table.add("track_script", arity: .exactly(0), block: true) { group, s, values in
            group.trackScripts += trackScripts(s, values: &values).map { var entry = $0; entry.fromSyncGroup = true; return entry }
        }
        table.add("sync_group_tracking_weight", "global_tracking", arity: .exactly(0)) { group, _, _ in group.trackingWeight = true }
        return table
    }()

    struct AuthenticationBlock {
        var type: String?
        var typeLocation: ConfigLocation?
        var password: String?
    }

    static let authenticationTable: KeywordTable<AuthenticationBlock> = {
        var table = KeywordTable<AuthenticationBlock>("authentication", keepalivedBlock: "vrrp_instance/authentication")
        table.add("auth_type", arity: .exactly(1)) { auth, s, values in
            let type = s.arguments[0].word ?? ""
            guard type == "PASS" || type == "AH" else {
                values.log.error(s.arguments[0].location, "auth_type must be PASS or AH, not '\(type)'")
                return
            }
            auth.type = type
            auth.typeLocation = s.arguments[0].location
        }
        table.add("auth_pass", arity: .exactly(1)) { auth, s, _ in auth.password = s.arguments[0].word }
        return table
    }()

    static let instanceTable: KeywordTable<VRRPInstanceDefinition> = {
        var table = KeywordTable<VRRPInstanceDefinition>("vrrp_instance")
        table.add("state", arity: .exactly(1)) { instance, s, values in
            guard let state = VRRPStartState(rawValue: s.arguments[0].word ?? "") else {
                values.log.error(s.arguments[0].location, "state must be MASTER or BACKUP, not '\(s.arguments[0].word ?? "")'")
                return
            }
            // keepalived keeps an earlier MASTER over a later BACKUP (vrrp_state_handler).
            if state == .backup, instance.initialState == .master {
                values.log.warning(s.arguments[0].location, "state was already set to MASTER; this BACKUP is ignored, as keepalived does")
                return
            }
            instance.initialState = state
        }
        table.add("interface", arity: .exactly(1)) { instance, s, _ in instance.interface = s.arguments[0].word }
        table.add("virtual_router_id", arity: .exactly(1)) { instance, s, values in
            instance.virtualRouterID = values.integer(s.arguments[0], "virtual_router_id", in: 1...255)
        }
        table.add("priority", arity: .exactly(1)) { instance, s, values in
            if let priority = values.integer(s.arguments[0], "priority", in: 1...255) { instance.priority = priority }
        }
        table.add("advert_int", arity: .exactly(1)) { instance, s, values in
            if let interval = values.duration(s.arguments[0], "advert_int", allowZero: false, maximum: .seconds(255)) {
                instance.advertInterval = interval
            }
        }
        table.add("version", arity: .exactly(1)) { instance, s, values in
            instance.version = values.integer(s.arguments[0], "version", in: 2...3)
        }
        table.add("authentication", arity: .exactly(0), block: true) { instance, s, values in
            var auth = AuthenticationBlock()
            authenticationTable.apply(s.block ?? [], to: &auth, values: &values)
            switch (auth.type, auth.password) {
            case ("PASS", let password?): instance.authentication = .password(password)
            case ("AH", _?): instance.authentication = .ah(location: auth.typeLocation ?? s.location)
            case (nil, nil): instance.authentication = .none
            case (_, nil): values.log.error(s.location, "authentication needs auth_pass")
            case (nil, _): values.log.error(s.location, "authentication needs auth_type PASS or AH")
            default: break
            }
        }
        table.add("virtual_ipaddress", arity: .exactly(0), block: true) { instance, s, values in
            instance.virtualIPAddresses += VirtualAddressListReader.read(s, values: &values)
        }
        table.add("virtual_ipaddress_excluded", arity: .exactly(0), block: true) { instance, s, values in
            instance.excludedVirtualIPAddresses += VirtualAddressListReader.read(s, values: &values)
        }
        table.add("virtual_routes", arity: .exactly(0), block: true) { instance, s, values in
            let routes = RouteReader.routes(s, values: &values)
            instance.virtualRoutes += routes
            RouteReader.warnUnwatched(s, tracked: routes.contains { !$0.noTrack }, values: &values)
        }
        table.add("virtual_rules", arity: .exactly(0), block: true) { instance, s, values in
            let rules = RouteReader.rules(s, values: &values)
            instance.virtualRules += rules
            RouteReader.warnUnwatched(s, tracked: rules.contains { !$0.noTrack }, values: &values)
        }
        table.add("mcast_src_ip", "unicast_src_ip", arity: .exactly(1)) { instance, s, values in
            if let source = values.address(s.arguments[0], s.name) { instance.sourceIP = source }
        }
        table.add("unicast_peer", arity: .exactly(0), block: true) { instance, s, values in
            // Each line is an address, optionally followed by per-peer options keepalived has (min_ttl, max_ttl).
            for line in s.block ?? [] {
                if let peer = values.address(line.keyword, "unicast_peer") { instance.unicastPeers.append(peer) }
                for token in line.arguments where IPAddress(token.word ?? "") != nil {
                    if let peer = values.address(token, "unicast_peer") { instance.unicastPeers.append(peer) }
                }
                // keepalived drops this peer's adverts outside the TTL range (and then hears only listed peers);
                // vrrpd does not read an advert's TTL on unicast yet, so it would hear them: refused.
                for token in line.arguments where ["min_ttl", "max_ttl"].contains(token.word ?? "") && !token.quoted {
                    values.log.error(token.location, "unicast_peer \(token.word ?? "") is refused: vrrpd does not check a unicast advert's TTL, so adverts keepalived drops would be heard")
                }
            }
        }
        table.add("nopreempt", arity: .exactly(0)) { instance, _, _ in instance.nopreempt = true }
        table.add("preempt", arity: .exactly(0)) { instance, _, _ in instance.nopreempt = false }
        table.add("preempt_delay", arity: .exactly(1)) { instance, s, values in
            if let delay = values.duration(s.arguments[0], "preempt_delay", maximum: .seconds(1000)) {
                instance.preemptDelay = delay
            }
        }
        table.add("track_script", arity: .exactly(0), block: true) { instance, s, values in
            instance.trackScripts += trackScripts(s, values: &values)
        }
        table.add("track_interface", arity: .exactly(0), block: true) { instance, s, values in
            instance.trackInterfaces += trackInterfaces(s, values: &values)
        }
        table.add("dont_track_primary", arity: .exactly(0)) { instance, _, _ in instance.dontTrackPrimary = true }
        table.add("notify_master", arity: .rest(minimum: 1)) { instance, s, values in instance.notifyMaster = values.script(s) }
        table.add("notify_backup", arity: .rest(minimum: 1)) { instance, s, values in instance.notifyBackup = values.script(s) }
        table.add("notify_fault", arity: .rest(minimum: 1)) { instance, s, values in instance.notifyFault = values.script(s) }
        table.add("notify_stop", arity: .rest(minimum: 1)) { instance, s, values in instance.notifyStop = values.script(s) }
        table.add("notify", arity: .rest(minimum: 1)) { instance, s, values in instance.notify = values.script(s) }
        GratuitousKeywords.addInstance(to: &table)
        table.add("lvs_sync_daemon_interface", arity: .exactly(1)) { instance, s, _ in
            if let name = s.arguments[0].word { instance.lvsSyncDaemonInterface = (name, s.location) }
        }
        table.add("check_unicast_src", arity: .exactly(0)) { instance, _, _ in instance.checkUnicastSource = true }
        return table
    }()

    static func trackScripts(_ s: Statement, values: inout ValueParser) -> [TrackScriptReference] {
        TrackListReader.read(s, "track_script", values: &values).map {
            TrackScriptReference(name: $0.name.word ?? "", weight: $0.weight, reverse: $0.reverse, location: $0.name.location)
        }
    }

    static func trackInterfaces(_ s: Statement, values: inout ValueParser) -> [TrackInterfaceReference] {
        TrackListReader.read(s, "track_interface", values: &values).map {
            TrackInterfaceReference(name: $0.name.word ?? "", weight: $0.weight ?? 0, reverse: $0.reverse ?? false,
                                    location: $0.name.location)
        }
    }
}

/// `virtual_ipaddress { ADDR[/PREFIX] [brd ADDR] [dev IF] [scope SCOPE] [label LABEL] ... }`.
/// A new address may start on the same line as the previous one: any word that is an address where an option
/// name was expected begins the next entry.
enum VirtualAddressListReader {
    /// `brd ADDR|+|-` as keepalived reads it: `+` sets every host bit, `-` none, both only up to a /30; an IPv6
    /// address with a broadcast is dropped by keepalived (so its VRRP would not hold it), refused here.
    static func broadcast(_ value: Token, of entry: VirtualIPAddress, at option: Token,
                          values: inout ValueParser) -> IPAddress? {
        guard entry.address.family == .ipv4 else {
            values.log.error(option.location, "an IPv6 address has no broadcast: keepalived skips this address, so it is refused")
            return nil
        }
        let text = value.word ?? ""
        guard text == "+" || text == "-" else {
            guard let address = IPAddress(text), address.family == .ipv4 else {
                values.log.error(value.location, "brd '\(text)' is not an IPv4 address, + or -: keepalived skips this address, so it is refused")
                return nil
            }
            return address
        }
        guard entry.prefixLength <= 30 else {
            values.log.warning(value.location, "brd \(text): a /\(entry.prefixLength) has no broadcast, so none is set (as keepalived)")
            return nil
        }
        guard case .v4(let bits) = entry.address else { return nil }
        let hostMask = UInt32.max >> UInt32(entry.prefixLength)
        return .v4(text == "+" ? bits | hostMask : bits & ~hostMask)
    }

    static func read(_ s: Statement, values: inout ValueParser) -> [VirtualIPAddress] {
        var result: [VirtualIPAddress] = []
        var tokens = ListReader.tokens(of: s)[...]
        while let first = tokens.popFirst() {
            guard let (address, prefix) = values.addressWithPrefix(first, "virtual_ipaddress") else {
                // Skip this entry's options so one bad address gives one error.
                while let next = tokens.first, IPAddress(String((next.word ?? "").split(separator: "/").first ?? "")) == nil {
                    tokens.removeFirst()
                }
                continue
            }
            var entry = VirtualIPAddress(address: address, prefixLength: prefix ?? address.maximumPrefixLength,
                                         location: first.location)
            options: while let option = tokens.first, let name = option.word {
                switch name {
                case "dev", "label", "brd", "broadcast", "scope":
                    tokens.removeFirst()
                    guard let value = tokens.popFirst() else {
                        values.log.error(option.location, "\(name) needs a value")
                        break options
                    }
                    switch name {
                    case "dev": entry.device = value.word
                    case "label": entry.label = value.word
                    case "scope":
                        // keepalived (vrrp_ipaddress.c): a scope it does not know is reported and ignored, and an
                        // IPv6 address takes none.
                        guard let scope = RouteReader.scopeNumber(value.word ?? "") else {
                            values.log.warning(value.location, "virtual_ipaddress scope '\(value.word ?? "")' is not global, site, link, host, nowhere or 0–255, so it is ignored (as keepalived)")
                            break
                        }
                        if address.family == .ipv6 {
                            values.log.warning(option.location, "an IPv6 address takes no scope, so it is ignored (as keepalived)")
                        } else {
                            entry.scope = scope
                        }
                    default:
                        entry.broadcast = broadcast(value, of: entry, at: option, values: &values)
                    }
                case "peer", "preferred_lft":
                    // `peer` makes the VIP point-to-point and `preferred_lft 0` deprecates it as a source:
                    // both change where traffic goes, so they are refused rather than ignored. The value is
                    // consumed so it does not start a bogus extra address.
                    tokens.removeFirst()
                    let value = tokens.popFirst()
                    if name == "preferred_lft", value?.word == "forever" { continue options }
                    values.log.error(option.location, "virtual_ipaddress option \(name) is not supported by tandem")
                case "no_track":
                    tokens.removeFirst()
                    entry.noTrack = true
                case "home", "nodad", "noprefixroute", "autojoin", "-":
                    tokens.removeFirst()
                default:
                    if IPAddress(String(name.split(separator: "/").first ?? "")) != nil { break options }
                    values.log.warning(option.location, "unknown virtual_ipaddress option '\(name)' (ignored)")
                    tokens.removeFirst()
                }
            }
            result.append(entry)
        }
        return result
    }
}
