import Foundation
import Testing
import TestSupport

/// Where the configs the daemons must accept are.
enum Inputs {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A repository config with every interface renamed to one that exists nowhere, for a vrrpd run in the test
    /// host's own network namespace: its instances stay down ("not started") instead of advertising on, and
    /// adding VIPs to, whatever eth0 the host has. Written to `directory`; returns its path.
    static func offline(_ relative: String, in directory: TemporaryDirectory, as name: String = "keepalived.conf") throws -> String {
        let text = try String(contentsOf: repository.appendingPathComponent(relative), encoding: .utf8)
        let renamed = text.replacingOccurrences(of: #"\b(interface|lvs_sync_daemon|dev|label)(\s+)eth[0-9]+"#,
                                                with: "$1$2tdm-nowhere0", options: .regularExpression)
        return try directory.write(name, renamed)
    }

    static var files: [String] {
        var files: [String] = []
        let seeds = repository.appendingPathComponent("Tests/KeepalivedConfigTests/Fixtures/seeds")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: seeds.path)) ?? [] where name.hasSuffix(".conf") {
            files.append("Tests/KeepalivedConfigTests/Fixtures/seeds/" + name)
        }
        let configs = repository.appendingPathComponent("Configs")
        for case let name as String in FileManager.default.enumerator(atPath: configs.path)! where name.hasSuffix(".conf") {
            files.append("Configs/" + name)
        }
        return files.sorted()
    }

    static let roles = ["vrrpd", "ipvsd", "checkd"]
}

@Suite struct ConfigTestFlagTests {
    @Test func inputsArePresent() {
        #expect(Inputs.files.count == 30, "\(Inputs.files)")
    }

    @Test(arguments: Inputs.roles, Inputs.files)
    func everySeedAndConfigPassesTheConfigTest(_ daemon: String, _ file: String) throws {
        let path = Inputs.repository.appendingPathComponent(file).path
        let (status, output) = try DaemonProcess.run(daemon, ["-t", "-f", path])
        #expect(status == 0, "\(daemon) -t \(file):\n\(output)")
        #expect(output.contains("configuration OK"))
    }

    @Test func anErrorFailsOnlyTheDaemonWhosePartItIsIn() throws {
        let directory = try TemporaryDirectory()
        let config = directory.file("keepalived.conf")
        try """
        vrrp_instance VI_1 {
            interface lo
            virtual_router_id 51
            virtual_ipaddress {
                192.0.2.10
            }
        }
        virtual_server 192.0.2.10 80 {
            protocol TCP
            lb_kind FNAT
            real_server 192.0.2.20 80 {
            }
        }
        """.write(to: config, atomically: true, encoding: .utf8)
        let ipvsd = try DaemonProcess.run("ipvsd", ["-t", "-f", config.path])
        #expect(ipvsd.status == 1)
        #expect(ipvsd.output.contains("\(config.path):10:13: error: lb_kind 'FNAT' is not a forwarding method the kernel has"), "\(ipvsd.output)")
        let checkd = try DaemonProcess.run("checkd", ["-t", "-f", config.path])
        #expect(checkd.status == 1, "checkd reads the virtual servers too")
        let vrrpd = try DaemonProcess.run("vrrpd", ["-t", "-f", config.path])
        #expect(vrrpd.status == 0, "\(vrrpd.output)")
        #expect(!vrrpd.output.contains("FNAT"))
    }

    @Test func aSyntaxErrorFailsEveryDaemon() throws {
        let directory = try TemporaryDirectory()
        let config = directory.file("keepalived.conf")
        try "global_defs {\n    router_id x\n".write(to: config, atomically: true, encoding: .utf8)
        for daemon in Inputs.roles {
            let result = try DaemonProcess.run(daemon, ["-t", "-f", config.path])
            #expect(result.status == 1)
            #expect(result.output.contains("\(config.path):1:13: error: unbalanced brace"), "\(daemon): \(result.output)")
        }
    }

    /// `-i`/`--config-id` chooses the `@ID` lines, as keepalived's does, in all three daemons; without it the host
    /// name is the id.
    @Test func theConfigIDChoosesTheConditionalLines() throws {
        let directory = try TemporaryDirectory()
        let config = directory.file("keepalived.conf")
        try "global_defs {\n    @good router_id good\n}\n@broken }\n".write(to: config, atomically: true, encoding: .utf8)
        for daemon in Inputs.roles {
            let good = try DaemonProcess.run(daemon, ["-t", "-i", "good", "-f", config.path])
            #expect(good.status == 0, "\(daemon): \(good.output)")
            let broken = try DaemonProcess.run(daemon, ["--config-id", "broken", "-t", "-f", config.path])
            #expect(broken.status == 1)
            #expect(broken.output.contains("\(config.path):4:9: error: unbalanced brace"), "\(daemon): \(broken.output)")
            let host = try DaemonProcess.run(daemon, ["-t", "-f", config.path])
            #expect(host.status == 0, "\(daemon): \(host.output)")
        }
        let help = try DaemonProcess.run("vrrpd", ["--help"])
        #expect(help.output.contains("-i, --config-id"), "\(help.output)")
    }

    @Test func aMissingFileIsReported() throws {
        let result = try DaemonProcess.run("vrrpd", ["-t", "-f", "/nonexistent/keepalived.conf"])
        #expect(result.status == 1)
        #expect(result.output.contains("cannot open /nonexistent/keepalived.conf"))
    }

    @Test func versionAndHelp() throws {
        for daemon in Inputs.roles {
            let version = try DaemonProcess.run(daemon, ["--version"])
            #expect(version.status == 0 && version.output.hasPrefix("0."))
            let help = try DaemonProcess.run(daemon, ["--help"])
            #expect(help.output.contains("--use-file") && help.output.contains("--runtime-dir"))
        }
    }
}

/// The daemons as processes: they start on a seed config, find each other over their sockets, reload, and stop
/// cleanly on SIGTERM.
@Suite(.serialized) struct DaemonLifecycleTests {
    /// ipvsd needs a kernel with IPVS (the lab proves it there); on this host it must refuse clearly, and the
    /// other two must not care.
    static let kernelHasIPVS = FileManager.default.fileExists(atPath: "/proc/net/ip_vs")

    @Test func theDaemonsStartConnectAndExitCleanlyOnSIGTERM() throws {
        let directory = try TemporaryDirectory()
        let runtime = directory.file("run").path
        let config = try Inputs.offline("Configs/nginx-ha/lb01.conf", in: directory)
        var daemons: [String: DaemonProcess] = [:]
        let names = Self.kernelHasIPVS ? Inputs.roles : ["vrrpd", "checkd"]
        for name in names {
            daemons[name] = try DaemonProcess(name, ["-l", "-f", config, "--runtime-dir", runtime],
                                              logFile: directory.file("\(name).log"))
        }
        let vrrpd = try #require(daemons["vrrpd"]), checkd = try #require(daemons["checkd"])
        if let ipvsd = daemons["ipvsd"] {
            #expect(ipvsd.waitForLog("checkd connected"), "\(ipvsd.log)")
            #expect(ipvsd.waitForLog("vrrpd connected"), "\(ipvsd.log)")
        }
        #expect(vrrpd.waitForLog("checkd connected"), "\(vrrpd.log)")
        #expect(vrrpd.log.contains("started: 1 vrrp_instance (VI_1), 0 vrrp_sync_groups, 1 vrrp_script"))
        #expect(FileManager.default.fileExists(atPath: runtime + "/vrrpd.sock"))

        #expect(checkd.terminate() == 0)
        #expect(vrrpd.waitForLog("last track script results kept"), "a checkd restart must not lose vrrpd's state")
        for name in names where name != "checkd" { #expect(daemons[name]?.terminate() == 0) }
        for daemon in daemons.values { #expect(daemon.log.contains("stopping"), "\(daemon.log)") }
        #expect(!FileManager.default.fileExists(atPath: runtime + "/vrrpd.sock"), "sockets are removed on exit")
        #expect(!FileManager.default.fileExists(atPath: runtime + "/ipvsd.sock"))
    }

    @Test func aBrokenReloadKeepsTheRunningConfiguration() throws {
        let directory = try TemporaryDirectory()
        let config = directory.file("keepalived.conf")
        let good = try String(contentsOfFile: Inputs.offline("Configs/dr/lb01.conf", in: directory), encoding: .utf8)
        let vrrpd = try DaemonProcess("vrrpd", ["-l", "-f", config.path, "--runtime-dir", directory.file("run").path],
                                      logFile: directory.file("vrrpd.log"))
        #expect(vrrpd.waitForLog("started:"), "\(vrrpd.log)")

        try good.replacingOccurrences(of: "virtual_router_id 51", with: "virtual_router_id 300")
            .write(to: config, atomically: true, encoding: .utf8)
        vrrpd.signal(SIGHUP)
        #expect(vrrpd.waitForLog("reload refused"), "\(vrrpd.log)")
        #expect(vrrpd.log.contains("\(config.path):10:23: error: virtual_router_id 300 is outside 1–255"), "\(vrrpd.log)")
        #expect(vrrpd.process.isRunning, "a bad reload must not stop the daemon")

        try good.replacingOccurrences(of: "priority 100", with: "priority 110")
            .write(to: config, atomically: true, encoding: .utf8)
        vrrpd.signal(SIGHUP)
        #expect(vrrpd.waitForLog("reloaded \(config.path)"), "\(vrrpd.log)")
        #expect(vrrpd.terminate() == 0)
    }

    /// Issue 19: a reload must never be able to end the running daemon (a MASTER that dies keeps its VIPs on the
    /// interface while the BACKUP takes them). Each hostile file is refused at file:line:column, promptly, and
    /// the daemon keeps running with its configuration.
    @Test func hostileReloadsAreRefusedAndTheDaemonLives() throws {
        let directory = try TemporaryDirectory()
        let config = directory.file("keepalived.conf")
        let good = try String(contentsOfFile: Inputs.offline("Configs/dr/lb01.conf", in: directory), encoding: .utf8)
        let vrrpd = try DaemonProcess("vrrpd", ["-l", "-f", config.path, "--runtime-dir", directory.file("run").path],
                                      logFile: directory.file("vrrpd.log"))
        #expect(vrrpd.waitForLog("started:"), "\(vrrpd.log)")
        let fifo = directory.path("fifo.conf")
        #expect(mkfifo(fifo, 0o644) == 0)
        try FileManager.default.createDirectory(atPath: directory.path("inc"), withIntermediateDirectories: false)
        for index in 1...12 { try directory.write("inc/f\(index).conf", "include \(directory.path("inc"))/*.conf\n") }
        let hostile: [(text: String, finding: String)] = [
            (good + "vrrp_instance deep " + String(repeating: "{ ", count: 100_000) + "\n",
             "error: blocks are nested more than 32 deep here"),
            (good + "include \(fifo)\n", "error: \(fifo) is a FIFO, not a regular file"),
            (good + "include \(directory.path("inc"))/*.conf\n", "files included in all"),
        ]
        for (round, (text, finding)) in hostile.enumerated() {
            try text.write(to: config, atomically: true, encoding: .utf8)
            vrrpd.signal(SIGHUP)
            let refusals = round + 1
            #expect(vrrpd.waitForLog("reload refused", count: refusals, timeout: .seconds(30)), "\(vrrpd.log.suffix(2000))")
            #expect(vrrpd.log.contains(finding), "\(vrrpd.log.suffix(2000))")
            #expect(vrrpd.process.isRunning, "a hostile reload must not stop the daemon")
        }
        try good.replacingOccurrences(of: "priority 100", with: "priority 110").write(to: config, atomically: true, encoding: .utf8)
        vrrpd.signal(SIGHUP)
        #expect(vrrpd.waitForLog("reloaded \(config.path)"), "\(vrrpd.log.suffix(2000))")
        #expect(vrrpd.terminate() == 0)
    }

    @Test func aConfigWithErrorsIsNotStarted() throws {
        let directory = try TemporaryDirectory()
        let config = directory.file("keepalived.conf")
        try "vrrp_instance X {\n    priority 0\n}\n".write(to: config, atomically: true, encoding: .utf8)
        let result = try DaemonProcess.run("vrrpd", ["-l", "-f", config.path, "--runtime-dir", directory.file("run").path])
        #expect(result.status == 1)
        #expect(result.output.contains("not starting"), "\(result.output)")
    }
}
