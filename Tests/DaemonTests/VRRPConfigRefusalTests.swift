import Foundation
import Testing
import TestSupport

/// Configurations vrrpd must refuse rather than run differently from keepalived: `-t` names the place, and a
/// start on the same file exits before touching the network.
@Suite struct VRRPConfigRefusalTests {
    static let authenticationAH = """
    vrrp_instance VI_1 {
        state MASTER
        interface lo
        virtual_router_id 51
        priority 150
        authentication {
            auth_type AH
            auth_pass secret
        }
        virtual_ipaddress {
            192.0.2.10
        }
    }

    """

    @Test func authTypeAHFailsTheConfigTestWithItsLocation() throws {
        let directory = try TemporaryDirectory()
        let config = directory.file("keepalived.conf")
        try Self.authenticationAH.write(to: config, atomically: true, encoding: .utf8)
        let result = try DaemonProcess.run("vrrpd", ["-t", "-f", config.path])
        #expect(result.status == 1)
        #expect(result.output.contains("\(config.path):7:19: error: auth_type AH is not supported"), "\(result.output)")
        #expect(result.output.contains("use auth_type PASS or no authentication"))
    }

    @Test func authTypeAHStopsTheStart() throws {
        let directory = try TemporaryDirectory()
        let config = directory.file("keepalived.conf")
        try Self.authenticationAH.write(to: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess("vrrpd", ["-l", "-D", "-f", config.path, "--runtime-dir", directory.file("run").path],
                                       logFile: directory.file("vrrpd.log"))
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while daemon.process.isRunning && clock.now < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let exited = !daemon.process.isRunning
        if !exited { _ = daemon.terminate() }
        #expect(exited, "vrrpd ran on a configuration with auth_type AH: \(daemon.log)")
        #expect(daemon.process.terminationStatus != 0)
        #expect(daemon.log.contains("auth_type AH is not supported"), "\(daemon.log)")
    }
}
