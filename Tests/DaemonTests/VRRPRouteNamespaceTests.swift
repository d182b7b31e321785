import Foundation
import Testing
import TestSupport

/// virtual_routes, virtual_rules and static_routes under Debian's keepalived and under vrrpd, the same
/// configuration on the same two-node lab: after the election and after the master stops, each node's
/// routing tables and rules (normalized: the kernel's own entries left out) and its IPv4 addresses (with their
/// broadcast and scope: `brd +`, `brd -`, `scope link`, `scope site`) must be the same.
@Suite(.serialized, .enabled(if: NetworkLab.available && FileManager.default.isExecutableFile(atPath: "/usr/sbin/keepalived"),
                             "needs root, network namespaces and Debian's keepalived (\(NetworkLab.unavailableReason ?? ""))"))
struct VRRPRouteNamespaceTests {
    static func config(state: String, priority: Int) -> String {
        """
        static_routes {
            203.0.113.0/25 via 192.0.2.254 dev eth0 table 101
        }
        static_rules {
            fwmark 7 table 101 priority 101
        }
        vrrp_instance VI_1 {
            state \(state)
            interface eth0
            virtual_router_id 51
            priority \(priority)
            advert_int 1
            authentication {
                auth_type PASS
                auth_pass secret
            }
            virtual_ipaddress {
                192.0.2.100/24
                198.51.100.101/24 brd + scope link
                192.0.2.102/28 brd - scope site
            }
            virtual_routes {
                198.51.100.0/24 via 192.0.2.254 dev eth0 table 100
                default via 192.0.2.254 dev eth0 table 100 metric 10
                blackhole 203.0.113.128/25 table 100
                src 192.0.2.100 198.51.100.0/25 via 192.0.2.254 dev eth0
            }
            virtual_rules {
                from 192.0.2.100 table 100 priority 100
                to 198.51.100.0/24 table 100 priority 99 no_track
            }
        }

        """
    }

    /// What a node routes: every table but local, and the rules, without the kernel's own entries.
    static func snapshot(_ lab: NetworkLab, _ node: String) -> [String] {
        let routes = lab.exec(node, "ip route show table all").output.split(separator: "\n").map(String.init)
            .filter { !$0.contains("table local") && !$0.contains("proto kernel") && !$0.hasPrefix("fe80") && !$0.contains("ff00::/8") }
        let rules = lab.exec(node, "ip rule show").output.split(separator: "\n").map(String.init)
            .filter { !$0.hasPrefix("0:") && !$0.hasPrefix("32766:") && !$0.hasPrefix("32767:") }
        // "2: eth0    inet 192.0.2.101/24 brd 192.0.2.255 scope link secondary eth0\ valid_lft ...": from inet on.
        let addresses = lab.exec(node, "ip -o -4 addr show dev eth0").output.split(separator: "\n")
            .compactMap { line in line.range(of: "inet ").map { "address " + line[$0.lowerBound...] } }
        return (routes + rules + addresses).map { $0.trimmingCharacters(in: .whitespaces) }.sorted()
    }

    /// Runs the scenario with one daemon and returns the snapshots: both nodes after a is master, then b
    /// after a stopped, then a after it stopped.
    func scenario(_ daemon: String) throws -> [[String]] {
        let lab = try NetworkLab()
        let files = try TemporaryDirectory()
        try lab.addNode("a", addresses: ["192.0.2.1/24"])
        try lab.addNode("b", addresses: ["192.0.2.2/24"])
        func start(_ node: String, _ text: String) throws -> DaemonProcess {
            let config = files.file("\(node).conf")
            try text.write(to: config, atomically: true, encoding: .utf8)
            if daemon == "keepalived" {
                return try lab.spawn(node, "/usr/sbin/keepalived",
                                     ["--vrrp", "--dont-fork", "--log-console", "--use-file", config.path,
                                      "--pid", files.file("\(node)-k.pid").path, "--vrrp_pid", files.file("\(node)-kv.pid").path],
                                     logFile: files.file("\(node)-keepalived.log"))
            }
            return try lab.spawn(node, DaemonProcess.binary("vrrpd").path,
                                 ["-l", "-D", "-f", config.path, "--runtime-dir", files.file("run-\(node)").path],
                                 logFile: files.file("\(node).log"))
        }
        let a = try start("a", Self.config(state: "MASTER", priority: 150))
        let b = try start("b", Self.config(state: "BACKUP", priority: 100))
        func owns(_ node: String) -> Bool { lab.exec(node, "ip -o addr show dev eth0").output.contains(" 192.0.2.100/") }
        #expect(lab.waitUntil(timeout: .seconds(10)) { owns("a") } != nil, "\(daemon): a never became master: \(a.log)")
        // Routes follow the address at once; give both a moment to settle.
        Thread.sleep(forTimeInterval: 1.5)
        let afterElection = [Self.snapshot(lab, "a"), Self.snapshot(lab, "b")]
        _ = a.terminate()
        #expect(lab.waitUntil(timeout: .seconds(10)) { owns("b") } != nil, "\(daemon): b never took over: \(b.log)")
        Thread.sleep(forTimeInterval: 1.5)
        let afterFailover = [Self.snapshot(lab, "b"), Self.snapshot(lab, "a")]
        _ = b.terminate()
        return afterElection + afterFailover
    }

    @Test func routesAndRulesMatchKeepalivedThroughElectionAndFailover() throws {
        let keepalived = try scenario("keepalived")
        let vrrpd = try scenario("vrrpd")
        let phases = ["a master", "b backup", "b after failover", "a stopped"]
        for (index, phase) in phases.enumerated() {
            #expect(vrrpd[index] == keepalived[index], "\(phase): keepalived \(keepalived[index]) vrrpd \(vrrpd[index])")
        }
        // The scenario did install something: a as master holds the virtual and the static routes.
        #expect(keepalived[0].contains { $0.contains("198.51.100.0/24 via 192.0.2.254") }, "\(keepalived[0])")
        #expect(keepalived[1].contains { $0.contains("203.0.113.0/25") } && !keepalived[1].contains { $0.contains("198.51.100.0/24") })
        // (In another subnet than 192.0.2.100: the kernel refuses a secondary whose scope differs from its primary's.)
        #expect(keepalived[0].contains { $0.contains("inet 198.51.100.101/24 brd 198.51.100.255 scope link") }, "\(keepalived[0])")
        #expect(keepalived[0].contains { $0.contains("inet 192.0.2.102/28 brd 192.0.2.96 scope site") }, "\(keepalived[0])")
    }
}
