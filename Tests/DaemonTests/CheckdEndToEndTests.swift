import Foundation
import Glibc
import Logging
import Platform
import Testing
import Wire
import Vocabulary
@testable import Health
import TestSupport

/// A fake ipvsd or vrrpd: a MessageListener in the test that records what checkd sends.
private final class FakePeer {
    let listener: MessageListener

    init(path: String, loop: EventLoop, allowedUIDs: Set<uid_t>) throws {
        let box = MessageBox()
        listener = try MessageListener(path: path, allowedUIDs: allowedUIDs, loop: loop,
                                       logger: Logger(label: "test.peer"), socketMode: 0o666,
                                       onMessage: { _, message in box.messages.append(message) })
        self.box = box
    }

    private let box: MessageBox
    var received: [WireMessage] { box.messages }
    func close() { listener.close() }
}

private final class MessageBox { var messages: [WireMessage] = [] }

/// A script that appends its arguments to `OUT/name`, in a directory checkd can write to whoever it runs as.
private func recordingScript(in directory: TemporaryDirectory, recordingTo name: String) throws
    -> (script: String, output: String) {
    let output = directory.path("out")
    try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
    chmod(output, 0o777)
    let script = try directory.write("record.sh", "#!/bin/sh\necho \"$*\" >> \(output)/\(name)\n", mode: 0o755)
    return (script, output + "/" + name)
}

/// Who checkd runs as: nobody through setpriv when we are root, else ourselves.
private var unprivilegedPrefix: [String]? {
    guard getuid() == 0 else { return nil }
    return ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
}

@Suite(.serialized) struct CheckdEndToEndTests {
    @Test func checkdSendsChangesSnapshotsAndRunsNotifyScripts() throws {
        if unprivilegedPrefix == nil {
            print("CheckdEndToEndTests: not root, so checkd runs as this user; the CapEff/non-root part is skipped")
        }
        let directory = try TemporaryDirectory()
        let runtime = directory.path("run")
        let (record, notifyFile) = try recordingScript(in: directory, recordingTo: "notify")

        var tcpBackend = try TCPListener()
        let httpBackend = try PythonBackend(.normal, in: directory)
        let config = try directory.write("keepalived.conf", """
        vrrp_script chk {
            script "/bin/true"
            interval 0.2
        }
        vrrp_instance VI_1 {
            interface lo
            virtual_router_id 51
            priority 100
            virtual_ipaddress { 192.0.2.10 }
            track_script { chk }
            notify "\(record) vrrp"
        }
        virtual_server 192.0.2.1 80 {
            protocol TCP
            delay_loop 0.2
            real_server 127.0.0.1 \(tcpBackend.port) {
                notify_down "\(record) rs-down"
                notify_up "\(record) rs-up"
                TCP_CHECK { connect_timeout 0.5
                    retry 1
                    delay_before_retry 0.2
                    warmup 0 }
            }
            real_server 127.0.0.1 \(httpBackend.port) {
                HTTP_GET { url { path /status/500 }
                    retry 0
                    warmup 0 }
            }
        }
        """)
        let tcpID = rsID("192.0.2.1", 80, "127.0.0.1", tcpBackend.port)
        let httpID = rsID("192.0.2.1", 80, "127.0.0.1", httpBackend.port)

        let loop = try EventLoop()
        let allowed: Set<uid_t> = [0, 65534, getuid()]
        var ipvsd = try FakePeer(path: runtime + "/ipvsd.sock", loop: loop, allowedUIDs: allowed)
        let vrrpd = try FakePeer(path: runtime + "/vrrpd.sock", loop: loop, allowedUIDs: allowed)
        let checkd = try DaemonProcess(prefix: unprivilegedPrefix ?? [], "checkd",
                                      ["-l", "-D", "-f", config, "--runtime-dir", runtime],
                                      logFile: directory.file("checkd.log"))

        // First: hello and a snapshot, then the first verdicts as changes.
        let upMessage = WireMessage.realServerHealth(RealServerHealth(id: tcpID, up: true, weight: 1))
        let httpDown = WireMessage.realServerHealth(RealServerHealth(id: httpID, up: false, weight: 1))
        let gotVerdicts = try runLoop(loop, timeout: .seconds(15)) {
            ipvsd.received.contains(upMessage) && ipvsd.received.contains(httpDown)
                && vrrpd.received.contains(.trackScript(name: "chk", ok: true))
        }
        #expect(gotVerdicts, "ipvsd got \(ipvsd.received), vrrpd got \(vrrpd.received)\n\(checkd.log)")
        #expect(ipvsd.received.first == .hello(role: .checkd, pid: checkd.pid))
        #expect(ipvsd.received.dropFirst().first == .snapshotBegin)
        #expect(vrrpd.received.dropFirst().first == .snapshotBegin)
        if unprivilegedPrefix != nil {
            #expect(checkd.status("CapEff") == "0000000000000000")
            #expect(checkd.status("Uid")?.hasPrefix("65534") == true)
        }

        // Steady state: no repeats.
        let settled = ipvsd.received.count
        try runLoop(loop, timeout: .milliseconds(800)) { false }
        #expect(ipvsd.received.count == settled, "only changes are sent: \(ipvsd.received.suffix(3))")

        // vrrpd reports a state change: notify runs with keepalived's arguments.
        vrrpd.listener.broadcast(.hello(role: .vrrpd, pid: 1))
        vrrpd.listener.broadcast(.instanceState(name: "VI_1", state: .master, priority: 100))
        func notified(_ line: String) -> Bool {
            ((try? String(contentsOfFile: notifyFile, encoding: .utf8)) ?? "").contains(line)
        }
        #expect(try runLoop(loop, timeout: .seconds(5)) { notified("vrrp INSTANCE VI_1 MASTER 100") })

        // The TCP backend stops: down within the bound, notify_down runs.
        tcpBackend.stop()
        let downMessage = WireMessage.realServerHealth(RealServerHealth(id: tcpID, up: false, weight: 1))
        #expect(try runLoop(loop, timeout: .seconds(3)) { ipvsd.received.contains(downMessage) })
        #expect(try runLoop(loop, timeout: .seconds(5)) { notified("rs-down") })

        // ipvsd restarts: checkd reconnects and sends its current view once.
        ipvsd.close()
        ipvsd = try FakePeer(path: runtime + "/ipvsd.sock", loop: loop, allowedUIDs: allowed)
        let resent = try runLoop(loop, timeout: .seconds(10)) { ipvsd.received.contains(.snapshotEnd) }
        #expect(resent)
        #expect(Array(ipvsd.received.prefix(2)) == [.hello(role: .checkd, pid: checkd.pid), .snapshotBegin])
        let view = Set(ipvsd.received.dropFirst(2).prefix { $0 != .snapshotEnd })
        #expect(view == [downMessage, httpDown])

        // The backend returns: up, notify_up.
        tcpBackend = try TCPListener(port: tcpBackend.port)
        #expect(try runLoop(loop, timeout: .seconds(3)) { ipvsd.received.contains(upMessage) })
        #expect(try runLoop(loop, timeout: .seconds(5)) { notified("rs-up") })

        // SIGHUP with the same file: nothing moves.
        let beforeReload = ipvsd.received.count
        kill(checkd.pid, SIGHUP)
        try runLoop(loop, timeout: .milliseconds(800)) { false }
        #expect(checkd.log.contains("reloaded"))
        #expect(ipvsd.received.count == beforeReload)

        #expect(checkd.terminate() == 0, "\(checkd.log)")
        tcpBackend.stop()
        vrrpd.close()
        ipvsd.close()
    }

    /// ipvsd decides quorum; checkd runs quorum_up/quorum_down on a change, never for a state first learned in
    /// ipvsd's snapshot, and again for a change that happened while it was disconnected.
    @Test func quorumReportsFromIPVSDRunQuorumScripts() throws {
        let directory = try TemporaryDirectory()
        let runtime = directory.path("run")
        let (record, quorumFile) = try recordingScript(in: directory, recordingTo: "quorum")
        let backend = try TCPListener()
        let config = try directory.write("keepalived.conf", """
        virtual_server 192.0.2.1 80 {
            protocol TCP
            delay_loop 0.2
            quorum_up "\(record) up"
            quorum_down "\(record) down"
            real_server 127.0.0.1 \(backend.port) {
                TCP_CHECK { connect_timeout 0.5
                    warmup 0 }
            }
        }
        """)
        let loop = try EventLoop()
        let allowed: Set<uid_t> = [0, 65534, getuid()]
        var ipvsd = try FakePeer(path: runtime + "/ipvsd.sock", loop: loop, allowedUIDs: allowed)
        let checkd = try DaemonProcess(prefix: unprivilegedPrefix ?? [], "checkd",
                                      ["-l", "-D", "-f", config, "--runtime-dir", runtime],
                                      logFile: directory.file("checkd.log"))
        let pool = "TCP 192.0.2.1:80"
        func lines() -> [String] {
            ((try? String(contentsOfFile: quorumFile, encoding: .utf8)) ?? "")
                .split(separator: "\n").map(String.init)
        }
        func snapshot(_ up: Bool) {
            for message: WireMessage in [.hello(role: .ipvsd, pid: 1), .snapshotBegin,
                                         .quorum(virtualServer: pool, up: up), .snapshotEnd] {
                ipvsd.listener.broadcast(message)
            }
        }
        #expect(try runLoop(loop, timeout: .seconds(10)) { ipvsd.received.contains(.snapshotEnd) }, "\(checkd.log)")

        // The baseline, in ipvsd's snapshot: nothing runs.
        snapshot(true)
        try runLoop(loop, timeout: .milliseconds(600)) { false }
        #expect(lines().isEmpty)

        // Lost, repeated, gained: one script per change.
        ipvsd.listener.broadcast(.quorum(virtualServer: pool, up: false))
        #expect(try runLoop(loop, timeout: .seconds(5)) { lines() == ["down"] }, "\(lines())\n\(checkd.log)")
        ipvsd.listener.broadcast(.quorum(virtualServer: pool, up: false))
        ipvsd.listener.broadcast(.quorum(virtualServer: "TCP 192.0.2.99:80", up: false))
        try runLoop(loop, timeout: .milliseconds(500)) { false }
        #expect(lines() == ["down"])
        ipvsd.listener.broadcast(.quorum(virtualServer: pool, up: true))
        #expect(try runLoop(loop, timeout: .seconds(5)) { lines() == ["down", "up"] }, "\(lines())")

        // ipvsd restarts and the quorum was lost meanwhile: its snapshot differs from what checkd knew.
        ipvsd.close()
        ipvsd = try FakePeer(path: runtime + "/ipvsd.sock", loop: loop, allowedUIDs: allowed)
        #expect(try runLoop(loop, timeout: .seconds(10)) { ipvsd.received.contains(.snapshotEnd) })
        snapshot(false)
        #expect(try runLoop(loop, timeout: .seconds(5)) { lines() == ["down", "up", "down"] }, "\(lines())")

        #expect(checkd.terminate() == 0, "\(checkd.log)")
        backend.stop()
        ipvsd.close()
    }
}
