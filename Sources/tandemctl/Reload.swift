import ArgumentParser
import Control
import DaemonKit
import Foundation
import KeepalivedConfig
import Wire

/// `tandemctl reload`: checks the file with every running daemon's rules first, then reloads them all, or none.
struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the configuration with every daemon's rules, then reload them all (or none).",
        discussion: """
            Asks vrrpd, ipvsd and checkd which file they run (and their -i/--config-id), reads it as each of \
            them would, and prints every finding as file:line:column. Only when no running daemon's part has an \
            error does it send each of them SIGHUP, then waits until each has loaded the file again. With an \
            error nothing is reloaded: all three keep the configuration they run. (`systemctl reload` of one \
            unit checks that daemon's part the same way first.)

            Root only (it signals the daemons). Exit status: 0 every running daemon reloaded, 1 the file has \
            errors (nothing reloaded), a daemon did not take the file (see its journal), or no daemon runs; \
            64 a usage error.
            """)

    @Option(name: .customLong("runtime-dir"), help: "Directory of the daemons' control sockets.",
            completion: .directory)
    var runtimeDirectory = "/run/tandem"

    @Option(help: "Seconds to wait for the daemons to load the file.")
    var wait: Double = 10

    @Flag(help: "Print one JSON object (schema tandem.reload/1, described in docs/json/reload.md) instead of lines.")
    var json = false

    func run() throws {
        var report = ReloadReport()
        do {
            try reload(into: &report)
        } catch {
            report.error = "\(error)"
            if json { try writeJSON(report) }
            throw error
        }
        if json { try writeJSON(report) }
    }

    private func reload(into report: inout ReloadReport) throws {
        let running: [(role: DaemonRole, status: DaemonStatus)] = DaemonRole.allCases.compactMap { role in
            if case .status(let status) = Status.ask(role.controlSocketPath(in: runtimeDirectory)) { return (role, status) }
            return nil
        }
        guard !running.isEmpty else {
            throw ReloadFailure("no daemon answers on \(runtimeDirectory): nothing to reload")
        }
        let checks = running.map { daemon in
            ReloadCheck.check(role: daemon.role, file: daemon.status.configFile, configID: daemon.status.configID)
        }
        let findings = Array(Set(checks.flatMap(\.findings))).sorted()
        report.findings = findings
        if !findings.isEmpty && !json { FileHandle.standardError.write(Data(findings.map { $0 + "\n" }.joined().utf8)) }
        let refusing = checks.filter { !$0.usable }
        report.refusedBy = refusing.map { ReloadReport.Refusal(daemon: $0.role.name, errors: $0.errors) }
        guard refusing.isEmpty else {
            let who = refusing.map { "\($0.role.name) (\($0.errors) error\($0.errors == 1 ? "" : "s"))" }.joined(separator: ", ")
            throw ReloadFailure("reload refused, nothing reloaded: the file has errors for \(who); every daemon keeps what it runs")
        }
        for daemon in running where kill(daemon.status.pid, SIGHUP) != 0 {
            throw ReloadFailure("cannot signal \(daemon.role.name) (pid \(daemon.status.pid)): \(String(cString: strerror(errno)))")
        }
        var pending = running
        let deadline = Date().addingTimeInterval(wait)
        while !pending.isEmpty && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            pending = pending.filter { daemon in
                guard case .status(let now) = Status.ask(daemon.role.controlSocketPath(in: runtimeDirectory)) else { return true }
                return now.configLoadedAt <= daemon.status.configLoadedAt
            }
        }
        for daemon in running where !pending.contains(where: { $0.role == daemon.role }) {
            report.reloaded.append(daemon.role.name)
            if !json { print("\(daemon.role.name): reloaded \(daemon.status.configFile)") }
        }
        let skipped = DaemonRole.allCases.filter { role in !running.contains { $0.role == role } }
        report.notRunning = skipped.map(\.name)
        report.notLoaded = pending.map(\.role.name)
        if !json { for role in skipped { print("\(role.name): not running, not reloaded") } }
        guard pending.isEmpty else {
            let names = pending.map(\.role.name).joined(separator: ", ")
            throw ReloadFailure("\(names) did not load the file within \(wait) s: see journalctl -u \(pending[0].role.name)")
        }
    }
}

/// `tandemctl reload --json`: schema tandem.reload/1 (docs/json/reload.md).
struct ReloadReport: Codable, Equatable {
    var schema = "tandem.reload/1"
    /// Every finding of every running daemon's rules on the file, as file:line:column text.
    var findings: [String] = []
    /// The daemons whose part of the file has errors (then nothing was reloaded), with how many.
    var refusedBy: [Refusal] = []
    /// Daemons that loaded the file again, that were not running, and that did not load it in time.
    var reloaded: [String] = []
    var notRunning: [String] = []
    var notLoaded: [String] = []
    /// Why the reload failed (exit status 1); absent when it succeeded.
    var error: String?

    struct Refusal: Codable, Equatable {
        var daemon: String
        var errors: Int
    }
}

struct ReloadFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One daemon's verdict on a file, as its own `-t` would give it.
struct ReloadCheck {
    var role: DaemonRole
    var findings: [String]
    var errors: Int
    var usable: Bool

    static func check(role: DaemonRole, file: String, configID: String?) -> ReloadCheck {
        let result = ConfigLoader.load(path: file, configID: configID, host: ConfigCheck.hostFacts)
        let findings = result.diagnostics(for: role.configScopes)
        return ReloadCheck(role: role, findings: findings.map(\.description),
                           errors: findings.filter { $0.severity == .error }.count,
                           usable: result.configuration(for: role.configScopes) != nil)
    }
}
