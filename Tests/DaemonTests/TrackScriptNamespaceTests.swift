import Foundation
import Testing
import TestSupport

/// Seed 001's nginx HA, end to end on the host: vrrpd and checkd on two nodes, a vrrp_script checking the local
/// proxy port with weight −60. Stopping the port moves the VIP; restarting checkd moves nothing.
@Suite(.serialized, .enabled(if: NetworkLab.available, "needs root and network namespaces (\(NetworkLab.unavailableReason ?? ""))"))
struct TrackScriptNamespaceTests {
    static func config(state: String, priority: Int) -> String {
        """
        vrrp_script check_proxy {
            script "/bin/bash -c '</dev/tcp/127.0.0.1/8001'"
            interval 0.5
            timeout 1
            weight -60
        }
        vrrp_instance VI_1 {
            state \(state)
            interface eth0
            virtual_router_id 51
            priority \(priority)
            advert_int 1
            authentication {
                auth_type PASS
                auth_pass 123456
            }
            virtual_ipaddress {
                192.0.2.100/24 label eth0:0
            }
            track_script {
                check_proxy
            }
        }

        """
    }

    final class Node {
        let name: String
        let config: URL
        let runtime: URL
        var vrrpd: DaemonProcess!
        var checkd: DaemonProcess!
        var proxy: DaemonProcess!
        var checkdRuns = 0

        init(_ name: String, files: TemporaryDirectory, state: String, priority: Int) throws {
            self.name = name
            config = files.file("\(name).conf")
            runtime = files.file("run-\(name)")
            try TrackScriptNamespaceTests.config(state: state, priority: priority).write(to: config, atomically: true, encoding: .utf8)
        }

        func startProxy(_ lab: NetworkLab, _ files: TemporaryDirectory) throws {
            proxy = try lab.spawn(name, "/usr/bin/python3", ["-m", "http.server", "8001", "--bind", "127.0.0.1"],
                                  logFile: files.file("\(name)-proxy.log"))
        }

        func startCheckd(_ lab: NetworkLab, _ files: TemporaryDirectory) throws {
            checkdRuns += 1
            checkd = try lab.spawn(name, DaemonProcess.binary("checkd").path,
                                   ["-l", "-f", config.path, "--runtime-dir", runtime.path],
                                   logFile: files.file("\(name)-checkd-\(checkdRuns).log"))
        }
    }

    @Test func stoppingTheTrackedPortMovesTheVIPAndACheckdRestartMovesNothing() throws {
        let lab = try NetworkLab()
        let files = try TemporaryDirectory()
        try lab.addNode("a", addresses: ["192.0.2.1/24"])
        try lab.addNode("b", addresses: ["192.0.2.2/24"])
        let a = try Node("a", files: files, state: "MASTER", priority: 150)
        let b = try Node("b", files: files, state: "BACKUP", priority: 100)
        for node in [a, b] {
            try node.startProxy(lab, files)
            node.vrrpd = try lab.spawn(node.name, DaemonProcess.binary("vrrpd").path,
                                       ["-l", "-f", node.config.path, "--runtime-dir", node.runtime.path],
                                       logFile: files.file("\(node.name)-vrrpd.log"))
            try node.startCheckd(lab, files)
        }
        let context = { "a vrrpd: \(a.vrrpd.log)\na checkd: \(a.checkd.log)\nb vrrpd: \(b.vrrpd.log)\nproxy running: \(a.proxy.process.isRunning)" }
        #expect(lab.waitUntil(timeout: .seconds(10)) { lab.hasAddress("a", "192.0.2.100") } != nil, "\(context())")
        #expect(a.vrrpd.waitForLog("track script check_proxy is OK"), "\(context())")

        // checkd restarts: vrrpd keeps the last results, so nothing moves, and the new checkd sends only news.
        #expect(a.checkd.terminate() == 0)
        try a.startCheckd(lab, files)
        #expect(lab.holds(for: .seconds(4)) { lab.hasAddress("a", "192.0.2.100") && !lab.hasAddress("b", "192.0.2.100") },
                "a checkd restart moved the VIP: \(context())")
        #expect(!a.vrrpd.log.contains("MASTER → "), "\(context())")

        // The proxy stops: 150 − 60 = 90 < 100, so b takes over and a steps down.
        // SIGKILL: the test runner's threads block SIGTERM (event loop tests), and a child inherits the mask.
        kill(a.proxy.pid, SIGKILL)
        let moved = lab.waitUntil(timeout: .seconds(10)) { lab.hasAddress("b", "192.0.2.100") && !lab.hasAddress("a", "192.0.2.100") }
        #expect(moved != nil, "the VIP did not move: \(context())")
        #expect(a.vrrpd.log.contains("track script check_proxy is failing"))

        // The proxy returns: a's priority is 150 again and it preempts.
        try a.startProxy(lab, files)
        #expect(lab.waitUntil(timeout: .seconds(10)) { lab.hasAddress("a", "192.0.2.100") && !lab.hasAddress("b", "192.0.2.100") } != nil,
                "a did not take the VIP back: \(context())")
        for node in [a, b] {
            #expect(node.checkd.terminate() == 0)
            #expect(node.vrrpd.terminate() == 0)
        }
    }
}
