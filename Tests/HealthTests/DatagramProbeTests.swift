import Foundation
import Glibc
import KeepalivedConfig
import Platform
import Testing
@testable import Health
import Vocabulary
import TestSupport

/// Runs one attempt of a UDP/DNS/SMTP/PING checker to completion on its own loop, as HealthMonitor would;
/// returns the outcome and how long it took. The probe must leave no socket and no timer behind.
private func attempt(_ mode: NetworkProbe.Mode, address: String = "127.0.0.1", port: UInt16,
                     timeout: Duration = .seconds(1)) throws -> (outcome: CheckOutcome?, elapsed: Duration) {
    let loop = try EventLoop()
    var outcome: CheckOutcome?
    let start = MonotonicInstant.now
    let plan = ProbePlan(target: CheckTarget(address: IPAddress(address)!, port: port), mode: mode, timeout: timeout)
    let probe: Probe = plan.isDatagram
        ? DatagramProbe(loop: loop, plan: plan, buffer: ReceiveBuffer()) { outcome = $0 }
        : NetworkProbe(loop: loop, plan: plan, tlsContexts: TLSContexts(), buffer: ReceiveBuffer()) { outcome = $0 }
    probe.start()
    try runLoop(loop, timeout: timeout * 4 + .seconds(5)) { outcome != nil }
    #expect(loop.watchedCount == 0, "the probe released its socket")
    #expect(loop.pendingTimerCount == 0, "the probe cancelled its timer")
    return (outcome, MonotonicInstant.now - start)
}

private func udp(_ configure: (inout UDPCheckSettings) -> Void = { _ in }) -> NetworkProbe.Mode {
    var settings = UDPCheckSettings()
    configure(&settings)
    return .udp(settings)
}

private func dns(type: UInt16 = DNSCheckSettings.defaultType, name: String = DNSCheckSettings.defaultName) -> NetworkProbe.Mode {
    var settings = DNSCheckSettings()
    settings.type = type
    settings.name = name
    return .dns(settings)
}

/// A UDP server on 127.0.0.1 in this process: `answer` gives the datagrams to send back for each one received
/// (none: silence). Closed by `stop`, after which the port answers ICMP port unreachable.
final class UDPServer: @unchecked Sendable {
    let port: UInt16
    private let fd: Int32
    private let life = ServerThreadLife()

    init(answer: @escaping @Sendable ([UInt8]) -> [[UInt8]]) throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else {
            close(fd)
            throw TestSupportError("cannot bind a UDP socket")
        }
        port = UInt16(bigEndian: address.sin_port)
        let life = self.life
        Thread {
            // The thread owns the descriptor: it closes it when it stops, so no close can race a recvfrom.
            defer { life.ended(closing: fd) }
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                var peer = sockaddr_in()
                var peerLength = socklen_t(MemoryLayout<sockaddr_in>.size)
                let count = buffer.withUnsafeMutableBytes { raw in
                    withUnsafeMutablePointer(to: &peer) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, raw.baseAddress, raw.count, 0, $0, &peerLength) }
                    }
                }
                if life.isStopping || count < 0 { return }
                let request = Array(buffer[..<count])
                for reply in answer(request) {
                    _ = reply.withUnsafeBytes { raw in
                        withUnsafePointer(to: &peer) {
                            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, raw.baseAddress, raw.count, 0, $0, peerLength) }
                        }
                    }
                }
            }
        }.start()
    }

    /// Wakes the thread (shutdown makes recvfrom return) and waits until it has closed the socket.
    func stop() { life.stop { shutdown(fd, Int32(SHUT_RDWR)) } }

    deinit { stop() }
}

/// The end of a test server's thread: `stop` asks once and waits; the thread closes its descriptor and says so.
final class ServerThreadLife: @unchecked Sendable {
    private let lock = NSLock()
    private var stopping = false
    private var stopRequested = false
    private let done = DispatchSemaphore(value: 0)

    var isStopping: Bool { lock.lock(); defer { lock.unlock() }; return stopping }

    /// Called once by the thread as it ends.
    func ended(closing fd: Int32) {
        close(fd)
        done.signal()
    }

    /// Marks the server stopping, runs `wake` (which must make the thread's blocking call return) and, when
    /// `waiting`, waits until the thread has closed its descriptor; later calls do nothing.
    func stop(waiting: Bool = true, _ wake: () -> Void) {
        lock.lock()
        let first = !stopRequested
        stopRequested = true
        stopping = true
        lock.unlock()
        guard first else { return }
        wake()
        if waiting { done.wait() }
    }
}

@Suite(.serialized) struct UDPProbeTests {
    @Test func anEchoServerIsUp() throws {
        let server = try UDPServer { [$0] }
        #expect(try attempt(udp(), port: server.port).outcome == .success)
        #expect(try attempt(udp { $0.reply.requireReply = true }, port: server.port).outcome == .success)
        // The payload goes out as written; the echo matches a require_reply with a wildcard.
        let matching = udp {
            $0.payload = [0xca, 0xfe, 0x01]
            $0.reply.requireReply = true
            $0.reply.data = [0xca, 0xfe, 0x00]
            $0.reply.mask = [0, 0, 0xff]
        }
        #expect(try attempt(matching, port: server.port).outcome == .success)
    }

    @Test func portUnreachableIsDownAtOnce() throws {
        let server = try UDPServer { _ in [] }
        let port = server.port
        server.stop()
        let result = try attempt(udp(), port: port, timeout: .seconds(3))
        #expect(result.outcome?.passed == false, "ICMP port unreachable is down, as in keepalived")
        #expect(result.outcome?.failureReason?.contains("unreachable") == true, "\(String(describing: result.outcome))")
        #expect(result.elapsed < .seconds(2), "the ICMP error decides, not the timeout: \(result.elapsed)")
    }

    @Test func silenceIsUpUnlessAReplyIsRequired() throws {
        let server = try UDPServer { _ in [] }
        let silent = try attempt(udp(), port: server.port, timeout: .milliseconds(300))
        #expect(silent.outcome == .success, "keepalived: no answer within connect_timeout is up without require_reply")
        #expect(silent.elapsed >= .milliseconds(300))
        let required = try attempt(udp { $0.reply.requireReply = true }, port: server.port, timeout: .milliseconds(300))
        #expect(required.outcome?.passed == false)
    }

    @Test func hostileRepliesAreJudgedNotTrusted() throws {
        // Garbage where a reply is required with data: down. A 65,000-octet reply where at most 255 are
        // allowed: down, and only max_reply_length + 1 octets are looked at.
        let garbage = try UDPServer { _ in [Array("garbage".utf8)] }
        let wanted = udp {
            $0.reply.requireReply = true
            $0.reply.data = [0x01, 0x02]
        }
        #expect(try attempt(wanted, port: garbage.port).outcome?.passed == false)
        let huge = try UDPServer { _ in [[UInt8](repeating: 0x01, count: 65000)] }
        #expect(try attempt(wanted, port: huge.port).outcome?.passed == false)
        let loose = udp {
            $0.reply.requireReply = true
            $0.reply.data = [0x01]
            $0.reply.maximumLength = 65535
        }
        #expect(try attempt(loose, port: huge.port).outcome == .success)
        // A flood of replies: the first decides (keepalived compares the shorter of the reply and the data, so
        // one octet 01 matches 01 02), the rest are not read.
        let flood = try UDPServer { _ in Array(repeating: [0x01], count: 500) }
        #expect(try attempt(wanted, port: flood.port).outcome == .success)
    }
}

@Suite(.serialized) struct DNSProbeTests {
    /// Debian's dnsmasq on 127.0.0.1, authoritative for example.test only; it refuses every other name.
    private final class Dnsmasq {
        let process: DaemonProcess
        let port: UInt16
        let directory: TemporaryDirectory

        init() throws {
            directory = try TemporaryDirectory()
            let path = ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"].first { FileManager.default.isExecutableFile(atPath: $0) }
            guard let path else { throw TestSupportError("dnsmasq is not installed (scripts/install-deps installs dnsmasq-base)") }
            let probe = try UDPServer { _ in [] }   // a free port, given back just before dnsmasq takes it
            port = probe.port
            probe.stop()
            var arguments = ["--keep-in-foreground", "--log-facility=-", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
                             "--bind-interfaces", "--listen-address=127.0.0.1", "--port=\(port)",
                             "--pid-file=\(directory.path("dnsmasq.pid"))", "--address=/example.test/192.0.2.53"]
            if getuid() == 0 { arguments.append("--user=root") }
            process = try DaemonProcess(path: path, arguments, logFile: directory.file("dnsmasq.log"))
            guard process.waitForLog("started") else { throw TestSupportError("dnsmasq did not start: \(process.log)") }
        }

        deinit { _ = process.terminate() }
    }

    @Test func aNameTheServerKnowsIsUp() throws {
        let server = try Dnsmasq()
        #expect(try attempt(dns(type: 1, name: "www.example.test"), port: server.port).outcome == .success)
    }

    @Test func anErrorAnswerIsDown() throws {
        let server = try Dnsmasq()
        // keepalived's default question, SOA of the root: this dnsmasq has no upstream and refuses it.
        let result = try attempt(dns(), port: server.port)
        #expect(result.outcome?.passed == false)
        #expect(result.outcome?.failureReason?.contains("rcode") == true, "\(String(describing: result.outcome))")
    }

    @Test func answersForOtherQueriesAreIgnoredUntilTheTimeout() throws {
        // Wrong IDs, queries instead of answers, short datagrams: keepalived waits for the right answer.
        let server = try UDPServer { request in
            guard request.count >= 12 else { return [] }
            var wrongID = request
            wrongID[0] ^= 0xff
            wrongID[2] |= 0x80
            return [Array(request.prefix(4)), wrongID, request]   // `request` itself has QR clear: a query
        }
        let result = try attempt(dns(), port: server.port, timeout: .milliseconds(400))
        #expect(result.outcome?.passed == false)
        #expect(result.outcome?.failureReason?.contains("no answer") == true, "\(String(describing: result.outcome))")
        // The right answer after the noise passes.
        let answering = try UDPServer { request in
            guard request.count >= 12 else { return [] }
            var answer = request
            answer[2] |= 0x80
            var wrongID = answer
            wrongID[1] ^= 0x55
            return [wrongID, answer]
        }
        #expect(try attempt(dns(), port: answering.port).outcome == .success)
    }
}

@Suite(.serialized) struct SMTPProbeTests {
    /// Debian's aiosmtpd (python3 -m aiosmtpd) on 127.0.0.1.
    private final class SMTPServer {
        let process: DaemonProcess
        let port: UInt16
        let directory: TemporaryDirectory

        init() throws {
            directory = try TemporaryDirectory()
            let listener = try TCPListener()
            port = listener.port
            listener.stop()
            process = try DaemonProcess(path: "/usr/bin/python3", ["-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)"],
                                        logFile: directory.file("smtpd.log"))
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(10)
            while clock.now < deadline {
                if (try? attempt(.tcp, port: port, timeout: .milliseconds(200)).outcome) == .success { return }
                guard process.process.isRunning else { break }
                Thread.sleep(forTimeInterval: 0.1)
            }
            throw TestSupportError("aiosmtpd did not listen (scripts/install-deps installs python3-aiosmtpd): \(process.log)")
        }

        deinit { _ = process.terminate() }
    }

    /// A TCP server in this process that plays `script` to each connection: lines to send, `nil` to read a line.
    private final class ScriptedTCPServer: @unchecked Sendable {
        let port: UInt16
        private let fd: Int32
        private let life = ServerThreadLife()

        init(_ steps: [String?]) throws {
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let ok = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(listener, $0, length) == 0 && listen(listener, 16) == 0 && getsockname(listener, $0, &length) == 0
                }
            }
            guard ok else {
                close(listener)
                throw TestSupportError("cannot listen")
            }
            fd = listener
            port = UInt16(bigEndian: address.sin_port)
            let life = self.life
            Thread {
                defer { life.ended(closing: listener) }
                while true {
                    let connection = accept(listener, nil, nil)
                    if connection < 0 || life.isStopping {
                        if connection >= 0 { close(connection) }
                        return
                    }
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    for step in steps {
                        if let line = step {
                            _ = Array(line.utf8).withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                        } else {
                            _ = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                        }
                    }
                    Thread.sleep(forTimeInterval: 2)
                    close(connection)
                }
            }.start()
        }

        /// shutdown stops the listening (and makes a waiting accept return); the thread closes the listener once
        /// it is done with a connection it still holds, which the test need not wait for.
        func stop() { life.stop(waiting: false) { shutdown(fd, Int32(SHUT_RDWR)) } }

        deinit { stop() }
    }

    private var smtp: NetworkProbe.Mode { .smtp(SMTPCheckSettings()) }

    @Test func aRealSMTPServerIsUp() throws {
        let server = try SMTPServer()
        #expect(try attempt(smtp, port: server.port).outcome == .success)
    }

    @Test func aRefusingBannerIsDown() throws {
        let server = try ScriptedTCPServer(["554 no service here\r\n"])
        let result = try attempt(smtp, port: server.port)
        #expect(result.outcome?.failureReason?.contains("banner") == true, "\(String(describing: result.outcome))")
    }

    @Test func aRefusedHeloIsDown() throws {
        let server = try ScriptedTCPServer(["220 hello\r\n", nil, "550 go away\r\n"])
        let result = try attempt(smtp, port: server.port)
        #expect(result.outcome?.failureReason?.contains("HELO") == true, "\(String(describing: result.outcome))")
    }

    @Test func theConversationAsKeepalivedHasIt() throws {
        // Whatever answers QUIT passes, as in keepalived; a multi-line banner ("220-") has no status: down.
        let lenient = try ScriptedTCPServer(["220 hi\r\n", nil, "250 ok\r\n", nil, "anything\r\n"])
        #expect(try attempt(smtp, port: lenient.port).outcome == .success)
        let multiline = try ScriptedTCPServer(["220-first\r\n220 second\r\n"])
        #expect(try attempt(smtp, port: multiline.port).outcome?.passed == false)
    }

    @Test func silenceAndEndlessLinesTimeOut() throws {
        let silent = try ScriptedTCPServer([])
        let quiet = try attempt(smtp, port: silent.port, timeout: .milliseconds(300))
        #expect(quiet.outcome?.passed == false)
        #expect(quiet.elapsed < .seconds(2))
        // 100 KB without a newline: read in keepalived's 511-octet pieces, never a whole line, so down at the timeout.
        let endless = try ScriptedTCPServer([String(repeating: "2", count: 100_000)])
        let long = try attempt(smtp, port: endless.port, timeout: .milliseconds(500))
        #expect(long.outcome?.passed == false)
    }
}

/// PING_CHECK through an ICMP datagram socket, in namespaces this test makes: node `lb` (where the probe runs, in
/// a thread that joined lb's network namespace) and node `web` (the target).
@Suite(.serialized) struct PingProbeTests {
    private func lab() throws -> NetworkLab? {
        if let reason = NetworkLab.unavailableReason {
            print("skipped: PING_CHECK needs namespaces: \(reason)")
            return nil
        }
        let lab = try NetworkLab()
        try lab.addNode("lb", addresses: ["192.0.2.11/24"])
        try lab.addNode("web", addresses: ["192.0.2.12/24"])
        try lab.run("ip -n \(lab.namespace("lb")) -6 addr add 2001:db8::11/64 dev eth0 nodad")
        try lab.run("ip -n \(lab.namespace("web")) -6 addr add 2001:db8::12/64 dev eth0 nodad")
        return lab
    }

    @Test func anAnsweringHostIsUpAndASilentOneIsDown() throws {
        guard let lab = try lab() else { return }
        // A namespace starts with ICMP datagram sockets closed to every group ("1 0"); open them to ours.
        try lab.run("ip netns exec \(lab.namespace("lb")) sysctl -qw net.ipv4.ping_group_range='0 2147483647'")
        let lb = lab.namespace("lb")
        #expect(try NetworkLab.onThread(inNamespace: lb) { try attempt(.ping, address: "192.0.2.12", port: 0).outcome } == .success)
        #expect(try NetworkLab.onThread(inNamespace: lb) { try attempt(.ping, address: "2001:db8::12", port: 0).outcome } == .success,
                "ICMPv6 too")
        let silent = try NetworkLab.onThread(inNamespace: lb) { try attempt(.ping, address: "192.0.2.99", port: 0, timeout: .milliseconds(500)) }
        #expect(silent.outcome?.passed == false, "no host answers 192.0.2.99")
    }

    @Test func aClosedGroupRangeSaysWhatToSet() throws {
        guard let lab = try lab() else { return }
        let result = try NetworkLab.onThread(inNamespace: lab.namespace("lb")) { try attempt(.ping, address: "192.0.2.12", port: 0) }
        #expect(result.outcome?.failureReason?.contains("net.ipv4.ping_group_range is '1 0'") == true,
                "\(String(describing: result.outcome))")
    }

    /// What checkd.service runs as root before checkd: the range widened to take in the group, and no further.
    @Test func checkdOpensTheRangeToItsGroupOnly() throws {
        guard let lab = try lab() else { return }
        let checkd = DaemonProcess.binary("checkd").path
        let first = lab.exec("lb", "\(checkd) --allow-ping-group root")
        #expect(first.status == 0, "\(first.output)")
        #expect(first.output.contains("1\t0 -> 0\t0"), "\(first.output)")
        #expect(lab.exec("lb", "cat /proc/sys/net/ipv4/ping_group_range").output == "0\t0\n")
        let again = lab.exec("lb", "\(checkd) --allow-ping-group root")
        #expect(again.output.contains("already takes in group root"), "\(again.output)")
        #expect(lab.exec("lb", "\(checkd) --allow-ping-group no-such-group-here").status == 1)
        #expect(try NetworkLab.onThread(inNamespace: lab.namespace("lb")) { try attempt(.ping, address: "192.0.2.12", port: 0).outcome } == .success)
    }
}

@Suite struct PingGroupRangeTests {
    @Test func widenedJustEnough() {
        #expect(PingGroupRange("1\t0\n") == PingGroupRange(low: 1, high: 0))
        #expect(PingGroupRange("1 0")?.isEmpty == true, "the kernel's default: no group")
        #expect(PingGroupRange("1 0")?.including(998) == PingGroupRange(low: 998, high: 998))
        #expect(PingGroupRange("0 2147483647")?.including(998) == nil, "systemd's wide default already has it")
        #expect(PingGroupRange("100 200")?.including(998) == PingGroupRange(low: 100, high: 998))
        #expect(PingGroupRange("1000 2000")?.including(998) == PingGroupRange(low: 998, high: 2000))
        #expect(PingGroupRange("garbage") == nil)
        #expect(PingGroupRange("1 2 3") == nil)
        #expect(PingGroupRange(low: 998, high: 998).description == "998\t998")
    }
}
