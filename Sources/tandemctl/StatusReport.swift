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
