import Control
import Foundation
import TestSupport
import Testing

/// `tandemctl status` against the daemons as processes, over their real control sockets.
@Suite(.serialized) struct TandemctlStatusTests {
    struct Report: Decodable {
        struct Entry: Decodable {
            let name: String
            let reachable: Bool
            let error: String?
            let status: DaemonStatus?
        }
        let schema: String
        let problems: [String]
        let daemons: [Entry]
    }

    static func status(_ runtime: String) throws -> (TandemctlProcessTests.Run, Report) {
        let run = try TandemctlProcessTests.tandemctl(["status", "--json", "--runtime-dir", runtime])
        let report = try JSONDecoder().decode(Report.self, from: Data(run.standardOutput.utf8))
        return (run, report)
    }

    @Test func daemonsThatAreDownAreReportedAsProblemsNotAnErrorExit() throws {
        let directory = try TemporaryDirectory()
        let (run, report) = try Self.status(directory.path)
        #expect(run.status == 0, "\(run)")
        #expect(report.schema == "tandem.status/1")
        #expect(report.daemons.map(\.name) == ["vrrpd", "ipvsd", "checkd"])
        #expect(report.daemons.allSatisfy { !$0.reachable && $0.error != nil })
        #expect(report.problems.count == 3 && report.problems[0].hasPrefix("vrrpd is not reachable"), "\(report.problems)")

        let text = try TandemctlProcessTests.tandemctl(["status", "--runtime-dir", directory.path])
        #expect(text.status == 0)
        #expect(text.standardOutput.hasPrefix("Problems:\n  ! vrrpd is not reachable"), "\(text.standardOutput)")
    }

    @Test(.enabled(if: NetworkLab.available, "vrrpd as a process needs root and a network namespace of its own (raw sockets, addresses)"))
    func runningDaemonsAnswerWithTheirIdentityConfigurationAndPeers() throws {
        let directory = try TemporaryDirectory()
        let runtime = directory.file("run").path
        let config = directory.file("keepalived.conf").path
        try FileManager.default.copyItem(
            atPath: TandemctlProcessTests.repository.appendingPathComponent("Configs/nginx-ha/lb01.conf").path, toPath: config)
        // In a namespace of their own: on the test host's eth0 the instance would advertise and could add its VIP.
        let lab = try NetworkLab()
        try lab.addNode("a", addresses: ["192.0.2.1/24"])
        let vrrpd = try lab.spawn("a", DaemonProcess.binary("vrrpd").path, ["-l", "-f", config, "--runtime-dir", runtime],
                                  logFile: directory.file("vrrpd.log"))
        let checkd = try lab.spawn("a", DaemonProcess.binary("checkd").path, ["-l", "-f", config, "--runtime-dir", runtime],
                                   logFile: directory.file("checkd.log"))
        defer {
            _ = checkd.terminate()
            _ = vrrpd.terminate()
        }
        #expect(vrrpd.waitForLog("checkd connected"), "\(vrrpd.log)")

        let (run, report) = try Self.status(runtime)
        #expect(run.status == 0, "\(run)")
        let byName = Dictionary(uniqueKeysWithValues: report.daemons.map { ($0.name, $0) })
        let vrrpdStatus = try #require(byName["vrrpd"]?.status, "\(report)")
        #expect(vrrpdStatus.pid == vrrpd.pid)
        #expect(vrrpdStatus.configFile == config)
        #expect(vrrpdStatus.uptimeSeconds >= 0 && vrrpdStatus.uptimeSeconds < 60)
        #expect(vrrpdStatus.peers.contains(PeerLink(peer: "checkd", connected: true)), "\(vrrpdStatus.peers)")
        let instance = try #require(vrrpdStatus.instances?.first, "\(vrrpdStatus)")
        #expect(instance.name == "VI_1" && ["initialize", "backup", "master", "fault"].contains(instance.state))
        #expect(byName["checkd"]?.status?.instances == nil, "only vrrpd reports instances")
        let checkdStatus = try #require(byName["checkd"]?.status, "\(report)")
        #expect(checkdStatus.pid == checkd.pid)
        #expect(checkdStatus.peers.contains(PeerLink(peer: "vrrpd", connected: true)), "\(checkdStatus.peers)")
        // No ipvsd started: it is down, and both others miss it.
        #expect(byName["ipvsd"]?.reachable == false)
        #expect(report.problems.contains { $0.hasPrefix("ipvsd is not reachable") }, "\(report.problems)")
        #expect(report.problems.contains("vrrpd is not connected to ipvsd"), "\(report.problems)")
        #expect(report.problems.contains("checkd is not connected to ipvsd"), "\(report.problems)")
        #expect(!report.problems.contains { $0.contains("changed on disk") }, "\(report.problems)")

        // The file changed on disk after the daemons loaded it: a problem until they reload.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(60)], ofItemAtPath: config)
        let (_, changed) = try Self.status(runtime)
        #expect(changed.problems.contains("vrrpd: \(config) changed on disk after it was loaded (reload to apply)"),
                "\(changed.problems)")

    }
}
