import Control
import Foundation
import TestSupport
import Testing

/// checkd as a process, asked by `tandemctl status --json` over its control socket: a TCP_CHECK against a
/// listener this test holds (up, with a latency), one against a port it closed (down, with the error), and a
/// track script that fails (failed, "exited 1"). All on loopback.
@Suite(.serialized) struct CheckdStatusTests {
    @Test func checkdReportsEachCheckersLastAttemptAndEachTrackScript() throws {
        let directory = try TemporaryDirectory()
        let runtime = directory.file("run").path
        let config = directory.file("keepalived.conf").path
        let open = try TCPListener()
        defer { open.stop() }
        let closed = try TCPListener()
        closed.stop()
        try """
        vrrp_script chk_fails {
            script "/bin/false"
            interval 1
            fall 1
        }
        vrrp_instance VI_1 {
            interface lo
            virtual_router_id 51
            priority 100
            virtual_ipaddress { 192.0.2.100 }
            track_script { chk_fails }
        }
        virtual_server 192.0.2.1 80 {
            protocol TCP
            delay_loop 1
            real_server 127.0.0.1 \(open.port) {
                TCP_CHECK { connect_timeout 1
                    warmup 0 }
            }
            real_server 127.0.0.2 \(closed.port) {
                TCP_CHECK { connect_ip 127.0.0.1
                    connect_timeout 1
                    retry 0
                    warmup 0 }
            }
        }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let checkd = try DaemonProcess("checkd", ["-l", "-f", config, "--runtime-dir", runtime],
                                       logFile: directory.file("checkd.log"))
        defer { _ = checkd.terminate() }

        var checks: [RealServerCheckStatus] = []
        var scripts: [TrackScriptStatus] = []
        var report: TandemctlStatusTests.Report?
        let deadline = Date().addingTimeInterval(15)
        repeat {
            Thread.sleep(forTimeInterval: 0.3)
            guard let (_, answer) = try? TandemctlStatusTests.status(runtime),
                  let status = answer.daemons.first(where: { $0.name == "checkd" })?.status else { continue }
            report = answer
            checks = status.realServerChecks ?? []
            scripts = status.trackScripts ?? []
        } while Date() < deadline && !(checks.count == 2 && checks.allSatisfy { $0.health != "pending" }
                                       && scripts.first?.lastExit != nil)

        let up = try #require(checks.first { $0.realServer == "127.0.0.1:\(open.port)" }, "\(checks) \(checkd.log)")
        #expect(up.virtualServer == "TCP 192.0.2.1:80" && up.health == "up" && up.weight == 1)
        let upChecker = try #require(up.checkers.first)
        #expect(upChecker.kind == "TCP_CHECK" && upChecker.target == "127.0.0.1:\(open.port)" && upChecker.verdict == "up")
        #expect(upChecker.lastResult == "success" && upChecker.lastError == nil)
        let latency = try #require(upChecker.lastLatencySeconds)
        #expect(latency >= 0 && latency < 1)
        let checkedAt = try #require(upChecker.lastCheckedAt)
        #expect(abs(checkedAt - Date().timeIntervalSince1970) < 5)

        let down = try #require(checks.first { $0.realServer == "127.0.0.2:\(closed.port)" }, "\(checks)")
        #expect(down.health == "down")
        let downChecker = try #require(down.checkers.first)
        #expect(downChecker.target == "127.0.0.1:\(closed.port)" && downChecker.verdict == "down")
        #expect(downChecker.lastResult == "failure" && downChecker.retry == 0)
        #expect(downChecker.lastError?.lowercased().contains("refused") == true, "\(downChecker)")

        let script = try #require(scripts.first, "\(checkd.log)")
        #expect(script.name == "chk_fails" && script.status == "failed" && script.lastExit == "exited 1", "\(script)")
        #expect(script.rise == 1 && script.fall == 1)

        let problems = report?.problems ?? []
        #expect(problems.contains("track script chk_fails is failing (exited 1)"), "\(problems)")
    }
}
