import Control
import Foundation

/// `tandemctl status --json`: schema tandem.status/1 (docs/json/status.md). A pure value built from what each
/// daemon answered (or why it did not), so the problems it lists can be tested without sockets.
struct StatusReport: Codable, Equatable {
    var schema = "tandem.status/1"
    var runtimeDirectory: String
    /// What needs the operator's attention, most serious first; empty when all is well.
    var problems: [String]
    var daemons: [DaemonEntry]

    struct DaemonEntry: Codable, Equatable {
        var name: String
        var socket: String
        var reachable: Bool
        /// Why the daemon did not answer (reachable false) or what it answered instead of a status.
        var error: String?
        var status: DaemonStatus?
    }

    /// What asking one daemon gave.
    enum Answer {
        case status(DaemonStatus)
        case failed(String)
    }

    /// `configModified`: the modification time (seconds since the epoch) of each configuration file on disk.
    init(runtimeDirectory: String, answers: [(name: String, socket: String, answer: Answer)],
         configModified: (String) -> Double?) {
        self.runtimeDirectory = runtimeDirectory
        var problems: [String] = []
        var daemons: [DaemonEntry] = []
        for (name, socket, answer) in answers {
            switch answer {
            case .failed(let why):
                problems.append("\(name) is not reachable: \(why)")
                daemons.append(DaemonEntry(name: name, socket: socket, reachable: false, error: why))
            case .status(let status):
                daemons.append(DaemonEntry(name: name, socket: socket, reachable: true, status: status))
            }
        }
        for entry in daemons {
            guard let status = entry.status else { continue }
            for link in status.peers where !link.connected {
                problems.append("\(status.name) is not connected to \(link.peer)")
            }
            if let modified = configModified(status.configFile), modified > status.configLoadedAt {
                problems.append("\(status.name): \(status.configFile) changed on disk after it was loaded (reload to apply)")
            }
            if let error = status.kernelError {
                problems.append("\(status.name) could not read the kernel's IPVS table: \(error)")
            }
            for server in status.virtualServers ?? [] {
                if !server.quorumUp { problems.append("\(server.name) has lost its quorum") }
                for service in server.services where !service.inKernel && status.kernelError == nil {
                    problems.append("\(service.service) (\(server.name)) is not in the kernel")
                }
                let down = server.realServers.filter { $0.health == "down" }.map(\.address)
                if !down.isEmpty {
                    problems.append("\(server.name): real server\(down.count == 1 ? "" : "s") \(down.joined(separator: ", ")) down")
                }
            }
            for announcement in status.announcements ?? [] where !announcement.announced {
                problems.append("\(announcement.address) (tandem_announce \(announcement.block)) is not announced"
                                + (announcement.reason.map { ": \($0)" } ?? ""))
            }
            for script in status.trackScripts ?? [] where script.status == "failed" {
                problems.append("track script \(script.name) is failing" + (script.lastExit.map { " (\($0))" } ?? ""))
            }
            for instance in status.instances ?? [] where instance.state == "master" {
                // Three in the last 5 s (vrrpd counts them): a lasting condition, not one advert crossing while an
                // election or a healed split brain settles.
                if let other = instance.otherMasterAddress, (instance.otherMasterRecentAdverts ?? 0) >= Self.lasting {
                    problems.append("\(instance.name): \(other) advertises as MASTER too"
                                    + (instance.otherMasterPriority.map { " (priority \($0))" } ?? "")
                                    + ": both nodes claim MASTER")
                } else if let reason = instance.lastDropReason, (instance.recentDrops ?? 0) >= Self.lasting {
                    problems.append("\(instance.name) is MASTER and drops adverts for its VRID (\(reason)): another router "
                                    + "may be MASTER too, each unheard by the other")
                }
            }
            for instance in status.instances ?? [] {
                let missing = (instance.addresses ?? []).filter { !$0.present }.map(\.address)
                if instance.state == "master" && !missing.isEmpty && instance.handover == nil {
                    problems.append("\(instance.name) is MASTER but \(missing.joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") not on the interface")
                }
                if instance.state != "master" && instance.handover != "lingering" {
                    let held = (instance.addresses ?? []).filter(\.present).map(\.address)
                    if !held.isEmpty {
                        problems.append("\(instance.name) is \(instance.state.uppercased()) but still holds \(held.joined(separator: ", "))")
                    }
                }
            }
        }
        self.problems = problems
        self.daemons = daemons
    }

    /// How many of the last three other MASTER's adverts (or dropped adverts) in vrrpd's 5 s make a problem.
    static let lasting = 3

    /// The one screen `tandemctl status` prints: problems first, then the daemons.
    var text: String { text(now: Date().timeIntervalSince1970) }

    func text(now: Double) -> String {
        var lines: [String] = []
        if problems.isEmpty {
            lines.append("No problems.")
        } else {
            lines.append("Problems:")
            lines += problems.map { "  ! \($0)" }
        }
        let instances = daemons.compactMap(\.status?.instances).joined()
        if !instances.isEmpty {
            lines.append("")
            lines.append("Instances:")
            for instance in instances { lines += Self.lines(of: instance, now: now) }
        }
        let announcements = daemons.compactMap(\.status?.announcements).joined()
        if !announcements.isEmpty {
            lines.append("")
            lines.append("Announced addresses:")
            for a in announcements {
                lines.append("  \(a.address.padding(toLength: 16, withPad: " ", startingAt: 0)) "
                             + (a.announced ? "announced (table \(a.table))" : "withdrawn\(a.reason.map { ": \($0)" } ?? "")")
                             + (a.served ? "" : ", not served") + "  [\(a.block)]")
            }
        }
        let servers = daemons.compactMap(\.status?.virtualServers).joined()
        let checks = daemons.compactMap(\.status?.realServerChecks).joined()
        if !servers.isEmpty || !checks.isEmpty {
            lines.append("")
            lines.append("Virtual servers:")
            lines += Self.serviceLines(servers: Array(servers), checks: Array(checks), now: now)
        }
        let scripts = daemons.compactMap(\.status?.trackScripts).joined()
        if !scripts.isEmpty {
            lines.append("")
            lines.append("Track scripts:")
            for script in scripts { lines.append(Self.line(of: script, now: now)) }
        }
        for sync in daemons.compactMap(\.status?.syncDaemon) {
            lines.append("")
            lines.append("Sync daemon: \(sync.running.isEmpty ? "not running" : sync.running.joined(separator: " and "))"
                         + " on \(sync.interface), syncid \(sync.syncID)" + (sync.instance.map { ", follows \($0)" } ?? ""))
        }
        lines.append("")
        lines.append("Daemons:")
        for entry in daemons {
            guard let status = entry.status else {
                lines.append("  \(entry.name.padding(toLength: 7, withPad: " ", startingAt: 0)) down     \(entry.error ?? "")")
                continue
            }
            let peers = status.peers.map { "\($0.peer) \($0.connected ? "connected" : "NOT CONNECTED")" }
                .joined(separator: ", ")
            lines.append("  \(status.name.padding(toLength: 7, withPad: " ", startingAt: 0)) up \(Self.duration(status.uptimeSeconds))"
                         + "  pid \(status.pid)  \(status.version)  config \(status.configFile)"
                         + (peers.isEmpty ? "" : "  peers: \(peers)"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One instance: state and since when, priority and what moved it, the master heard, handover, addresses.
    static func lines(of instance: InstanceStatus, now: Double) -> [String] {
        var head = "  \(instance.name)  \(instance.state.uppercased())"
        if let since = instance.since {
            head += " for \(duration(max(0, now - since)))" + (instance.reason.map { " (\($0))" } ?? "")
        }
        head += "  priority \(instance.effectivePriority)"
        let moved = (instance.tracking ?? []).filter { $0.adds != 0 || $0.faults }
        if let base = instance.basePriority, base != instance.effectivePriority || !moved.isEmpty {
            let parts = moved.map { t in
                "\(t.name) \(t.status)" + (t.faults ? " FAULT" : " \(t.adds > 0 ? "+" : "")\(t.adds)")
            }
            head += " (base \(base)\(parts.isEmpty ? "" : "; " + parts.joined(separator: ", ")))"
        }
        if let group = instance.syncGroup { head += "  sync group \(group)" }
        var lines = [head]
        if let master = instance.masterAddress {
            lines.append("      master \(master)" + (instance.masterPriority.map { " priority \($0)" } ?? ""))
        }
        if let other = instance.otherMasterAddress, let at = instance.otherMasterSeenAt {
            lines.append("      another MASTER heard: \(other)" + (instance.otherMasterPriority.map { " priority \($0)" } ?? "")
                         + ", \(duration(max(0, now - at))) ago")
        }
        if let drops = instance.droppedAdverts, !drops.isEmpty {
            lines.append("      dropped for its VRID: " + drops.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
                .joined(separator: ", ") + (instance.lastDropAt.map { ", last \(duration(max(0, now - $0))) ago" } ?? ""))
        }
        if let handover = instance.handover {
            lines.append("      handover: \(handover)" + (handover == "held-back" ? " (tandemctl resume ends it)" : ""))
        } else if let last = instance.lastHandover {
            lines.append("      last handover: \(last)" + (instance.lastHandoverTo.map { " to \($0)" } ?? ""))
        }
        let addresses = instance.addresses ?? []
        if !addresses.isEmpty {
            lines.append("      " + addresses.map { "\($0.address) \($0.interface) \($0.present ? "present" : "absent")" }
                .joined(separator: ", "))
        }
        return lines
    }

    /// Each virtual server as ipvsd runs it, each real server with checkd's last attempts beside it; checkd's view
    /// alone when ipvsd did not answer.
    static func serviceLines(servers: [VirtualServerStatus], checks: [RealServerCheckStatus], now: Double) -> [String] {
        var checksByServer: [String: [RealServerCheckStatus]] = [:]
        for check in checks { checksByServer[check.virtualServer, default: []].append(check) }
        var lines: [String] = []
        var shown: Set<String> = []
        for server in servers {
            shown.insert(server.name)
            lines.append("  \(server.name)" + (server.quorumUp ? "" : "  QUORUM DOWN"))
            for service in server.services {
                var line = "    \(service.service) \(service.scheduler)"
                if let c = service.counters, service.inKernel {
                    line += "  \(c.connections) connections, \(c.connectionsPerSecond)/s, in \(bytes(c.inBytesPerSecond))/s out \(bytes(c.outBytesPerSecond))/s"
                } else if !service.inKernel {
                    line += "  NOT IN THE KERNEL"
                }
                lines.append(line)
            }
            let firstService = server.services.first
            let serverChecks = checksByServer[server.name] ?? []
            for real in server.realServers {
                var line = "    \(real.address.padding(toLength: max(21, real.address.count), withPad: " ", startingAt: 0)) \(real.health.uppercased())"
                if let destination = firstService?.destinations.first(where: { $0.address == real.address }) {
                    line += "  weight \(destination.weight)  \(destination.activeConnections) active \(destination.inactiveConnections) inactive"
                } else {
                    line += "  weight \(real.weight)  not in the kernel"
                }
                lines.append(line)
                if let check = serverChecks.first(where: { $0.realServer == real.address }) {
                    lines += check.checkers.map { "        " + checkerText($0, now: now) }
                }
            }
        }
        // checkd's view of servers ipvsd did not report (ipvsd down, or the two configurations differ).
        for (name, serverChecks) in checksByServer.sorted(by: { $0.key < $1.key }) where !shown.contains(name) {
            lines.append("  \(name)  (checkd's view)")
            for check in serverChecks {
                lines.append("    \(check.realServer.padding(toLength: max(21, check.realServer.count), withPad: " ", startingAt: 0)) \(check.health.uppercased())"
                             + (check.weight.map { "  weight \($0)" } ?? ""))
                lines += check.checkers.map { "        " + checkerText($0, now: now) }
            }
        }
        return lines
    }

    /// "TCP_CHECK 192.0.2.11:80 up: success in 1.2 ms, 3s ago" / "... down: failure (connection refused), retry 1/3".
    static func checkerText(_ checker: CheckerStatus, now: Double) -> String {
        var text = "\(checker.kind) \(checker.target) \(checker.verdict)"
        if let result = checker.lastResult {
            text += ": \(result)" + (checker.lastError.map { " (\($0))" } ?? "")
            if let latency = checker.lastLatencySeconds { text += " in \(milliseconds(latency))" }
            if let at = checker.lastCheckedAt { text += ", \(duration(max(0, now - at))) ago" }
        }
        if checker.retriesUsed > 0 { text += ", retry \(checker.retriesUsed)/\(checker.retry)" }
        return text
    }

    static func line(of script: TrackScriptStatus, now: Double) -> String {
        var text = "  \(script.name)  \(script.status.uppercased())"
        if script.towardsChange > 0 {
            let needed = script.status == "ok" ? script.fall : script.rise
            text += " (\(script.towardsChange)/\(needed) towards \(script.status == "ok" ? "failed" : "ok"))"
        }
        if let exit = script.lastExit {
            text += "  last \(exit)" + (script.lastRunAt.map { ", \(duration(max(0, now - $0))) ago" } ?? "")
        }
        return text
    }

    /// 0.00123 → "1.2 ms".
    static func milliseconds(_ seconds: Double) -> String {
        let ms = seconds * 1000
        return ms < 10 ? "\((ms * 10).rounded() / 10) ms" : "\(Int(ms.rounded())) ms"
    }

    /// 1536 → "1.5 KiB".
    static func bytes(_ count: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : "\((value * 10).rounded() / 10) \(units[unit])"
    }

    /// 93784 → "1d2h3m".
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds)
        let days = total / 86400, hours = total % 86400 / 3600, minutes = total % 3600 / 60
        if days > 0 { return "\(days)d\(hours)h\(minutes)m" }
        if hours > 0 { return "\(hours)h\(minutes)m" }
        if minutes > 0 { return "\(minutes)m\(total % 60)s" }
        return "\(total)s"
    }
}
