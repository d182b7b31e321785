import Control
import Foundation
import TestSupport
import Testing

/// `tandemctl reload` against vrrpd and checkd as processes in a namespace of their own: a good file reloads
/// both, a file with an error reloads neither and names file:line:column.
@Suite(.serialized, .enabled(if: NetworkLab.available, "needs root and network namespaces (\(NetworkLab.unavailableReason ?? ""))"))
struct TandemctlReloadTests {
    static let good = """
        vrrp_script chk {
            script "/bin/true"
            interval 1
        }
        vrrp_instance VI_1 {
            state BACKUP
            interface eth0
            virtual_router_id 51
            priority 100
            advert_int 1
            virtual_ipaddress {
                192.0.2.100
            }
            track_script {
                chk
            }
        }

        """

    /// vrrpd and checkd on `good`, in a namespace of their own, connected to each other; ended with SIGTERM.
    final class RunningDaemons {
        let lab: NetworkLab
        let directory: TemporaryDirectory
        let runtime: String
        let config: URL
        let vrrpd: DaemonProcess
        private(set) var checkd: DaemonProcess

        init() throws {
            lab = try NetworkLab()
            try lab.addNode("a", addresses: ["192.0.2.1/24"])
            directory = try TemporaryDirectory()
            runtime = directory.file("run").path
            config = directory.file("keepalived.conf")
            try TandemctlReloadTests.good.write(to: config, atomically: true, encoding: .utf8)
            vrrpd = try lab.spawn("a", DaemonProcess.binary("vrrpd").path, ["-l", "-f", config.path, "--runtime-dir", runtime],
                                  logFile: directory.file("vrrpd.log"))
            checkd = try Self.checkd(lab, config, runtime, log: directory.file("checkd.log"))
        }

        /// Ends checkd and starts a new one, logging to `log`.
        func restartCheckd(log: String) throws {
            _ = checkd.terminate()
            checkd = try Self.checkd(lab, config, runtime, log: directory.file(log))
        }

        private static func checkd(_ lab: NetworkLab, _ config: URL, _ runtime: String, log: URL) throws -> DaemonProcess {
            try lab.spawn("a", DaemonProcess.binary("checkd").path, ["-l", "-f", config.path, "--runtime-dir", runtime], logFile: log)
        }

        deinit {
            _ = checkd.terminate()
            _ = vrrpd.terminate()
        }
    }

    func loadedAt(_ runtime: String) throws -> [String: Double] {
        let run = try TandemctlProcessTests.tandemctl(["status", "--json", "--runtime-dir", runtime])
        let report = try JSONDecoder().decode(TandemctlStatusTests.Report.self, from: Data(run.standardOutput.utf8))
        return Dictionary(uniqueKeysWithValues: report.daemons.compactMap { d in d.status.map { (d.name, $0.configLoadedAt) } })
    }

    @Test func aGoodFileReloadsEveryRunningDaemonAndABadOneNone() throws {
        let daemons = try RunningDaemons()
        let (runtime, config, vrrpd, checkd) = (daemons.runtime, daemons.config, daemons.vrrpd, daemons.checkd)
        #expect(vrrpd.waitForLog("checkd connected"), "\(vrrpd.log)")
        let first = try loadedAt(runtime)
        #expect(Set(first.keys) == ["vrrpd", "checkd"], "\(first)")

        // An unrelated change: both take it.
        try (Self.good + "! an edit\n").write(to: config, atomically: true, encoding: .utf8)
        let ok = try TandemctlProcessTests.tandemctl(["reload", "--runtime-dir", runtime])
        #expect(ok.status == 0, "\(ok)")
        #expect(ok.standardOutput.contains("vrrpd: reloaded \(config.path)") && ok.standardOutput.contains("checkd: reloaded"), "\(ok)")
        #expect(ok.standardOutput.contains("ipvsd: not running, not reloaded"), "\(ok)")
        let second = try loadedAt(runtime)
        #expect(second["vrrpd"]! > first["vrrpd"]! && second["checkd"]! > first["checkd"]!)
        #expect(vrrpd.log.contains("reloaded \(config.path)") && checkd.log.contains("reloaded \(config.path)"))

        // An error in vrrpd's part (line 9): refused before anyone is signalled; both keep what they run.
        let bad = Self.good.replacingOccurrences(of: "    priority 100", with: "    priority banana")
        try bad.write(to: config, atomically: true, encoding: .utf8)
        let refused = try TandemctlProcessTests.tandemctl(["reload", "--runtime-dir", runtime])
        #expect(refused.status == 1, "\(refused)")
        #expect(refused.standardError.contains("\(config.path):9:"), "\(refused)")
        #expect(refused.standardError.contains("reload refused, nothing reloaded: the file has errors for vrrpd"), "\(refused)")
        #expect(try loadedAt(runtime) == second, "nobody reloaded")
        #expect(!vrrpd.log.contains("reload refused"), "vrrpd was never signalled: \(vrrpd.log)")

        // The same refusal as JSON (tandem.reload/1): the findings, who refused, nothing reloaded.
        let refusedJSON = try TandemctlProcessTests.tandemctl(["reload", "--json", "--runtime-dir", runtime])
        #expect(refusedJSON.status == 1, "\(refusedJSON)")
        let report = try JSONDecoder().decode(ReloadJSON.self, from: Data(refusedJSON.standardOutput.utf8))
        #expect(report.schema == "tandem.reload/1" && report.reloaded.isEmpty && report.notRunning.isEmpty)
        #expect(report.refusedBy.map(\.daemon).contains("vrrpd") && report.refusedBy.allSatisfy { $0.errors >= 1 }, "\(refusedJSON)")
        #expect(report.findings.contains { $0.contains("\(config.path):9:") } && report.error?.contains("reload refused") == true)

        // And a good one: every running daemon reloaded, ipvsd not running.
        try (Self.good + "! another edit\n").write(to: config, atomically: true, encoding: .utf8)
        let okJSON = try TandemctlProcessTests.tandemctl(["reload", "--json", "--runtime-dir", runtime])
        #expect(okJSON.status == 0, "\(okJSON)")
        let done = try JSONDecoder().decode(ReloadJSON.self, from: Data(okJSON.standardOutput.utf8))
        #expect(Set(done.reloaded) == ["vrrpd", "checkd"] && done.notRunning == ["ipvsd"] && done.notLoaded.isEmpty
                && done.refusedBy.isEmpty && done.error == nil, "\(okJSON)")
    }

    struct ReloadJSON: Decodable {
        struct Refusal: Decodable {
            let daemon: String
            let errors: Int
        }
        let schema: String
        let findings: [String]
        let refusedBy: [Refusal]
        let reloaded: [String]
        let notRunning: [String]
        let notLoaded: [String]
        let error: String?
    }

    @Test func withNoDaemonRunningItSaysSo() throws {
        let directory = try TemporaryDirectory()
        let run = try TandemctlProcessTests.tandemctl(["reload", "--runtime-dir", directory.path])
        #expect(run.status == 1 && run.standardError.contains("no daemon answers"), "\(run)")
    }
}
