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
