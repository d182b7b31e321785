import Control

/// `tandemctl metrics`: the daemons' status as OpenMetrics text (docs/metrics.md). Pure: built from what each
/// daemon answered on its control socket, so the format is tested without sockets and parsed back by a real
/// OpenMetrics parser in the tests.
struct OpenMetricsText {
    private var families: [(name: String, type: String, help: String, samples: [String])] = []

    init(answers: [(name: String, socket: String, answer: StatusReport.Answer)]) {
        let statuses = answers.compactMap { entry -> DaemonStatus? in
            if case .status(let status) = entry.answer { return status }
            return nil
        }
        family("tandem_daemon_up", "gauge", "1 if the daemon answered on its control socket, else 0",
               answers.map { entry in
                   sample("tandem_daemon_up", ["daemon": entry.name], statuses.contains { $0.name == entry.name } ? 1 : 0)
               })
        family("tandem_build", "info", "the version each answering daemon runs",
               statuses.map { sample("tandem_build_info", ["daemon": $0.name, "version": $0.version], 1) })
        family("tandem_daemon_start_time_seconds", "gauge", "when the daemon started, seconds since the Unix epoch",
               statuses.map { sample("tandem_daemon_start_time_seconds", ["daemon": $0.name], $0.startedAt) })
        family("tandem_daemon_config_load_time_seconds", "gauge",
               "when the daemon last read its configuration successfully (start or reload), seconds since the Unix epoch",
               statuses.map { sample("tandem_daemon_config_load_time_seconds", ["daemon": $0.name], $0.configLoadedAt) })
        family("tandem_daemon_peer_connected", "gauge", "1 if the daemon's connection to a peer daemon is up, else 0",
               statuses.flatMap { status in
                   status.peers.map { sample("tandem_daemon_peer_connected", ["daemon": status.name, "peer": $0.peer], $0.connected ? 1 : 0) }
               })
        family("tandem_control_malformed_requests", "counter", "control requests answered with an error since the daemon started",
               statuses.map { sample("tandem_control_malformed_requests_total", ["daemon": $0.name], Double($0.malformedRequests)) })
        family("tandem_control_refused_connections", "counter",
               "control connections closed because of who the peer was, since the daemon started",
               statuses.map { sample("tandem_control_refused_connections_total", ["daemon": $0.name], Double($0.refusedConnections)) })

        let instances = statuses.flatMap { $0.instances ?? [] }
        family("tandem_vrrp_instance_state", "stateset", "each vrrp_instance's VRRP state: 1 for the state it is in",
               instances.flatMap { instance in
                   Self.vrrpStates.map {
                       sample("tandem_vrrp_instance_state", ["instance": instance.name, "tandem_vrrp_instance_state": $0],
                              instance.state == $0 ? 1 : 0)
                   }
               })
        family("tandem_vrrp_instance_priority", "gauge", "the priority each vrrp_instance advertises, after tracking",
               instances.map { sample("tandem_vrrp_instance_priority", ["instance": $0.name], Double($0.effectivePriority)) })
        family("tandem_vrrp_instance_base_priority", "gauge", "each vrrp_instance's configured priority, before tracking",
               instances.compactMap { i in i.basePriority.map { sample("tandem_vrrp_instance_base_priority", ["instance": i.name], Double($0)) } })
        family("tandem_vrrp_instance_state_change", "gauge", "seconds since the Unix epoch of each vrrp_instance's last state change",
               instances.compactMap { i in i.since.map { sample("tandem_vrrp_instance_state_change", ["instance": i.name], $0) } })
        family("tandem_vrrp_address_present", "gauge", "1 when the instance's virtual address is on its interface now",
               instances.flatMap { i in (i.addresses ?? []).map {
                   sample("tandem_vrrp_address_present", ["instance": i.name, "address": $0.address, "interface": $0.interface],
                          $0.present ? 1 : 0)
               } })
        family("tandem_vrrp_instance_held_back", "gauge", "1 while a switchover holds the instance BACKUP (until tandemctl resume)",
               instances.map { sample("tandem_vrrp_instance_held_back", ["instance": $0.name], $0.handover == "held-back" ? 1 : 0) })
        let drops = statuses.compactMap(\.droppedAdverts).flatMap { $0 }.sorted { $0.key < $1.key }
        family("tandem_vrrp_dropped_packets", "counter", "received VRRP packets vrrpd dropped, by reason, since it started",
               drops.map { sample("tandem_vrrp_dropped_packets_total", ["reason": $0.key], Double($0.value)) })
        instanceCounter("tandem_vrrp_adverts_sent", "adverts the instance sent since vrrpd started (one per destination)",
                        instances) { $0.advertsSent.map { Double($0) } }
        instanceCounter("tandem_vrrp_adverts_received", "adverts for the instance's VRID accepted from other routers since vrrpd started",
                        instances) { $0.advertsReceived.map { Double($0) } }
        instanceCounter("tandem_vrrp_transitions", "state changes of the instance since vrrpd started", instances) {
            $0.transitions.map { Double($0) }
        }
        instanceCounter("tandem_vrrp_became_master", "times the instance became MASTER since vrrpd started", instances) {
            $0.becameMaster.map { Double($0) }
        }
        family("tandem_vrrp_instance_dropped_packets", "counter",
               "packets for the instance's VRID it dropped since vrrpd started, by reason (a router it does not hear)",
               instances.flatMap { i in
                   (i.droppedAdverts ?? [:]).sorted { $0.key < $1.key }.map {
                       sample("tandem_vrrp_instance_dropped_packets_total", ["instance": i.name, "reason": $0.key], Double($0.value))
                   }
               })
        family("tandem_vrrp_other_master_time_seconds", "gauge",
               "when another router's advert as MASTER was last heard while this instance was MASTER too, seconds since the Unix epoch",
               instances.compactMap { i in
                   i.otherMasterSeenAt.map {
                       sample("tandem_vrrp_other_master_time_seconds", ["instance": i.name, "master": i.otherMasterAddress ?? ""], $0)
                   }
               })
        family("tandem_vrrp_master_priority", "gauge", "the priority of the Master this Backup last heard in an advert",
               instances.compactMap { i in
                   i.masterPriority.map {
                       sample("tandem_vrrp_master_priority", ["instance": i.name, "master": i.masterAddress ?? ""], Double($0))
                   }
               })

        addServices(statuses)
        addChecks(statuses)
    }

    private mutating func instanceCounter(_ name: String, _ help: String, _ instances: [InstanceStatus],
                                          _ value: (InstanceStatus) -> Double?) {
        family(name, "counter", help, instances.compactMap { i in
            value(i).map { sample(name + "_total", ["instance": i.name], $0) }
        })
    }

    /// ipvsd's view: quorum and real servers per virtual server, the kernel's counters per service and destination.
    private mutating func addServices(_ statuses: [DaemonStatus]) {
        let servers = statuses.flatMap { $0.virtualServers ?? [] }
        family("tandem_virtual_server_quorum_up", "gauge", "1 when the virtual server's live real servers reach its quorum",
               servers.map { sample("tandem_virtual_server_quorum_up", ["virtual_server": $0.name], $0.quorumUp ? 1 : 0) })
        let reals = servers.flatMap { server in server.realServers.map { (server: server.name, real: $0) } }
        family("tandem_real_server_up", "gauge",
               "1 when ipvsd has the real server up (checkd's verdict, or unchecked), 0 when down; absent while provisional",
               reals.compactMap { entry in
                   let value: Double? = ["up": 1, "unchecked": 1, "down": 0][entry.real.health]
                   return value.map {
                       sample("tandem_real_server_up", ["virtual_server": entry.server, "real_server": entry.real.address], $0)
                   }
               })
        family("tandem_real_server_weight", "gauge", "the weight ipvsd gives the real server (configured, or misc_dynamic's)",
               reals.map {
                   sample("tandem_real_server_weight", ["virtual_server": $0.server, "real_server": $0.real.address],
                          Double($0.real.weight))
               })
        let services = servers.flatMap(\.services).filter(\.inKernel)
        family("tandem_ipvs_service_in_kernel", "gauge", "1 when the kernel holds the configured service, else 0",
               servers.flatMap(\.services).map {
                   sample("tandem_ipvs_service_in_kernel", ["service": $0.service], $0.inKernel ? 1 : 0)
               })
        let serviceCounters = services.compactMap { s in s.counters.map { (["service": s.service], $0) } }
        let destinations = services.flatMap { s in s.destinations.map { (s.service, $0) } }
        let destinationCounters = destinations.map { (["service": $0.0, "destination": $0.1.address], $0.1.counters) }
        addCounters("tandem_ipvs_service", "the service", serviceCounters)
        addCounters("tandem_ipvs_destination", "the destination", destinationCounters)
        family("tandem_ipvs_destination_weight", "gauge", "the weight the kernel schedules the destination with",
               destinations.map {
                   sample("tandem_ipvs_destination_weight", ["service": $0.0, "destination": $0.1.address], Double($0.1.weight))
               })
        family("tandem_ipvs_destination_active_connections", "gauge", "the destination's active connections in the kernel",
               destinations.map {
                   sample("tandem_ipvs_destination_active_connections", ["service": $0.0, "destination": $0.1.address],
                          Double($0.1.activeConnections))
               })
        family("tandem_ipvs_destination_inactive_connections", "gauge", "the destination's inactive connections in the kernel",
               destinations.map {
                   sample("tandem_ipvs_destination_inactive_connections", ["service": $0.0, "destination": $0.1.address],
                          Double($0.1.inactiveConnections))
               })
        let sync = statuses.compactMap(\.syncDaemon)
        family("tandem_ipvs_sync_daemon", "stateset", "the connection-sync daemon the kernel runs: 1 for master and/or backup",
               sync.flatMap { daemon in
                   ["master", "backup"].map {
                       sample("tandem_ipvs_sync_daemon", ["interface": daemon.interface, "tandem_ipvs_sync_daemon": $0],
                              daemon.running.contains($0) ? 1 : 0)
                   }
               })
    }

    /// The kernel's totals (counters) and estimated rates (gauges) of a service or a destination.
    private mutating func addCounters(_ prefix: String, _ what: String, _ entries: [([String: String], TrafficCounters)]) {
        let totals: [(String, String, KeyPath<TrafficCounters, UInt64>)] = [
            ("connections", "connections scheduled to", \.connections),
            ("in_packets", "packets received by", \.inPackets), ("out_packets", "packets sent by", \.outPackets),
            ("in_bytes", "bytes received by", \.inBytes), ("out_bytes", "bytes sent by", \.outBytes),
        ]
        for (name, help, path) in totals {
            family("\(prefix)_\(name)", "counter", "\(help) \(what), as the kernel counts them",
                   entries.map { sample("\(prefix)_\(name)_total", $0.0, Double($0.1[keyPath: path])) })
        }
        let rates: [(String, String, KeyPath<TrafficCounters, UInt64>)] = [
            ("connections_per_second", "connections per second to", \.connectionsPerSecond),
            ("in_packets_per_second", "packets per second received by", \.inPacketsPerSecond),
            ("out_packets_per_second", "packets per second sent by", \.outPacketsPerSecond),
            ("in_bytes_per_second", "bytes per second received by", \.inBytesPerSecond),
            ("out_bytes_per_second", "bytes per second sent by", \.outBytesPerSecond),
        ]
        for (name, help, path) in rates {
            family("\(prefix)_\(name)", "gauge", "\(help) \(what), the kernel's estimate",
                   entries.map { sample("\(prefix)_\(name)", $0.0, Double($0.1[keyPath: path])) })
        }
    }

    /// checkd's view: each checker's verdict and last latency, each track script's result.
    private mutating func addChecks(_ statuses: [DaemonStatus]) {
        let checks = statuses.flatMap { $0.realServerChecks ?? [] }
        let checkers = checks.flatMap { server in
            server.checkers.map { (labels: ["virtual_server": server.virtualServer, "real_server": server.realServer,
                                            "checker": $0.kind, "target": $0.target], checker: $0) }
        }
        family("tandem_check_up", "gauge", "1 when the checker says up, 0 when down; absent while it has no verdict",
               checkers.compactMap { entry in
                   let value: Double? = ["up": 1, "down": 0][entry.checker.verdict]
                   return value.map { sample("tandem_check_up", entry.labels, $0) }
               })
        family("tandem_check_latency_seconds", "gauge", "how long the checker's last attempt took",
               checkers.compactMap { entry in
                   entry.checker.lastLatencySeconds.map { sample("tandem_check_latency_seconds", entry.labels, $0) }
               })
        family("tandem_check_last_time_seconds", "gauge", "when the checker's last attempt ended, seconds since the Unix epoch",
               checkers.compactMap { entry in
                   entry.checker.lastCheckedAt.map { sample("tandem_check_last_time_seconds", entry.labels, $0) }
               })
        family("tandem_check_retries_used", "gauge", "failures retried in the checker's current series (it goes down after retry)",
               checkers.map { sample("tandem_check_retries_used", $0.labels, Double($0.checker.retriesUsed)) })
        let scripts = statuses.flatMap { $0.trackScripts ?? [] }
        family("tandem_track_script_ok", "gauge", "1 when the vrrp_script is OK, 0 when failed; absent before its first result",
               scripts.compactMap { script in
                   let value: Double? = ["ok": 1, "failed": 0][script.status]
                   return value.map { sample("tandem_track_script_ok", ["script": script.name], $0) }
               })
        let announcements = statuses.flatMap { $0.announcements ?? [] }
        family("tandem_announced", "gauge", "1 while vrrpd publishes the tandem_announce address to the routing daemon, 0 while it is withdrawn",
               announcements.map { sample("tandem_announced", ["address": $0.address, "block": $0.block], $0.announced ? 1 : 0) })
    }

    /// The states a vrrp_instance can be in, as the control socket spells them.
    static let vrrpStates = ["initialize", "backup", "master", "fault"]

    /// The exposition, ending with `# EOF`.
    var text: String {
        var lines: [String] = []
        for family in families {
            lines.append("# TYPE \(family.name) \(family.type)")
            lines.append("# HELP \(family.name) \(Self.escapeHelp(family.help))")
            lines += family.samples
        }
        lines.append("# EOF")
        return lines.joined(separator: "\n") + "\n"
    }

    private mutating func family(_ name: String, _ type: String, _ help: String, _ samples: [String]) {
        families.append((name, type, help, samples))
    }

    private func sample(_ name: String, _ labels: [String: String], _ value: Double) -> String {
        let rendered = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escapeLabel($0.value))\"" }
        return name + (rendered.isEmpty ? "" : "{" + rendered.joined(separator: ",") + "}") + " " + Self.number(value)
    }

    /// Whole numbers without a fraction (counters, states), others as Swift prints a Double.
    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }

    /// OpenMetrics label values: backslash, double quote and line feed escaped.
    static func escapeLabel(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func escapeHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
