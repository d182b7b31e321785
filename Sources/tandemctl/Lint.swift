import ArgumentParser
import Foundation
import KeepalivedConfig
import PairLint

struct Lint: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that the keepalived.conf files of two or more nodes make a working pair.",
        discussion: """
            Reads each file as the daemons do, then compares the nodes pairwise: vrrp_instances (matched by name, \
            else by interface and virtual_router_id), their virtual_router_id, authentication, advert_int, VRRP \
            version and addresses; who is meant to be MASTER; unicast peers and sources; sync groups, the NAT \
            gateway address and lvs_sync_daemon; virtual servers, their forwarding, scheduling and persistence; \
            real servers, weights and health checks.

            Each finding is one line, file:line:column: severity: [code] message (other side: file:line:column). \
            Warnings the reader gives a single file are included as config-warning.

            Exit status: 0 no error (warnings may remain), 1 errors found, 2 a file could not be read (its \
            diagnostics are printed instead), 64 a usage error.
            """)

    @Argument(help: "The nodes' configuration files, at least two: LB01.conf LB02.conf [MORE.conf...].",
              completion: .file(extensions: ["conf"]))
    var files: [String]

    @Flag(help: "Print one JSON object (schema tandem.lint/1, described in docs/json/lint.md) instead of lines.")
    var json = false

    func validate() throws {
        guard files.count >= 2 else { throw ValidationError("lint compares nodes: give at least two files") }
    }

    func run() throws {
        var nodes: [LintNode] = []
        var unreadable: [Diagnostic] = []
        var unreadableFiles: [String] = []
        for file in files {
            switch LintNode.load(path: file) {
            case .loaded(let node): nodes.append(node)
            case .unreadable(let diagnostics):
                unreadable += diagnostics
                unreadableFiles.append(file)
            }
        }
        let report: LintReport
        if unreadableFiles.isEmpty {
            let findings = PairLint.lint(nodes)
            report = LintReport(files: files, findings: findings)
            if !json { print(findings.map(\.description), summary: "\(count(report.errors, "error")), \(count(report.warnings, "warning"))") }
        } else {
            report = LintReport(files: files, unreadable: unreadable)
            if !json { print(unreadable.map(\.description), summary: "cannot read \(unreadableFiles.joined(separator: ", "))") }
        }
        if json { try printJSON(report) }
        throw ExitCode(report.status.exitStatus)
    }

    /// Findings on standard output, one a line; the count on standard error, so the output stays one finding a
    /// line for scripts.
    private func print(_ lines: [String], summary: String) {
        FileHandle.standardOutput.write(Data(lines.map { $0 + "\n" }.joined().utf8))
        FileHandle.standardError.write(Data("tandemctl lint: \(summary)\n".utf8))
    }

    private func printJSON(_ report: LintReport) throws {
        try writeJSON(report)
    }

    private func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
}
