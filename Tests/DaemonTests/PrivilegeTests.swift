import Foundation
import Testing
import TestSupport

/// What the kernel says about a running daemon: its capability sets and ids, from /proc/PID/status.
struct ProcessStatus {
    let fields: [String: String]

    init?(pid: Int32) {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.fields = fields
    }

    func mask(_ name: String) -> UInt64? { fields[name].flatMap { UInt64($0, radix: 16) } }
    var realUID: String? { fields["Uid"]?.split(separator: "\t").first.map(String.init) }
}

/// The daemons drop what they do not need even when started by hand as root.
@Suite(.serialized) struct PrivilegeTests {
    static let netAdmin: UInt64 = 1 << 12
    static let netRaw: UInt64 = 1 << 13

    @Test(.enabled(if: NetworkLab.available, "needs root and network namespaces"))
    func vrrpdKeepsOnlyNetAdminAndNetRaw() throws {
        let lab = try NetworkLab()
        try lab.addNode("a", addresses: ["192.0.2.1/24"])
        let files = try TemporaryDirectory()
        let config = files.file("k.conf")
        try "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n virtual_ipaddress {\n  192.0.2.100\n }\n}\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let vrrpd = try lab.spawn("a", DaemonProcess.binary("vrrpd").path,
                                  ["-l", "-f", config.path, "--runtime-dir", files.file("run").path],
                                  logFile: files.file("vrrpd.log"))
        #expect(vrrpd.waitForLog("started:"), "\(vrrpd.log)")
        let status = try #require(ProcessStatus(pid: vrrpd.pid))
        #expect(status.mask("CapEff") == Self.netAdmin | Self.netRaw, "\(status.fields["CapEff"] ?? "?")")
        #expect(status.mask("CapPrm") == Self.netAdmin | Self.netRaw)
        #expect(status.mask("CapBnd") == Self.netAdmin | Self.netRaw, "nothing can come back: \(status.fields["CapBnd"] ?? "?")")
        #expect(status.fields["NoNewPrivs"] == "1")
        #expect(vrrpd.log.contains("capabilities dropped to cap_net_admin, cap_net_raw"), "\(vrrpd.log)")
        #expect(vrrpd.terminate() == 0)
    }

    /// Issue 19, finding 8: checkd started as root, where its user does not exist, used to keep uid 0 and run
    /// every notify and check script as root. It now refuses unless root is asked for.
    @Test(.enabled(if: getuid() == 0 && getpwnam("tandem-checkd") == nil, "needs root, on a host without the tandem-checkd user"))
    func checkdAsRootRunsScriptsAsRootOnlyWhenAskedTo() throws {
        let files = try TemporaryDirectory()
        let config = Inputs.repository.appendingPathComponent("Configs/dr/lb01.conf").path
        let runtime = files.file("run").path
        // By path, not DaemonProcess("checkd"), which says --user root for the tests.
        let process = Process()
        process.executableURL = DaemonProcess.binary("checkd")
        process.arguments = ["-l", "-f", config, "--runtime-dir", runtime]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 1, "\(output)")
        #expect(output.contains("it will not run scripts as root unasked"), "\(output)")

        let asked = try DaemonProcess("checkd", ["-l", "-f", config, "--runtime-dir", runtime], logFile: files.file("checkd.log"))
        #expect(asked.waitForLog("started:"), "\(asked.log)")
        #expect(asked.log.contains("checkd runs as root (--user root): every script it runs, runs as root"), "\(asked.log)")
        #expect(asked.terminate() == 0)

        let withScriptUser = try files.write("k.conf", "global_defs {\n script_user root\n}\n"
                                             + (try String(contentsOfFile: config, encoding: .utf8)))
        let configured = try DaemonProcess(path: DaemonProcess.binary("checkd").path,
                                           ["-l", "-f", withScriptUser, "--runtime-dir", runtime], logFile: files.file("checkd2.log"))
        #expect(configured.waitForLog("started:"), "\(configured.log)")
        #expect(configured.log.contains("checkd runs as root (script_user root)"), "\(configured.log)")
        #expect(configured.terminate() == 0)
    }

    @Test(.enabled(if: getuid() == 0, "needs root to change user"))
    func checkdRunsAsItsUserWithNoCapabilities() throws {
        let files = try TemporaryDirectory()
        let config = Inputs.repository.appendingPathComponent("Configs/dr/lb01.conf").path
        // The runtime directory must be reachable by the unprivileged user, as tmpfiles.d makes /run/tandem.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: files.url.path)
        let checkd = try DaemonProcess("checkd", ["-l", "-f", config, "--user", "nobody", "--runtime-dir", files.file("run").path],
                                       logFile: files.file("checkd.log"))
        #expect(checkd.waitForLog("started:"), "\(checkd.log)")
        let status = try #require(ProcessStatus(pid: checkd.pid))
        #expect(status.realUID == "65534", "\(status.fields["Uid"] ?? "?")")
        #expect(status.mask("CapEff") == 0)
        #expect(status.mask("CapPrm") == 0)
        #expect(status.mask("CapBnd") == 0)
        #expect(status.fields["NoNewPrivs"] == "1")
        #expect(checkd.terminate() == 0)
    }
}

/// The units' hardening, scored by systemd itself without booting anything (`--offline`): the goals are
/// exposure ≤ 2.0 for checkd and ≤ 3.0 for vrrpd and ipvsd; keepalived's own unit scores 9.6.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze"), "needs systemd-analyze"))
struct UnitHardeningTests {
    static func exposure(of unit: String, from directory: URL) throws -> Double? {
        let root = try TemporaryDirectory()
        let units = root.file("etc/systemd/system")
        try FileManager.default.createDirectory(at: units, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: directory.appendingPathComponent(unit), to: units.appendingPathComponent(unit))
        let result = NetworkLab.sh("systemd-analyze security --offline=true --root=\(root.url.path) \(unit) 2>&1")
        guard let line = result.output.split(separator: "\n").last(where: { $0.contains("Overall exposure level") }),
              let score = line.split(separator: ":").last?.split(separator: " ").first else { return nil }
        return Double(score)
    }

    @Test(arguments: [("vrrpd.service", 3.0), ("ipvsd.service", 3.0), ("checkd.service", 2.0), ("tandem-metrics@.service", 1.5)])
    func exposureMeetsItsGoal(_ unit: String, _ goal: Double) throws {
        let score = try #require(try Self.exposure(of: unit, from: Inputs.repository.appendingPathComponent("systemd")))
        #expect(score <= goal, "\(unit) scores \(score), goal ≤ \(goal)")
    }

    @Test func unitsAskForTheRightCapabilitiesAndAddressFamilies() throws {
        let directory = Inputs.repository.appendingPathComponent("systemd")
        func unit(_ name: String) throws -> String { try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8) }
        let vrrpd = try unit("vrrpd.service"), ipvsd = try unit("ipvsd.service"), checkd = try unit("checkd.service")
        #expect(vrrpd.contains("\nCapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW\n"))
        #expect(vrrpd.contains("\nRestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK AF_PACKET\n"))
        #expect(ipvsd.contains("\nCapabilityBoundingSet=CAP_NET_ADMIN\n"))
        #expect(ipvsd.contains("\nRestrictAddressFamilies=AF_UNIX AF_NETLINK\n"))
        #expect(checkd.contains("\nCapabilityBoundingSet=\n") && checkd.contains("\nUser=tandem-checkd\n"))
        #expect(checkd.contains("\nRestrictAddressFamilies=AF_UNIX AF_INET AF_INET6\n"))
        for text in [vrrpd, ipvsd, checkd] {
            #expect(text.contains("\nType=notify\n") && text.contains("\nWatchdogSec=") && text.contains("\nRestart=on-failure\n"))
            #expect(text.contains("\nExecReload=/bin/kill -HUP $MAINPID\n"))
            #expect(!text.contains("Requires=") && !text.contains("BindsTo=") && !text.contains("PartOf="),
                    "no unit's restart may restart another")
        }
    }
}
