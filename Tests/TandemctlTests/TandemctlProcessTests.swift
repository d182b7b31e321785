import DaemonKit
import Foundation
import PairLint
import TestSupport
import Testing

/// The built `tandemctl` as the operator runs it: exit status, the lines it prints, its JSON.
@Suite struct TandemctlProcessTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = repository.appendingPathComponent("Tests/PairLintTests/Fixtures")

    struct Run {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    /// Runs tandemctl with its standard output and error kept apart, from `directory` so paths stay short.
    static func tandemctl(_ arguments: [String], in directory: URL = fixtures) throws -> Run {
        let process = Process()
        process.executableURL = DaemonProcess.binary("tandemctl")
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Standard error is a line or two; reading standard output to its end first cannot block on it.
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, standardOutput: String(decoding: out, as: UTF8.self),
                   standardError: String(decoding: err, as: UTF8.self))
    }

    @Test func seedNATPairPrintsOneLineAFindingAndExitsOne() throws {
        let run = try Self.tandemctl(["lint", "000-nat-lb01.conf", "000-nat-lb02.conf"])
        #expect(run.status == 1, "\(run)")
        let lines = run.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(run.standardOutput)")
        #expect(lines.first?.hasPrefix("000-nat-lb01.conf:20:1: error: [gateway-not-synced] vrrp_instance LAN_GW holds 192.168.11.129") == true)
        #expect(lines.first?.hasSuffix("(other side: 000-nat-lb02.conf:20:1)") == true)
        #expect(lines.contains { $0.hasPrefix("000-nat-lb01.conf:24:5: error: [priority-tie]") && $0.hasSuffix("(other side: 000-nat-lb02.conf:24:5)") })
        #expect(lines.filter { $0.contains("[lb-kind-mismatch]") }.count == 2)
        #expect(lines.last?.hasPrefix("000-nat-lb01.conf:91:13: error: [checker-mismatch]") == true)
        #expect(run.standardError == "tandemctl lint: 5 errors, 0 warnings\n")
    }

    @Test func seedDirectRoutingPairInJSON() throws {
        let run = try Self.tandemctl(["lint", "--json", "000-dr-lb01.conf", "000-dr-lb02.conf"])
        #expect(run.status == 1, "\(run)")
        let report = try JSONDecoder().decode(LintReport.self, from: Data(run.standardOutput.utf8))
        #expect(report.schema == "tandem.lint/1")
        #expect(report.files == ["000-dr-lb01.conf", "000-dr-lb02.conf"])
        #expect(report.status == .errors && report.errors == 4 && report.warnings == 4)
        #expect(report.findings.map(\.code).filter { $0 != "config-warning" }
                == ["priority-tie", "unicast-peer-missing", "unicast-src-same", "unicast-peer-missing"])
        let copied = try #require(report.findings.first { $0.code == "unicast-src-same" })
        #expect(copied.location == LintReport.Place(file: "000-dr-lb01.conf", line: 15, column: 5))
        #expect(copied.other == LintReport.Place(file: "000-dr-lb02.conf", line: 15, column: 5))
        #expect(run.standardError.isEmpty, "JSON alone: \(run.standardError)")
    }

    @Test(arguments: ["dr", "nat", "dr-sync"])
    func aCorrectedPairExitsZero(_ directory: String) throws {
        let run = try Self.tandemctl(["lint", "lb01.conf", "lb02.conf"],
                                     in: Self.repository.appendingPathComponent("Configs/\(directory)"))
        #expect(run.status == 0, "\(run)")
        #expect(run.standardOutput.isEmpty)
        #expect(run.standardError == "tandemctl lint: 0 errors, 0 warnings\n")
    }

    @Test func anUnreadableFileExitsTwoWithTheReadersDiagnostics() throws {
        let directory = try TemporaryDirectory()
        try directory.write("bad.conf", "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    priority 300\n}\n")
        let lb02 = Self.fixtures.appendingPathComponent("000-dr-lb02.conf").path
        let run = try Self.tandemctl(["lint", "bad.conf", lb02], in: directory.url)
        #expect(run.status == 2, "\(run)")
        #expect(run.standardOutput.contains("bad.conf:4:14: error: "), "\(run.standardOutput)")
        #expect(run.standardError == "tandemctl lint: cannot read bad.conf\n")
        let json = try Self.tandemctl(["lint", "--json", "bad.conf", lb02], in: directory.url)
        #expect(json.status == 2)
        let report = try JSONDecoder().decode(LintReport.self, from: Data(json.standardOutput.utf8))
        #expect(report.status == .unreadable && report.findings.isEmpty)
        #expect(report.diagnostics.contains { $0.location == LintReport.Place(file: "bad.conf", line: 4, column: 14) })
    }

    @Test func aMissingFileExitsTwo() throws {
        let run = try Self.tandemctl(["lint", "000-dr-lb01.conf", "no-such.conf"])
        #expect(run.status == 2)
        #expect(run.standardOutput.contains("no-such.conf"))
    }

    @Test func oneFileIsAUsageError() throws {
        let run = try Self.tandemctl(["lint", "000-dr-lb01.conf"])
        #expect(run.status == 64, "\(run)")
        #expect(run.standardError.contains("at least two"))
    }

    @Test func versionAndHelp() throws {
        let version = try Self.tandemctl(["--version"])
        #expect(version.status == 0)
        #expect(version.standardOutput == TandemVersion.string + "\n")
        let help = try Self.tandemctl(["--help"])
        #expect(help.status == 0)
        #expect(help.standardOutput.contains("lint"))
        let lintHelp = try Self.tandemctl(["lint", "--help"])
        #expect(lintHelp.standardOutput.contains("--json") && lintHelp.standardOutput.contains("Exit status"))
    }
}

/// docs/completions are generated from the parser by scripts/docs; a changed option without a new run fails here.
@Suite struct GeneratedDocsTests {
    @Test(arguments: [("bash", "tandemctl.bash"), ("zsh", "_tandemctl"), ("fish", "tandemctl.fish")])
    func theCommittedCompletionScriptIsCurrent(_ shell: String, _ file: String) throws {
        let run = try TandemctlProcessTests.tandemctl(["--generate-completion-script", shell])
        #expect(run.status == 0)
        let committed = try String(contentsOf: TandemctlProcessTests.repository.appendingPathComponent("docs/completions/\(file)"),
                                   encoding: .utf8)
        #expect(run.standardOutput == committed, "docs/completions/\(file) is out of date: run scripts/docs")
    }

    @Test func theCommittedManPageDescribesTheCurrentOptions() throws {
        let page = try String(contentsOf: TandemctlProcessTests.repository.appendingPathComponent("docs/man/tandemctl.1"),
                              encoding: .utf8)
        #expect(page.contains(".Nm tandemctl") && page.contains(".It Em lint") && page.contains("Fl -json"))
    }

    /// Each daemon's page (scripts/docs, from its argument parser) is in section 8 and describes every flag the
    /// daemons share, its signals and its exit status: the package installs them as vrrpd(8), ipvsd(8), checkd(8).
    @Test(arguments: ["vrrpd", "ipvsd", "checkd"])
    func theCommittedDaemonManPageIsCurrent(_ daemon: String) throws {
        let page = try String(contentsOf: TandemctlProcessTests.repository.appendingPathComponent("docs/man/\(daemon).8"),
                              encoding: .utf8)
        #expect(page.contains(".Dt \(daemon.uppercased()) 8") && page.contains(".Nm \(daemon)"))
        for flag in ["use-file", "config-test", "config-id", "log-console", "log-detail", "runtime-dir", "peer-user",
                     "user", "socket-group"] {
            #expect(page.contains("Fl -\(flag)"), "docs/man/\(daemon).8 lacks --\(flag): run scripts/docs")
        }
        #expect(page.contains("Signals: SIGHUP reloads") && page.contains("Exit status: 0"),
                "docs/man/\(daemon).8 is out of date: run scripts/docs")
    }
}
