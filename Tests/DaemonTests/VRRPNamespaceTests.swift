import Foundation
import Testing
import TestSupport

/// vrrpd on a real (virtual) network: namespaces on one bridge, real raw sockets, real addresses, and Debian's
/// keepalived as the peer. Addresses: nodes 192.0.2.1-3, VIP 192.0.2.100.
@Suite(.serialized, .enabled(if: NetworkLab.available, "needs root and network namespaces (\(NetworkLab.unavailableReason ?? ""))"))
struct VRRPNamespaceTests {
    static let vip = "192.0.2.100"

    struct Instance {
        var state = "BACKUP"
        var priority = 100
        var version = 2
        var advertInterval = "1"
        var unicast: (source: String, peer: String)?
        var nopreempt = false
        var vip = VRRPNamespaceTests.vip

        var text: String {
            var lines = [
                "vrrp_instance VI_1 {", "    state \(state)", "    interface eth0", "    virtual_router_id 51",
                "    priority \(priority)", "    advert_int \(advertInterval)", "    version \(version)",
            ]
            if version == 2 { lines += ["    authentication {", "        auth_type PASS", "        auth_pass secret", "    }"] }
            lines += ["    virtual_ipaddress {", "        \(vip)", "    }"]
            if let unicast {
                lines += ["    unicast_src_ip \(unicast.source)", "    unicast_peer {", "        \(unicast.peer)", "    }"]
            }
            if nopreempt { lines.append("    nopreempt") }
            return (lines + ["}"]).joined(separator: "\n") + "\n"
        }
    }

    /// A lab with nodes a (192.0.2.1), b (.2) and c (.3, the traffic source), and a place for files.
    final class Setup {
        let lab: NetworkLab
        let files: TemporaryDirectory

        init() throws {
            lab = try NetworkLab()
            files = try TemporaryDirectory()
            try lab.addNode("a", addresses: ["192.0.2.1/24"])
            try lab.addNode("b", addresses: ["192.0.2.2/24"])
            try lab.addNode("c", addresses: ["192.0.2.3/24"])
        }

        func vrrpd(_ node: String, _ instance: Instance, run: Int = 0) throws -> DaemonProcess {
            let config = files.file("\(node)-\(run).conf")
            try instance.text.write(to: config, atomically: true, encoding: .utf8)
            return try lab.spawn(node, DaemonProcess.binary("vrrpd").path,
                                 ["-l", "-D", "-f", config.path, "--runtime-dir", files.file("run-\(node)").path],
                                 logFile: files.file("\(node)-\(run).log"))
        }

        func keepalived(_ node: String, _ instance: Instance) throws -> DaemonProcess {
            let config = files.file("\(node)-keepalived.conf")
            try instance.text.write(to: config, atomically: true, encoding: .utf8)
            return try lab.spawn(node, "/usr/sbin/keepalived",
                                 ["--vrrp", "--dont-fork", "--log-console", "--use-file", config.path,
                                  "--pid", files.file("\(node)-k.pid").path, "--vrrp_pid", files.file("\(node)-kv.pid").path],
                                 logFile: files.file("\(node)-keepalived.log"))
        }

        func owns(_ node: String, _ vip: String = VRRPNamespaceTests.vip) -> Bool {
            let address = vip.split(separator: "/").first.map(String.init) ?? vip
            return lab.exec(node, "ip -o addr show dev eth0").output.contains(" \(address)/")
        }
    }

    @Test func electionHardFailureAndPreemption() throws {
        let setup = try Setup()
        let a = try setup.vrrpd("a", Instance(state: "MASTER", priority: 150))
        let b = try setup.vrrpd("b", Instance(priority: 100))
        #expect(setup.lab.waitUntil(timeout: .seconds(8)) { setup.owns("a") } != nil, "a never became master: \(a.log)")
        #expect(setup.lab.holds(for: .seconds(2)) { setup.owns("a") && !setup.owns("b") }, "\(b.log)")

        // Hard failure: the master dies without a word; the backup waits Master_Down_Interval (3.61 s at 100).
        kill(a.pid, SIGKILL)
        let takeover = setup.lab.waitUntil(timeout: .seconds(6)) { setup.owns("b") }
        #expect(takeover != nil, "b never took over: \(b.log)")
        if let takeover { #expect(takeover < .milliseconds(3610 + 400), "took \(takeover)") }
        // A killed daemon cannot remove its VIP (keepalived's behaviour too); the test cleans up after it.
        try setup.lab.run("ip -n \(setup.lab.namespace("a")) addr del \(Self.vip)/32 dev eth0")

        // The higher priority comes back and preempts.
        let again = try setup.vrrpd("a", Instance(state: "MASTER", priority: 150), run: 1)
        #expect(setup.lab.waitUntil(timeout: .seconds(8)) { setup.owns("a") && !setup.owns("b") } != nil,
                "no preemption: a: \(again.log)\nb: \(b.log)")
        #expect(again.terminate() == 0)
        #expect(b.terminate() == 0)
    }

    @Test(arguments: [(2, "1", 610), (3, "0.1", 61)])
    func gracefulStopIsTakenOverWithinSkewTime(version: Int, advert: String, skewMilliseconds: Int) throws {
        let setup = try Setup()
        let a = try setup.vrrpd("a", Instance(state: "MASTER", priority: 150, version: version, advertInterval: advert))
        let b = try setup.vrrpd("b", Instance(priority: 100, version: version, advertInterval: advert))
        #expect(setup.lab.waitUntil(timeout: .seconds(8)) { setup.owns("a") && b.log.contains("→ BACKUP") } != nil)
        #expect(setup.lab.holds(for: .seconds(1)) { !setup.owns("b") })
        a.signal(SIGTERM)
        let takeover = setup.lab.waitUntil(timeout: .seconds(5), pollEvery: .milliseconds(5)) { setup.owns("b") }
        #expect(takeover != nil, "\(b.log)")
        // RFC 5798 §6.4.2: a backup hearing priority 0 takes over after Skew_Time; 50 ms plus polling slack.
        if let takeover { #expect(takeover < .milliseconds(skewMilliseconds + 50 + 150), "took \(takeover)") }
        // Make before break (HandoverNamespaceTests): a keeps the VIP one advert interval after b's advert, then
        // releases it and exits.
        let lingerMilliseconds = max(Int((Double(advert) ?? 1) * 1000), 100)
        #expect(setup.lab.waitUntil(timeout: .milliseconds(lingerMilliseconds + 600)) { !setup.owns("a") } != nil,
                "a graceful stop releases the VIP: \(a.log)")
        _ = b.terminate()
    }

    @Test func reloadTouchesOnlyChangedInstances() throws {
        let setup = try Setup()
        let config = setup.files.file("reload.conf")
        let first = Instance(state: "MASTER", priority: 150).text
        try first.write(to: config, atomically: true, encoding: .utf8)
        let a = try setup.lab.spawn("a", DaemonProcess.binary("vrrpd").path,
                                    ["-l", "-f", config.path, "--runtime-dir", setup.files.file("run-a").path],
                                    logFile: setup.files.file("reload.log"))
        #expect(setup.lab.waitUntil(timeout: .seconds(8)) { setup.owns("a") } != nil, "\(a.log)")

        // An unrelated change: a second instance. VI_1 keeps its state and its VIP throughout.
        let second = first + Instance(state: "MASTER", priority: 150).text
            .replacingOccurrences(of: "VI_1", with: "VI_2").replacingOccurrences(of: "virtual_router_id 51", with: "virtual_router_id 52")
            .replacingOccurrences(of: Self.vip, with: "192.0.2.101")
        try second.write(to: config, atomically: true, encoding: .utf8)
        a.signal(SIGHUP)
        #expect(setup.lab.holds(for: .seconds(5)) { setup.owns("a") }, "the VIP of an unchanged instance moved")
        #expect(a.log.contains("reloaded"), "\(a.log)")
        #expect(a.log.contains("VI_2 started"))
        #expect(!a.log.contains("VI_1 stopped"), "\(a.log)")

        // A change to VI_1 itself restarts it, and only it.
        try second.replacingOccurrences(of: "priority 150\n    advert_int 1\n    version 2\n    authentication {\n        auth_type PASS\n        auth_pass secret\n    }\n    virtual_ipaddress {\n        \(Self.vip)",
                                        with: "priority 160\n    advert_int 1\n    version 2\n    authentication {\n        auth_type PASS\n        auth_pass secret\n    }\n    virtual_ipaddress {\n        \(Self.vip)")
            .write(to: config, atomically: true, encoding: .utf8)
        a.signal(SIGHUP)
        #expect(a.waitForLog("VI_1 stopped: its configuration changed"), "\(a.log)")
        #expect(!a.log.contains("VI_2 stopped"))
        #expect(setup.lab.waitUntil(timeout: .seconds(8)) { setup.owns("a") } != nil)
        #expect(a.terminate() == 0)
    }

    /// Seed 000's NAT pair: the public VIP (eth0) and the real servers' gateway VIP (eth1) are one
    /// vrrp_sync_group, so when the gateway's link fails on the master, both VIPs move to the backup.
    @Test func aSyncGroupMovesItsMembersTogether() throws {
        let setup = try Setup()
        try setup.lab.addInterface("a", "eth1", addresses: ["198.51.100.1/24"])
        try setup.lab.addInterface("b", "eth1", addresses: ["198.51.100.2/24"])
        func config(_ state: String, _ priority: Int) -> String {
            """
            vrrp_sync_group VG_1 {
                group {
                    VI_1
                    LAN_GW
                }
            }
            vrrp_instance VI_1 {
                state \(state)
                interface eth0
                virtual_router_id 51
                priority \(priority)
                advert_int 1
                virtual_ipaddress {
                    \(Self.vip)
                }
            }
            vrrp_instance LAN_GW {
                state \(state)
                interface eth1
                virtual_router_id 52
                priority \(priority)
                advert_int 1
                virtual_ipaddress {
                    198.51.100.129
                }
            }

            """
        }
        var daemons: [String: DaemonProcess] = [:]
        for (node, state, priority) in [("a", "MASTER", 150), ("b", "BACKUP", 100)] {
            let file = setup.files.file("\(node)-sync.conf")
            try config(state, priority).write(to: file, atomically: true, encoding: .utf8)
            daemons[node] = try setup.lab.spawn(node, DaemonProcess.binary("vrrpd").path,
                                                ["-l", "-f", file.path, "--runtime-dir", setup.files.file("run-\(node)").path],
                                                logFile: setup.files.file("\(node)-sync.log"))
        }
        func gateway(_ node: String) -> Bool {
            setup.lab.exec(node, "ip -o -4 addr show dev eth1").output.contains(" 198.51.100.129/")
        }
        let logs = { "a: \(daemons["a"]!.log)\nb: \(daemons["b"]!.log)" }
        #expect(setup.lab.waitUntil(timeout: .seconds(10)) { setup.owns("a") && gateway("a") } != nil, "\(logs())")
        #expect(setup.lab.holds(for: .seconds(2)) { !setup.owns("b") && !gateway("b") })

        // Only the gateway's link fails; the public VIP follows it, because the group moves as one.
        try setup.lab.run("ip -n \(setup.lab.namespace("a")) link set eth1 down")
        #expect(setup.lab.waitUntil(timeout: .seconds(8)) { setup.owns("b") && gateway("b") } != nil, "\(logs())")
        #expect(!setup.owns("a"), "the public VIP stayed on a while its group is in FAULT: \(logs())")
        #expect(daemons["a"]!.log.contains("VI_1: MASTER → FAULT"), "\(logs())")

        try setup.lab.run("ip -n \(setup.lab.namespace("a")) link set eth1 up")
        #expect(setup.lab.waitUntil(timeout: .seconds(10)) { setup.owns("a") && gateway("a") && !setup.owns("b") && !gateway("b") } != nil,
                "\(logs())")
        for daemon in daemons.values { _ = daemon.terminate() }
    }

    @Test func nopreemptKeepsTheCurrentMaster() throws {
        let setup = try Setup()
        let b = try setup.vrrpd("b", Instance(priority: 100, nopreempt: true))
        #expect(setup.lab.waitUntil(timeout: .seconds(8)) { setup.owns("b") } != nil, "\(b.log)")
        let a = try setup.vrrpd("a", Instance(priority: 150, nopreempt: true))
        #expect(setup.lab.holds(for: .seconds(5)) { setup.owns("b") && !setup.owns("a") }, "a preempted: \(a.log)")
        _ = a.terminate()
        _ = b.terminate()
    }

    enum Peer: String, CaseIterable { case oursMaster, keepalivedMaster }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/keepalived"), "needs Debian's keepalived"),
          arguments: [("multicast v2", false, 2), ("unicast v2", true, 2), ("multicast v3", false, 3)], Peer.allCases)
    func interoperatesWithKeepalived(_ mode: (name: String, unicast: Bool, version: Int), _ roles: Peer) throws {
        let setup = try Setup()
        var master = Instance(state: "MASTER", priority: 150, version: mode.version)
        var backup = Instance(priority: 100, version: mode.version)
        if mode.unicast {
            master.unicast = ("192.0.2.1", "192.0.2.2")
            backup.unicast = ("192.0.2.2", "192.0.2.1")
        }
        try Self.interoperate(setup, master: master, backup: backup, roles: roles, label: mode.name)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/keepalived"), "needs Debian's keepalived"),
          arguments: Peer.allCases)
    func interoperatesWithKeepalivedOverIPv6(_ roles: Peer) throws {
        let setup = try Setup()
        // Link-local addresses must finish duplicate address detection before adverts can leave from them.
        Thread.sleep(forTimeInterval: 2.5)
        let vip = "2001:db8::100/64"
        let master = Instance(state: "MASTER", priority: 150, version: 3, advertInterval: "0.5", vip: vip)
        let backup = Instance(priority: 100, version: 3, advertInterval: "0.5", vip: vip)
        try Self.interoperate(setup, master: master, backup: backup, roles: roles, label: "IPv6 v3")
    }

    /// Master on node a, backup on node b, one of them keepalived: election, link down → takeover within
    /// Master_Down_Interval, link up → preemption, graceful stop → takeover within Skew_Time.
    static func interoperate(_ setup: Setup, master: Instance, backup: Instance, roles: Peer, label: String) throws {
        let vip = master.vip
        let advert = Double(master.advertInterval) ?? 1
        let skew = (256.0 - 100) / 256 * advert
        let downInterval = 3 * advert + skew
        let first = roles == .oursMaster ? try setup.vrrpd("a", master) : try setup.keepalived("a", master)
        let second = roles == .oursMaster ? try setup.keepalived("b", backup) : try setup.vrrpd("b", backup)
        let context = "\(label), \(roles):\na: \(first.log)\nb: \(second.log)"
        #expect(setup.lab.waitUntil(timeout: .seconds(10)) { setup.owns("a", vip) } != nil, "no master: \(context)")
        #expect(setup.lab.holds(for: .seconds(3)) { setup.owns("a", vip) && !setup.owns("b", vip) }, "split brain: \(context)")

        // The master's link goes down: the other owns the VIP within Master_Down_Interval.
        try setup.lab.run("ip -n \(setup.lab.namespace("a")) link set eth0 down")
        let takeover = setup.lab.waitUntil(timeout: .seconds(6)) { setup.owns("b", vip) }
        #expect(takeover != nil, "no takeover after link down: \(context)")
        if let takeover { #expect(takeover < .milliseconds(Int(downInterval * 1000) + 400), "took \(takeover)") }

        // The link comes back: the higher priority preempts.
        try setup.lab.run("ip -n \(setup.lab.namespace("a")) link set eth0 up")
        #expect(setup.lab.waitUntil(timeout: .seconds(10)) { setup.owns("a", vip) && !setup.owns("b", vip) } != nil,
                "no preemption after link up: \(context)")

        // Graceful stop of the master: takeover within Skew_Time.
        first.signal(SIGTERM)
        let graceful = setup.lab.waitUntil(timeout: .seconds(5), pollEvery: .milliseconds(5)) { setup.owns("b", vip) }
        #expect(graceful != nil, "no takeover after graceful stop: \(context)")
        if let graceful { #expect(graceful < .milliseconds(Int(skew * 1000) + 50 + 250), "took \(graceful)") }
        _ = second.terminate()
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tshark"), "needs tshark"))
    func tsharkDissectsOurAdvertsAsValid() throws {
        let setup = try Setup()
        _ = try setup.vrrpd("a", Instance(state: "MASTER", priority: 150, version: 3, advertInterval: "0.2"))
        #expect(setup.lab.waitUntil(timeout: .seconds(8)) { setup.owns("a") } != nil)
        let capture = setup.files.file("vrrp.pcap").path
        let captured = setup.lab.exec("b", "tshark -q -i eth0 -f 'ip proto 112' -a duration:2 -w \(capture)")
        #expect(captured.status == 0, "\(captured.output)")
        let dissected = NetworkLab.sh("tshark -r \(capture) -V -o vrrp.v3_checksum_as_in_v2:FALSE 2>&1 || tshark -r \(capture) -V")
        #expect(dissected.output.contains("Virtual Router Redundancy Protocol"), "\(dissected.output.prefix(2000))")
        #expect(dissected.output.contains("Virtual Rtr ID: 51"))
        #expect(!dissected.output.contains("Malformed"), "\(dissected.output.prefix(3000))")
        #expect(!dissected.output.localizedCaseInsensitiveContains("incorrect"), "\(dissected.output.prefix(3000))")
        let packets = NetworkLab.sh("tshark -r \(capture) 2>/dev/null | wc -l").output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect((Int(packets) ?? 0) >= 5, "\(packets) adverts in 2 s at 0.2 s")
    }

    @Test func hostileTrafficIsDroppedAndCountedWithoutAnyStateChange() throws {
        let setup = try Setup()
        let a = try setup.vrrpd("a", Instance(state: "MASTER", priority: 150))
        let b = try setup.vrrpd("b", Instance(priority: 100))
        #expect(setup.lab.waitUntil(timeout: .seconds(8)) { setup.owns("a") && b.log.contains("→ BACKUP") } != nil)
        let script = setup.files.file("hostile.py")
        try Self.hostileSender.write(to: script, atomically: true, encoding: .utf8)
        try setup.lab.run("ip -n \(setup.lab.namespace("c")) route add 224.0.0.0/4 dev eth0")
        let sent = setup.lab.exec("c", "python3 \(script.path) 192.0.2.1 192.0.2.2 224.0.0.18")
        #expect(sent.status == 0, "\(sent.output)")
        Thread.sleep(forTimeInterval: 1)
        for daemon in [a, b] {
            #expect(daemon.process.isRunning)
            daemon.signal(SIGUSR2)
        }
        #expect(a.waitForLog("statistics:"), "\(a.log)")
        #expect(b.waitForLog("statistics:"))
        for reason in ["badTTL", "badChecksum", "unsupportedVersion", "addressCountPastEnd", "vrrpHeaderTruncated"] {
            #expect(b.log.contains(reason), "b counted no \(reason): \(b.log.suffix(1500))")
        }
        #expect(setup.owns("a") && !setup.owns("b"), "hostile traffic moved the VIP")
        #expect(!b.log.contains("BACKUP → MASTER") && !a.log.contains("MASTER → BACKUP"))
        _ = a.terminate()
        _ = b.terminate()
    }

    /// Sends malformed VRRP from node c to both nodes and the group: short packets, a wrong checksum, TTL 64,
    /// a wrong version, an address count past the end, an advert with a higher priority but TTL 64, random bytes.
    static let hostileSender = #"""
    import os, socket, struct, sys
    def checksum(data):
        if len(data) % 2: data += b"\0"
        s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
        s = (s >> 16) + (s & 0xffff); s += s >> 16
        return (~s) & 0xffff
    def advert(version=2, vrid=51, prio=200, count=1, addrs=b"\xc0\x00\x02\x64", bad_sum=False):
        body = struct.pack("!BBBBBBH", (version << 4) | 1, vrid, prio, count, 1, 1, 0) + addrs + b"secret\0\0"
        c = checksum(body) ^ (0x1234 if bad_sum else 0)
        return body[:6] + struct.pack("!H", c) + body[8:]
    def ip(payload, dst, ttl=255):
        src = socket.inet_aton("192.0.2.3")
        return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0, ttl, 112, 0, src, socket.inet_aton(dst)) + payload
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.SOL_IP, socket.IP_HDRINCL, 1)
    for dst in sys.argv[1:]:
        cases = [advert()[:6], advert(bad_sum=True), advert(version=7), advert(count=20), os.urandom(40), os.urandom(3)]
        for payload in cases:
            for _ in range(3):
                s.sendto(ip(payload, dst), (dst, 0))
        for _ in range(3):
            s.sendto(ip(advert(), dst, ttl=64), (dst, 0))
    """#
}
