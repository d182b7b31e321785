import Foundation
import Testing
import TestSupport

/// tandem_announce against FRR from Debian: two directors (d1 198.51.100.1, d2 .2) run vrrpd with the same block
/// and FRR's zebra (`ip import-table 200`) and bgpd (`redistribute table 200`); a router (r, .254) runs bgpd with
/// `maximum-paths 4`. The router must learn the address from both directors as one ECMP route, lose d1's path
/// when d1's tracked interface goes down, and, when d1's vrrpd stops, lose it before vrrpd lets go of the address.
@Suite(.serialized,
       .enabled(if: NetworkLab.available, "needs root and network namespaces (\(NetworkLab.unavailableReason ?? ""))"),
       .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/lib/frr/bgpd"),
                "needs FRR's zebra and bgpd (scripts/install-deps installs frr)"))
struct AnnouncementFRRNamespaceTests {
    static let frr = "/usr/lib/frr"
    static let address = "203.0.113.10"
    static let withdrawDelay = 2.0

    static let vrrpdConfig = """
        tandem_announce web {
            address \(address)
            track_interface {
                uplink
            }
            table 200
            withdraw_delay \(withdrawDelay)
        }

        """

    final class Topology {
        let lab: NetworkLab
        let files: TemporaryDirectory
        var vrrpd: [String: DaemonProcess] = [:]
        var frrDaemons: [DaemonProcess] = []

        init() throws {
            lab = try NetworkLab()
            files = try TemporaryDirectory()
            try lab.addNode("d1", addresses: ["198.51.100.1/24"])
            try lab.addNode("d2", addresses: ["198.51.100.2/24"])
            try lab.addNode("r", addresses: ["198.51.100.254/24"])
            // The interface the directors track: a second port on the bridge (the kernel here has no dummy links).
            for director in ["d1", "d2"] { try lab.addInterface(director, "uplink", addresses: []) }
        }

        /// zebra and bgpd in `node`'s namespace, foreground, their files in this test's directory.
        func startFRR(_ node: String, zebra: String, bgpd: String) throws {
            // FRR's daemons drop to the user frr at start: their directory is theirs, and the way to it open.
            let directory = files.file("frr-\(node)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try lab.run("chmod o+x \(files.path) && chown frr:frr \(directory.path)")
            let socket = directory.appendingPathComponent("zserv.api").path
            for (daemon, config) in [("zebra", zebra), ("bgpd", bgpd)] {
                let file = directory.appendingPathComponent("\(daemon).conf")
                try config.write(to: file, atomically: true, encoding: .utf8)
                var arguments = ["-f", file.path, "-i", directory.appendingPathComponent("\(daemon).pid").path,
                                 "-z", socket, "--vty_socket", directory.path]
                if daemon == "bgpd" { arguments += ["-p", "179"] }
                frrDaemons.append(try lab.spawn(node, "\(AnnouncementFRRNamespaceTests.frr)/\(daemon)", arguments,
                                                logFile: directory.appendingPathComponent("\(daemon).log")))
                if daemon == "zebra" {
                    // bgpd connects to zebra's socket at its start.
                    _ = lab.waitUntil(timeout: .seconds(10)) { FileManager.default.fileExists(atPath: socket) }
                }
            }
        }

        func startDirector(_ node: String) throws {
            try startFRR(node, zebra: "ip import-table 200\n", bgpd: """
                router bgp 65001
                 bgp router-id \(node == "d1" ? "198.51.100.1" : "198.51.100.2")
                 no bgp ebgp-requires-policy
                 neighbor 198.51.100.254 remote-as 65000
                 neighbor 198.51.100.254 timers 1 3
                 neighbor 198.51.100.254 timers connect 1
                 address-family ipv4 unicast
                  redistribute table 200
                 exit-address-family

                """)
            let config = files.file("\(node)-vrrpd.conf")
            try AnnouncementFRRNamespaceTests.vrrpdConfig.write(to: config, atomically: true, encoding: .utf8)
            vrrpd[node] = try lab.spawn(node, DaemonProcess.binary("vrrpd").path,
                                        ["-l", "-D", "-f", config.path, "--runtime-dir", files.file("run-\(node)").path],
                                        logFile: files.file("\(node)-vrrpd.log"))
        }

        func startRouter() throws {
            try startFRR("r", zebra: "", bgpd: """
                router bgp 65000
                 bgp router-id 198.51.100.254
                 no bgp ebgp-requires-policy
                 neighbor 198.51.100.1 remote-as 65001
                 neighbor 198.51.100.1 timers 1 3
                 neighbor 198.51.100.1 timers connect 1
                 neighbor 198.51.100.2 remote-as 65001
                 neighbor 198.51.100.2 timers 1 3
                 neighbor 198.51.100.2 timers connect 1
                 address-family ipv4 unicast
                  maximum-paths 4
                 exit-address-family

                """)
        }

        /// The next hops the router's kernel has for the address (zebra installs bgpd's best paths there).
        var nextHops: Set<String> {
            let output = lab.exec("r", "ip -4 route show \(AnnouncementFRRNamespaceTests.address)").output
            let words = output.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init)
            return Set(zip(words, words.dropFirst()).filter { $0.0 == "via" }.map(\.1))
        }

        /// Whether `node` serves the address (the local route vrrpd adds).
        func serves(_ node: String) -> Bool {
            lab.exec(node, "ip route show table local \(AnnouncementFRRNamespaceTests.address)").output.contains("local")
        }

        var logs: String {
            vrrpd.keys.sorted().map { "\($0) vrrpd:\n\(vrrpd[$0]!.log)" }.joined(separator: "\n")
                + "\n" + frrDaemons.map { "\($0.process.arguments?[3] ?? "frr") (running: \($0.process.isRunning)):\n\($0.log)" }
                .joined(separator: "\n")
                + "\nrouter: " + lab.exec("r", "ip route").output
        }

        func stop() {
            for daemon in vrrpd.values { _ = daemon.terminate() }
            // FRR's daemons can take many seconds to exit on SIGTERM: a moment each, then SIGKILL (by PID).
            for daemon in frrDaemons.reversed() { _ = daemon.terminate(timeout: .seconds(2)) }
        }
    }

    @Test func bothDirectorsAreOneECMPRouteThatFollowsHealthAndDrainsOnStop() throws {
        let topology = try Topology()
        defer { topology.stop() }
        let lab = topology.lab
        try topology.startRouter()
        try topology.startDirector("d1")
        try topology.startDirector("d2")

        let both: Set<String> = ["198.51.100.1", "198.51.100.2"]
        let converged = lab.waitUntil(timeout: .seconds(30)) { topology.nextHops == both }
        #expect(converged != nil, "the router has \(topology.nextHops): \(topology.logs)")
        #expect(topology.serves("d1") && topology.serves("d2"))
        // The address answers through the route: a director takes it in locally.
        #expect(lab.exec("r", "ping -c 1 -W 2 \(Self.address)").status == 0, "\(topology.logs)")

        // d1's tracked interface goes down: only d1's path goes, and comes back with it.
        try lab.run("ip -n \(lab.namespace("d1")) link set uplink down")
        let withdrawn = lab.waitUntil(timeout: .seconds(10)) { topology.nextHops == ["198.51.100.2"] }
        #expect(withdrawn != nil, "the router has \(topology.nextHops): \(topology.logs)")
        #expect(topology.serves("d1"), "withdrawn, still served")
        try lab.run("ip -n \(lab.namespace("d1")) link set uplink up")
        #expect(lab.waitUntil(timeout: .seconds(10)) { topology.nextHops == both } != nil, "\(topology.logs)")

        // d1's vrrpd stops: the router loses d1's path first; d1 serves on for withdraw_delay, then lets go.
        let d1 = try #require(topology.vrrpd["d1"])
        d1.signal(SIGTERM)
        let drained = lab.waitUntil(timeout: .seconds(5)) { topology.nextHops == ["198.51.100.2"] }
        #expect(drained != nil, "the router has \(topology.nextHops): \(topology.logs)")
        #expect(topology.serves("d1") && d1.process.isRunning, "d1 let go before its withdraw_delay: \(topology.logs)")
        let exited = lab.waitUntil(timeout: .seconds(Self.withdrawDelay + 5)) { !d1.process.isRunning }
        #expect(exited != nil, "\(topology.logs)")
        if let drained, let exited {
            #expect(drained + exited >= .seconds(Self.withdrawDelay * 0.9), "withdrawn at \(drained), exited \(exited) later")
        }
        #expect(!topology.serves("d1"), "d1 still serves after it stopped: \(topology.logs)")
        print("ECMP route over both directors after \(converged.map { "\($0)" } ?? "never"); withdrawal seen by the router \(withdrawn.map { "\($0)" } ?? "never") after the link went down; \(drained.map { "\($0)" } ?? "never") after SIGTERM")
    }
}
