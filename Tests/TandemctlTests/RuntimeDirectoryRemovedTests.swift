import Control
import Foundation
import TestSupport
import Testing

/// /run/tandem removed under running daemons (issue 16's fault suite): they go on, bind their sockets again, and a
/// restarted peer and tandemctl reach them. Outside systemd the directory can be made again; under systemd the
/// daemon says it cannot (SocketWatch), which the lab's units would show.
@Suite(.serialized, .enabled(if: NetworkLab.available, "needs root and network namespaces (\(NetworkLab.unavailableReason ?? ""))"))
struct RuntimeDirectoryRemovedTests {
    @Test func daemonsBindTheirSocketsAgainAndAPeerReconnects() throws {
        let daemons = try TandemctlReloadTests.RunningDaemons()
        let (lab, runtime, vrrpd) = (daemons.lab, daemons.runtime, daemons.vrrpd)
        #expect(vrrpd.waitForLog("checkd connected"), "\(vrrpd.log)")

        try FileManager.default.removeItem(atPath: runtime)
        let back = lab.waitUntil(timeout: .seconds(6)) {
            FileManager.default.fileExists(atPath: runtime + "/vrrpd.control") && FileManager.default.fileExists(atPath: runtime + "/vrrpd.sock")
        }
        #expect(back != nil, "vrrpd did not bind again: \(vrrpd.log)")
        #expect(vrrpd.log.contains("\(runtime)/vrrpd.sock was removed under vrrpd; bound it again"), "\(vrrpd.log)")
        // The open connection to checkd was kept; a new checkd connects to the new socket.
        try daemons.restartCheckd(log: "checkd-2.log")
        #expect(lab.waitUntil(timeout: .seconds(10)) { vrrpd.log.components(separatedBy: "checkd connected").count >= 3 } != nil,
                "the restarted checkd did not reach vrrpd: \(vrrpd.log)\n\(daemons.checkd.log)")
        let status = try TandemctlProcessTests.tandemctl(["status", "--json", "--runtime-dir", runtime])
        let report = try JSONDecoder().decode(TandemctlStatusTests.Report.self, from: Data(status.standardOutput.utf8))
        #expect(report.daemons.first { $0.name == "vrrpd" }?.reachable == true, "\(status)")
        #expect(report.daemons.first { $0.name == "checkd" }?.reachable == true, "\(status)")
    }
}
