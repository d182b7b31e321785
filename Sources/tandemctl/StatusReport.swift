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
        }
        self.problems = problems
        self.daemons = daemons
    }

    /// The one screen `tandemctl status` prints: problems first, then the daemons.
    var text: String {
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
            for instance in instances {
                lines.append("  \(instance.name)  \(instance.state.uppercased())  priority \(instance.effectivePriority)")
            }
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
