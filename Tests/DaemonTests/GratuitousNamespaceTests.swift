import Foundation
import Testing
import TestSupport

/// Gratuitous ARP timing on the wire, vrrpd against Debian's keepalived: the same configuration (global
/// vrrp_garp_interval, garp_master_delay/repeat/refresh) run by each in turn as the only router, the ARPs
/// captured by tshark on the other node of the bridge. The two sequences — which address, when after the first —
/// must be the same.
@Suite(.serialized, .enabled(if: NetworkLab.available, "needs root and network namespaces (\(NetworkLab.unavailableReason ?? ""))"))
struct GratuitousNamespaceTests {
    static let config = """
        global_defs {
            vrrp_garp_interval 0.2
        }
        vrrp_instance VI_1 {
            state MASTER
            interface eth0
            virtual_router_id 51
            priority 150
            version 3
            advert_int 0.3
            garp_master_delay 1
            garp_master_repeat 2
            garp_master_refresh 2
            garp_master_refresh_repeat 1
            virtual_ipaddress {
                192.0.2.100/24
                192.0.2.101/24
            }
        }

        """
    // Expected from keepalived's sources: .100 at 0, then one ARP per 0.2 s (.100 again, its repeat collapsed
    // while pending, then .101); the second burst at 1 s, likewise; a refresh is due 2 s after becoming MASTER
    // and goes with the next advert (2.1 s, 4.2 s, 6.3 s at advert_int 0.3, which keeps the advert and the due time
    // apart: keepalived's own order is a race when they coincide).

    struct Announcement: CustomStringConvertible {
        var address: String
        var offset: Double
        var description: String { "\(address)@\(String(format: "%.2f", offset))" }
    }

    /// The gratuitous ARPs for the VIPs seen on node b within `seconds` after `router` starts on node a.
    static func capture(_ label: String, seconds: Int, start router: (VRRPNamespaceTests.Setup) throws -> DaemonProcess) throws -> [Announcement] {
        let setup = try VRRPNamespaceTests.Setup()
        let pcap = setup.files.file("\(label).pcap")
        let tshark = try setup.lab.spawn("b", "/usr/bin/tshark", ["-q", "-i", "eth0", "-f", "arp", "-w", pcap.path],
                                         logFile: setup.files.file("\(label)-tshark.log"))
        defer { _ = tshark.terminate() }
        #expect(tshark.waitForLog("Capturing on", timeout: .seconds(15)), "tshark did not start")
        let daemon = try router(setup)
        defer { _ = daemon.terminate() }
        Thread.sleep(forTimeInterval: Double(seconds) + 1.5)
        _ = tshark.terminate()
        let fields = NetworkLab.sh("tshark -r \(pcap.path) -Y 'arp.isgratuitous' -T fields -e frame.time_epoch -e arp.src.proto_ipv4 2>/dev/null").output
        let rows = fields.split(separator: "\n").compactMap { line -> (Double, String)? in
            let parts = line.split(separator: "\t")
            guard parts.count == 2, let time = Double(parts[0]) else { return nil }
            return (time, String(parts[1]))
        }
        guard let first = rows.first?.0 else { return [] }
        return rows.map { Announcement(address: $0.1, offset: $0.0 - first) }.filter { $0.offset <= Double(seconds) }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/keepalived"), "needs Debian's keepalived"),
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tshark"), "needs tshark"))
    func garpTimingMatchesKeepalived() throws {
        let text = Self.config
        let theirs = try Self.capture("keepalived", seconds: 7) { setup in
            let file = setup.files.file("keepalived.conf")
            try text.write(to: file, atomically: true, encoding: .utf8)
            return try setup.lab.spawn("a", "/usr/sbin/keepalived",
                                       ["--vrrp", "--dont-fork", "--log-console", "--use-file", file.path,
                                        "--pid", setup.files.file("k.pid").path, "--vrrp_pid", setup.files.file("kv.pid").path],
                                       logFile: setup.files.file("keepalived.log"))
        }
        let ours = try Self.capture("vrrpd", seconds: 7) { setup in
            let file = setup.files.file("vrrpd.conf")
            try text.write(to: file, atomically: true, encoding: .utf8)
            return try setup.lab.spawn("a", DaemonProcess.binary("vrrpd").path,
                                       ["-l", "-f", file.path, "--runtime-dir", setup.files.file("run").path],
                                       logFile: setup.files.file("vrrpd.log"))
        }
        #expect(theirs.count >= 6, "keepalived sent too few for a comparison: \(theirs)")
        #expect(ours.map(\.address) == theirs.map(\.address), "ours \(ours) keepalived \(theirs)")
        for (mine, reference) in zip(ours, theirs) {
            #expect(abs(mine.offset - reference.offset) < 0.15, "ours \(ours) keepalived \(theirs)")
        }
    }
}
