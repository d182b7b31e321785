import Foundation
import Testing
import TestSupport

/// keepalived.conf keywords whose effect is checked against Debian's keepalived on a real (virtual) network: each
/// scenario runs twice, the configuration under test once on vrrpd and once on keepalived, with the other
/// implementation as the peer, and must end the same way. Nodes a (192.0.2.1) and b (.2) share eth0; each also
/// has an eth1 (198.51.100.1, .2) that only tracking looks at.
@Suite(.serialized,
       .enabled(if: NetworkLab.available, "needs root and network namespaces (\(NetworkLab.unavailableReason ?? ""))"),
       .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/keepalived"), "needs Debian's keepalived"))
struct VRRPTrackingNamespaceTests {
    static let vip = "192.0.2.100"

    /// Which implementation runs the configuration under test on node a; the other runs node b.
    enum UnderTest: String, CaseIterable { case vrrpd, keepalived }

    static func instance(state: String, priority: Int?, extra: [String] = []) -> String {
        (["vrrp_instance VI_1 {", "    state \(state)", "    interface eth0", "    virtual_router_id 51"]
            + [priority.map { "    priority \($0)" }].compactMap { $0 }
            + ["    advert_int 1", "    authentication {", "        auth_type PASS", "        auth_pass secret", "    }",
               "    virtual_ipaddress {", "        \(vip)", "    }"]
            + extra.map { "    \($0)" } + ["}"]).joined(separator: "\n") + "\n"
    }

    final class Pair {
        let setup: VRRPNamespaceTests.Setup
        let underTest: UnderTest
        private var daemons: [String: DaemonProcess] = [:]

        init(_ underTest: UnderTest) throws {
            self.underTest = underTest
            setup = try VRRPNamespaceTests.Setup()
            try setup.lab.addInterface("a", "eth1", addresses: ["198.51.100.1/24"])
            try setup.lab.addInterface("b", "eth1", addresses: ["198.51.100.2/24"])
        }

        /// Starts node a (the configuration under test) or b (the peer) on `config`.
        @discardableResult
        func start(_ node: String, _ config: String) throws -> DaemonProcess {
            let ours = (node == "a") == (underTest == .vrrpd)
            let file = setup.files.file("\(node)-\(ours ? "vrrpd" : "keepalived").conf")
            try config.write(to: file, atomically: true, encoding: .utf8)
            let log = setup.files.file("\(node).log")
            let daemon = ours
                ? try setup.lab.spawn(node, DaemonProcess.binary("vrrpd").path,
                                      ["-l", "-D", "-f", file.path, "--runtime-dir", setup.files.file("run-\(node)").path],
                                      logFile: log)
                : try setup.lab.spawn(node, "/usr/sbin/keepalived",
                                      ["--vrrp", "--dont-fork", "--log-console", "--log-detail", "--use-file", file.path,
                                       "--pid", setup.files.file("\(node)-k.pid").path,
                                       "--vrrp_pid", setup.files.file("\(node)-kv.pid").path],
                                      logFile: log)
            daemons[node] = daemon
            return daemon
        }

        func owns(_ node: String) -> Bool { setup.owns(node, VRRPTrackingNamespaceTests.vip) }

        func link(_ node: String, _ interface: String, up: Bool) throws {
            try setup.lab.run("ip -n \(setup.lab.namespace(node)) link set \(interface) \(up ? "up" : "down")")
        }

        /// What each node's eth0 holds now and how long asking took, then the daemons' logs: when a wait fails, this
        /// tells a daemon that did not act from a check that could not see (or was too slow to see) that it had.
        var logs: String {
            ["a", "b"].map { node in
                let clock = ContinuousClock(), start = clock.now
                let shown = setup.lab.exec(node, "ip -o addr show dev eth0")
                return "\(node) eth0 (status \(shown.status), \(clock.now - start)):\n\(shown.output)"
            }.joined(separator: "\n") + "\n" + daemons.keys.sorted().map { "\($0) (\(($0 == "a") == (underTest == .vrrpd) ? "vrrpd" : "keepalived")):\n\(daemons[$0]!.log)" }
                .joined(separator: "\n")
        }

        /// Ends what this pair started, by PID; the lab removes its namespaces.
        func stop() {
            for daemon in daemons.values { _ = daemon.terminate() }
        }
    }

    /// a (150) tracks its eth1; b (100) is a plain backup. a's eth1 goes down: unweighted, a goes to FAULT;
    /// with weight -60, a advertises 90. Either way b takes the VIP, and gives it back when eth1 returns.
    @Test(arguments: UnderTest.allCases, ["eth1", "eth1 weight -60"])
    func aTrackedInterfaceGoingDownMovesTheVIP(_ underTest: UnderTest, _ entry: String) throws {
        let pair = try Pair(underTest)
        defer { pair.stop() }
        try pair.start("a", Self.instance(state: "MASTER", priority: 150, extra: ["track_interface {", "    \(entry)", "}"]))
        try pair.start("b", Self.instance(state: "BACKUP", priority: 100))
        let lab = pair.setup.lab
        #expect(lab.waitUntil(timeout: .seconds(10)) { pair.owns("a") } != nil, "a never became master: \(pair.logs)")
        #expect(lab.holds(for: .seconds(2)) { pair.owns("a") && !pair.owns("b") }, "split brain: \(pair.logs)")

        try pair.link("a", "eth1", up: false)
        // FAULT sends priority 0 (b answers after Skew_Time); 90 is ignored by b, whose down timer then runs out.
        #expect(lab.waitUntil(timeout: .seconds(6)) { pair.owns("b") && !pair.owns("a") } != nil,
                "\(entry) down on \(underTest): the VIP did not move: \(pair.logs)")
        #expect(lab.holds(for: .seconds(3)) { pair.owns("b") && !pair.owns("a") }, "it came back while eth1 was down: \(pair.logs)")

        try pair.link("a", "eth1", up: true)
        #expect(lab.waitUntil(timeout: .seconds(10)) { pair.owns("a") && !pair.owns("b") } != nil,
                "\(entry) up on \(underTest): a did not take the VIP back: \(pair.logs)")
    }

    /// `state MASTER` without `priority` is the address owner (255) in keepalived 2.2.7: it takes the VIP from a
    /// master at 254 the moment it starts, where a default of 100 would leave it a backup.
    @Test(arguments: UnderTest.allCases)
    func stateMasterWithoutPriorityPreemptsAt255(_ underTest: UnderTest) throws {
        let pair = try Pair(underTest)
        defer { pair.stop() }
        let lab = pair.setup.lab
        try pair.start("b", Self.instance(state: "BACKUP", priority: 254))
        #expect(lab.waitUntil(timeout: .seconds(8)) { pair.owns("b") } != nil, "b never became master: \(pair.logs)")

        let a = try pair.start("a", Self.instance(state: "MASTER", priority: nil))
        #expect(lab.waitUntil(timeout: .seconds(4)) { pair.owns("a") && !pair.owns("b") } != nil,
                "\(underTest) with no priority did not preempt 254: \(pair.logs)")
        #expect(lab.holds(for: .seconds(2)) { pair.owns("a") && !pair.owns("b") }, "\(pair.logs)")
        if underTest == .vrrpd { #expect(a.log.contains("INITIALIZE → MASTER (addressOwner)"), "\(a.log)") }
    }

    /// mcast_src_ip is the adverts' IPv4 source, whether it is one of a's addresses (.51) or not (.77): keepalived
    /// writes its own IP header, vrrpd names the source with IP_PKTINFO on a socket with IP_TRANSPARENT.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tshark"), "needs tshark"),
          arguments: UnderTest.allCases, ["192.0.2.51", "192.0.2.77"])
    func advertsLeaveFromMcastSrcIP(_ underTest: UnderTest, _ source: String) throws {
        let pair = try Pair(underTest)
        defer { pair.stop() }
        let lab = pair.setup.lab
        try lab.run("ip -n \(lab.namespace("a")) addr add 192.0.2.51/24 dev eth0")
        try pair.start("a", Self.instance(state: "MASTER", priority: 150, extra: ["mcast_src_ip \(source)"]))
        #expect(lab.waitUntil(timeout: .seconds(8)) { pair.owns("a") } != nil, "\(pair.logs)")
        let capture = pair.setup.files.file("mcast-src.pcap").path
        let captured = lab.exec("b", "tshark -q -i eth0 -f 'ip proto 112' -a duration:3 -w \(capture)")
        #expect(captured.status == 0, "\(captured.output)")
        let sources = NetworkLab.sh("tshark -r \(capture) -T fields -e ip.src 2>/dev/null").output
            .split(separator: "\n").map(String.init)
        #expect(sources.count >= 2, "\(underTest) sent \(sources.count) adverts in 3 s: \(pair.logs)")
        #expect(sources.allSatisfy { $0 == source }, "\(underTest): \(sources)")
    }
}
