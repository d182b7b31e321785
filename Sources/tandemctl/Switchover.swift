import ArgumentParser
import Control
import DaemonKit
import Foundation
import Platform
import Wire

/// `tandemctl switchover`: hands MASTER to the peer without a gap, and waits to say how it went.
struct Switchover: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Hand MASTER over to the peer without a gap (make before break).",
        discussion: """
            Run on the MASTER. vrrpd advertises priority 0 for the instances (every MASTER one when none is \
            named; a vrrp_sync_group moves whole) and keeps their addresses until the peer has become MASTER, \
            and a moment longer so the peer's gratuitous ARPs/NAs reach the neighbours, then releases them: no \
            instant without the VIPs. This node then stays BACKUP, not preempting, until `tandemctl resume` (or \
            until it becomes MASTER because the peer failed). When no peer takes over within three advert \
            intervals (at least 1 s) the instance stays MASTER as it was, and the command says so. \
            `systemctl stop vrrpd` hands over the same way before it stops.

            Root only. Exit status: 0 every instance was handed over, 1 one was not (no peer answered, \
            interrupted, or vrrpd refused), 64 a usage error.
            """)

    @Argument(help: "vrrp_instance names (default: every MASTER instance).")
    var instances: [String] = []

    @Option(name: .customLong("runtime-dir"), help: "Directory of the daemons' control sockets.",
            completion: .directory)
    var runtimeDirectory = "/run/tandem"

    @Flag(help: "Print one JSON object (schema tandem.switchover/1, described in docs/json/switchover.md).")
    var json = false

    @Option(help: "Seconds to wait for the handovers to end.")
    var wait: Double = 30

    func run() throws {
        let socket = DaemonRole.vrrpd.controlSocketPath(in: runtimeDirectory)
        let before = try Self.instances(socket)
        let accepted = try Self.request(.switchover(instances: instances), socket)
        let deadline = Date().addingTimeInterval(wait)
        var after = before
        repeat {
            Thread.sleep(forTimeInterval: 0.05)
            after = try Self.instances(socket)
        } while after.contains(where: { $0.handover == "handing-over" || $0.handover == "lingering" }) && Date() < deadline
        let report = SwitchoverReport(accepted: accepted, before: before, after: after, named: instances)
        if json {
            try writeJSON(report)
        } else {
            FileHandle.standardOutput.write(Data(report.text.utf8))
        }
        if !report.succeeded { throw ExitCode(1) }
    }

    static func instances(_ socket: String) throws -> [InstanceStatus] {
        switch Status.ask(socket) {
        case .status(let status): return status.instances ?? []
        case .failed(let why): throw ControlFailure("vrrpd: \(why)")
        }
    }

    /// Sends a request that changes something; the daemon's "ok" sentence, or its refusal as the error.
    static func request(_ request: ControlRequest, _ socket: String) throws -> String {
        let bytes = try ControlClient.exchange(path: socket, request: ControlCodec.encode(request),
                                               maxResponseSize: ControlCodec.maxResponseSize,
                                               trustedServerUIDs: Status.daemonUIDs)
        switch try ControlCodec.decodeResponse(bytes) {
        case .ok(let text): return text
        case .error(let text): throw ControlFailure("vrrpd refused: \(text)")
        case .status: throw ControlFailure("vrrpd answered a status to \(request.verb)")
        }
    }
}

/// `tandemctl resume`: ends the hold a switchover left, so the instances preempt as configured again.
struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Let instances held BACKUP by a switchover preempt again as configured.",
        discussion: """
            After `tandemctl switchover` this node stays BACKUP even where its priority and `preempt` would take \
            MASTER back. `resume` ends that: an instance with the higher priority preempts after \
            Master_Down_Interval, with the short gap preemption always has. To move MASTER back without a gap, \
            run `tandemctl switchover` on the other node instead. Root only.
            """)

    @Argument(help: "vrrp_instance names (default: every held instance).")
    var instances: [String] = []

    @Option(name: .customLong("runtime-dir"), help: "Directory of the daemons' control sockets.",
            completion: .directory)
    var runtimeDirectory = "/run/tandem"

    @Flag(help: "Print one JSON object (schema tandem.resume/1, described in docs/json/resume.md).")
    var json = false

    func run() throws {
        let text = try Switchover.request(.resume(instances: instances), DaemonRole.vrrpd.controlSocketPath(in: runtimeDirectory))
        guard json else { return print(text) }
        try writeJSON(ResumeReport(answer: text))
    }
}

/// `tandemctl resume --json`: schema tandem.resume/1 (docs/json/resume.md).
struct ResumeReport: Codable, Equatable {
    var schema = "tandem.resume/1"
    /// vrrpd's answer: which instances it let preempt again.
    var answer: String
}

struct ControlFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// What a switchover did, from vrrpd's instance statuses before and after (schema tandem.switchover/1).
struct SwitchoverReport: Codable, Equatable {
    var schema = "tandem.switchover/1"
    /// vrrpd's answer to the request.
    var accepted: String
    var instances: [Entry]
    var succeeded: Bool

    struct Entry: Codable, Equatable {
        var name: String
        var before: String
        var after: String
        /// completed, no-peer-answered, interrupted, or still-running when the wait ended first.
        var outcome: String
        var newMaster: String?
    }

    /// The instances it reports: the named ones, else those that were MASTER before.
    init(accepted: String, before: [InstanceStatus], after: [InstanceStatus], named: [String]) {
        self.accepted = accepted
        let chosen = named.isEmpty ? before.filter { $0.state == "master" }.map(\.name) : named
        instances = chosen.compactMap { name in
            guard let old = before.first(where: { $0.name == name }), let new = after.first(where: { $0.name == name }) else { return nil }
            let running = new.handover == "handing-over" || new.handover == "lingering"
            let outcome = running ? "still-running" : (old.state == "master" ? new.lastHandover ?? "interrupted" : "not-master")
            return Entry(name: name, before: old.state, after: new.state, outcome: outcome, newMaster: new.lastHandoverTo)
        }
        // A named instance that was not MASTER belongs to a sync group that moved with the others: it is no failure.
        succeeded = instances.allSatisfy { $0.outcome == "completed" || $0.outcome == "not-master" }
            && instances.contains { $0.outcome == "completed" }
    }

    var text: String {
        var lines = [accepted]
        for entry in instances {
            let to = entry.newMaster.map { " (new MASTER \($0))" } ?? ""
            lines.append("\(entry.name): \(entry.before.uppercased()) → \(entry.after.uppercased()), \(entry.outcome)\(to)")
        }
        lines.append(succeeded ? "switchover done" : "switchover FAILED: see the instances above and vrrpd's journal")
        return lines.joined(separator: "\n") + "\n"
    }
}
