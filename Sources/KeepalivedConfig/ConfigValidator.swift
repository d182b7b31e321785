/// Checks that span blocks: references between them, values that only make sense together, and what the host
/// can tell (interfaces). Keeps keepalived's split between errors (the file cannot run) and warnings.

import Vocabulary
struct ConfigValidator {
    let host: HostFacts

    func validate(_ config: inout KeepalivedConfiguration, log: inout DiagnosticLog) {
        log.scope = .vrrp
        validateScripts(config, log: &log)
        // One snapshot for reading while items are fixed up in place: passing `config` itself would copy the
        // whole array at every step (quadratic on a 10,000-service file).
        let snapshot = config
        for index in config.vrrpInstances.indices {
            validateInstance(&config.vrrpInstances[index], config: snapshot, log: &log)
        }
        validateRouterIDs(config, log: &log)
        validateSyncGroups(config, log: &log)
        TrackingRules.apply(&config, log: &log)
        validateAnnouncements(config, log: &log)
        log.scope = .global
        if let daemon = config.global.lvsSyncDaemon {
            if config.vrrpInstance(named: daemon.vrrpInstance) == nil {
                log.error(daemon.location, "lvs_sync_daemon names vrrp_instance \(daemon.vrrpInstance), which is not defined")
            }
            checkInterface(daemon.interface, at: daemon.location, log: &log)
        }
        log.scope = .virtualServers
        for index in config.virtualServers.indices {
            validateVirtualServer(&config.virtualServers[index], config: snapshot, log: &log)
        }
    }

    private func validateScripts(_ config: KeepalivedConfiguration, log: inout DiagnosticLog) {
        var commands = config.vrrpScripts.compactMap(\.command)
        for instance in config.vrrpInstances {
            commands += [instance.notifyMaster, instance.notifyBackup, instance.notifyFault, instance.notifyStop,
                         instance.notify].compactMap { $0 }
        }
        for group in config.syncGroups {
            commands += [group.notifyMaster, group.notifyBackup, group.notifyFault, group.notifyStop, group.notify]
                .compactMap { $0 }
        }
        log.scope = .vrrp
        for command in commands { checkScript(command, log: &log) }
        for script in config.vrrpScripts where script.effectiveTimeout > script.interval {
            log.warning(script.location, "vrrp_script \(script.name): timeout is longer than interval, so runs can overlap; keepalived skips a run while one is going")
        }
        commands = []
        for server in config.virtualServers {
            commands += [server.quorumUp, server.quorumDown].compactMap { $0 }
            for real in server.realServers {
                commands += [real.notifyUp, real.notifyDown].compactMap { $0 }
                for check in real.checks {
                    if case .misc(let command?, _, _) = check.kind { commands.append(command) }
                }
            }
        }
        log.scope = .virtualServers
        for command in commands { checkScript(command, log: &log) }
        log.scope = .vrrp
    }

    /// Scripts run without a shell; text that only a shell understands cannot run and keepalived disables it.
    private func checkScript(_ command: ScriptCommand, log: inout DiagnosticLog) {
        guard let program = command.arguments.first else { return }
        let shellOnly = ["<", ">", "|", ";", "&", "$(", "`"]
        if shellOnly.contains(where: { program.contains($0) }) || !program.hasPrefix("/") && shellOnly.contains(where: { command.text.contains($0) }) {
            log.warning(command.location, "'\(command.text)' is shell syntax, but scripts run without a shell (keepalived disables this one as not found); write \"/bin/sh -c '\(command.text)'\"")
        } else if !program.hasPrefix("/") {
            log.warning(command.location, "'\(program)' is not an absolute path; it is looked up in the daemon's PATH at run time")
        }
    }

    private func validateInstance(_ instance: inout VRRPInstanceDefinition, config: KeepalivedConfiguration,
                                  log: inout DiagnosticLog) {
        let name = instance.name
        if instance.interface == nil {
            log.error(instance.location, "vrrp_instance \(name) needs an interface")
        }
        if instance.virtualRouterID == nil {
            log.error(instance.location, "vrrp_instance \(name) needs a virtual_router_id (1–255)")
        }
        if instance.virtualIPAddresses.isEmpty {
            log.warning(instance.location, "vrrp_instance \(name) has no virtual_ipaddress")
        }
        let version = instance.effectiveVersion(config.global)
        // keepalived (vrrp_data.c, alloc_vrrp_vip): the first virtual_ipaddress sets the instance's family, and
        // one of the other family is reported and ignored — never installed. The same here, said plainly.
        let family = instance.family
        for mixed in instance.virtualIPAddresses where mixed.address.family != family {
            log.warning(mixed.location, "vrrp_instance \(name): \(mixed.address) is not of the instance's address family "
                        + "(its first virtual_ipaddress sets it); it is ignored and never installed, as keepalived does — "
                        + "put it in virtual_ipaddress_excluded, or in an instance of its own, to have it installed")
        }
        instance.virtualIPAddresses.removeAll { $0.address.family != family }
        if version == 2, family == .ipv6, instance.virtualIPAddresses.contains(where: { $0.address.family == .ipv6 }) {
            // Only an explicit `version 2` gets here (an IPv6 instance without one runs version 3, as keepalived).
            log.error(instance.location, "vrrp_instance \(name) has IPv6 addresses and 'version 2': keepalived would send "
                      + "non-standard VRRPv2 over IPv6, which tandem does not speak; use 'version 3'")
        }
        if version == 2 {
            let whole = instance.advertInterval.components.seconds
            if instance.advertInterval.components.attoseconds != 0 {
                let rounded = max(1, Int64((Double(whole) + Double(instance.advertInterval.components.attoseconds) / 1e18).rounded()))
                log.warning(instance.location, "vrrp_instance \(name): VRRP version 2 advertises whole seconds; advert_int is rounded to \(rounded) (use 'version 3' for shorter intervals)")
                instance.advertInterval = .seconds(rounded)
            }
        } else if instance.advertInterval > .milliseconds(40950) {
            log.error(instance.location, "vrrp_instance \(name): VRRP version 3 advert_int is at most 40.95 seconds")
        } else if instance.advertInterval < .milliseconds(10) {
            log.error(instance.location, "vrrp_instance \(name): VRRP version 3 advert_int is at least 0.01 seconds")
        }
        switch instance.authentication {
        case .ah(let location):
            if version == 3 {
                // keepalived (vrrp_complete_instance) drops authentication of any kind for version 3.
                log.warning(instance.location, "vrrp_instance \(name): VRRP version 3 has no authentication (RFC 5798 §9); it is ignored")
                instance.authentication = .none
            } else {
                log.error(location, "auth_type AH is not supported: tandem does not implement IPsec AH and will not send the key in clear instead; use auth_type PASS or no authentication (on every node)")
            }
        case .password(let password):
            if version == 3 {
                log.warning(instance.location, "vrrp_instance \(name): VRRP version 3 has no authentication (RFC 5798 §9); it is ignored")
                instance.authentication = .none
            } else if password.utf8.count > 8 {
                log.warning(instance.location, "vrrp_instance \(name): auth_pass has \(password.utf8.count) characters but VRRP carries 8; only '\(String(decoding: password.utf8.prefix(8), as: UTF8.self))' is used, so both nodes must agree on those")
                instance.authentication = .password(String(decoding: password.utf8.prefix(8), as: UTF8.self))
            }
        case .none:
            break
        }
        if let source = instance.sourceIP, source.family != instance.family {
            log.error(instance.location, "vrrp_instance \(name): the source address \(source) (mcast_src_ip / unicast_src_ip) is not of the virtual addresses' family")
        }
        for peer in instance.unicastPeers where peer.family != instance.family {
            log.error(instance.location, "vrrp_instance \(name): unicast_peer \(peer) is not of the virtual addresses' family")
        }
        if instance.basePriority == 255 && instance.nopreempt {
            log.warning(instance.location, "vrrp_instance \(name): an address owner (priority 255) always preempts; nopreempt is ignored")
        }
        if instance.nopreempt && instance.startState == .master {
            log.warning(instance.location, "vrrp_instance \(name): nopreempt needs 'state BACKUP' to have an effect, as in keepalived")
        }
        if let interface = instance.interface { checkInterface(interface, at: instance.location, log: &log) }
        for address in instance.virtualIPAddresses + instance.excludedVirtualIPAddresses {
            if let device = address.device { checkInterface(device, at: address.location, log: &log) }
            if let label = address.label {
                let device = address.device ?? instance.interface ?? ""
                if !label.hasPrefix(device + ":") && label != device {
                    log.warning(address.location, "label \(label) must start with its interface name and a colon ('\(device):…'), or the kernel refuses it")
                }
                if label.utf8.count > 15 {
                    log.error(address.location, "label \(label) is longer than the kernel's 15 characters")
                }
            }
        }
        for track in instance.trackScripts where config.vrrpScript(named: track.name) == nil {
            log.warning(track.location, "track_script \(track.name) is not a defined vrrp_script; it is ignored")
        }
        instance.trackScripts.removeAll { config.vrrpScript(named: $0.name) == nil }
        for track in instance.trackInterfaces { checkInterface(track.name, at: track.location, log: &log) }
    }

    private func validateRouterIDs(_ config: KeepalivedConfiguration, log: inout DiagnosticLog) {
        var seen: [String: VRRPInstanceDefinition] = [:]
        for instance in config.vrrpInstances {
            guard let vrid = instance.virtualRouterID, let interface = instance.interface else { continue }
            let key = "\(interface)/\(instance.family)/\(vrid)"
            if let other = seen[key] {
                log.error(instance.location, "vrrp_instance \(instance.name) uses virtual_router_id \(vrid) on \(interface), as \(other.name) at \(other.location) does; each router needs its own")
            } else {
                seen[key] = instance
            }
        }
    }

    private func validateSyncGroups(_ config: KeepalivedConfiguration, log: inout DiagnosticLog) {
        var owner: [String: String] = [:]
        for group in config.syncGroups {
            if group.members.isEmpty { log.error(group.location, "vrrp_sync_group \(group.name) needs a group { ... } of instances") }
            for member in group.members {
                if config.vrrpInstance(named: member) == nil {
                    log.error(group.location, "vrrp_sync_group \(group.name) names vrrp_instance \(member), which is not defined")
                }
                if let other = owner[member] {
                    log.error(group.location, "vrrp_instance \(member) is in both vrrp_sync_group \(other) and \(group.name)")
                }
                owner[member] = group.name
            }
            for track in group.trackInterfaces { checkInterface(track.name, at: track.location, log: &log) }
            if group.members.count == 1 {
                log.warning(group.location, "vrrp_sync_group \(group.name) has one member, so it syncs nothing")
            }
        }
    }

    private func validateVirtualServer(_ server: inout VirtualServer, config: KeepalivedConfiguration,
                                       log: inout DiagnosticLog) {
        TrackFileReader.resolveFileChecks(&server, in: config, log: &log)
        VirtualServerCompletion.complete(&server, in: config, log: &log)
        var virtualPort: UInt16?
        var family: IPAddressFamily?
        switch server.address {
        case .address(let ip, let port):
            virtualPort = port
            family = ip.family
        case .group(let name):
            if let group = config.virtualServerGroup(named: name) {
                if case .addressRange(let first, _, _)? = group.entries.first { family = first.family }
            } else {
                log.error(server.location, "virtual_server group \(name): no virtual_server_group of that name is defined")
            }
        case .firewallMark:
            break
        }
        if server.realServers.isEmpty && server.sorryServer == nil {
            log.warning(server.location, "virtual_server \(server.address) has no real_server")
        }
        for index in server.realServers.indices {
            var real = server.realServers[index]
            if real.port == nil { real.port = virtualPort }
            if let family, real.address.family != family && (real.forwarding ?? server.forwarding) != .tunnel {
                log.error(real.location, "real_server \(real.address) is not of virtual_server \(server.address)'s address family")
            }
            let method = real.forwarding ?? server.forwarding
            if method != .nat, let virtualPort, let port = real.port, port != virtualPort {
                log.warning(real.location, "real_server \(real.address) port \(port): \(method.rawValue) cannot change the port, so connections arrive on port \(virtualPort); write real_server \(real.address) \(virtualPort)")
            }
            for check in real.checks {
                if case .http(let urls) = check.kind, urls.isEmpty {
                    log.error(check.location, "HTTP_GET needs at least one url { path ... }")
                }
                if case .ssl(let urls) = check.kind, urls.isEmpty {
                    log.error(check.location, "SSL_GET needs at least one url { path ... }")
                }
                if case .misc(nil, _, _) = check.kind {
                    log.error(check.location, "MISC_CHECK needs misc_path")
                }
                if check.connectPort == nil && real.port == nil && check.name != "MISC_CHECK" {
                    log.error(check.location, "\(check.name) of real_server \(real.address) needs connect_port: the real server has no port")
                }
            }
            server.realServers[index] = real
        }
        // keepalived keeps the first of two real servers with the same address and port, and says so.
        var seen = Set<String>()
        server.realServers.removeAll { real in
            let key = "\(real.address) \(real.port ?? 0)"
            if seen.insert(key).inserted { return false }
            log.warning(real.location, "real_server \(key) appears twice in virtual_server \(server.address); the second is ignored (as keepalived)")
            return true
        }
        if server.hysteresis >= server.quorum && server.quorum > 0 && server.hysteresis > 0 {
            log.warning(server.location, "virtual_server \(server.address): hysteresis \(server.hysteresis) is not below quorum \(server.quorum), so quorum can never be lost")
        }
    }

    /// tandem_announce: an address has one owner (a VRRP instance elects it, an announcement publishes it, never
    /// both: one would remove what the other holds), and every script it tracks exists (a misspelt name would
    /// otherwise keep the address withdrawn for good).
    private func validateAnnouncements(_ config: KeepalivedConfiguration, log: inout DiagnosticLog) {
        var electedBy: [IPAddress: String] = [:]
        for instance in config.vrrpInstances {
            for vip in instance.virtualIPAddresses + instance.excludedVirtualIPAddresses {
                electedBy[vip.address] = instance.name
            }
        }
        for vip in config.staticAddresses { electedBy[vip.address] = "static_ipaddress" }
        var announcedBy: [IPAddress: String] = [:]
        for announcement in config.announcements {
            for address in announcement.addresses {
                if let owner = electedBy[address] {
                    log.error(announcement.location, "tandem_announce \(announcement.name): \(address) is also an address of \(owner); an address is either elected by VRRP or announced, not both")
                }
                if let other = announcedBy.updateValue(announcement.name, forKey: address), other != announcement.name {
                    log.error(announcement.location, "tandem_announce \(announcement.name): \(address) is already announced by tandem_announce \(other)")
                }
            }
            for script in announcement.trackScripts where config.vrrpScript(named: script) == nil {
                log.error(announcement.location, "tandem_announce \(announcement.name) tracks vrrp_script \(script), which is not defined")
            }
            for interface in announcement.trackInterfaces {
                checkInterface(interface, at: announcement.location, log: &log)
            }
        }
    }

    private func checkInterface(_ name: String, at location: ConfigLocation, log: inout DiagnosticLog) {
        guard let exists = host.interfaceExists, !exists(name) else { return }
        log.warning(location, "interface \(name) does not exist on this host (fine if the file is for another machine)")
    }
}
