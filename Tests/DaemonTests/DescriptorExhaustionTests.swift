// Issue 19, finding 5: out of descriptors, a listening socket with a connection pending stays readable, and the
// loop used to spin on it at 100% of a core, logging "accept failed" ~160,000 times a second. Now the pending
// connection is taken with a reserve descriptor and closed, connections beyond a bound are closed at once, and
// one line per interval says how many.
import Foundation
import Glibc
import Testing
import TestSupport

@Suite(.serialized) struct DescriptorExhaustionTests {
    /// Ticks of CPU (user + system) the process has used, from /proc/PID/stat.
    static func cpuTicks(_ pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command: state is field 3 of stat(5), utime 14 and stime 15.
        guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }

    static func connect(to path: String) -> Int32? {
        let socket = Glibc.socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else { return nil }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if result != 0 {
            Glibc.close(socket)
            return nil
        }
        return socket
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit"), "needs prlimit (util-linux)"))
    func aDaemonOutOfDescriptorsDoesNotSpinOrFlood() throws {
        let files = try TemporaryDirectory()
        let runtime = files.path("run")
        let config = try Inputs.offline("Configs/dr/lb01.conf", in: files)
        let vrrpd = try DaemonProcess(path: "/usr/bin/prlimit",
                                      ["--nofile=40:40", DaemonProcess.binary("vrrpd").path, "-l", "-f", config,
                                       "--runtime-dir", runtime], logFile: files.file("vrrpd.log"))
        defer { _ = vrrpd.terminate() }
        #expect(vrrpd.waitForLog("started:"), "\(vrrpd.log)")
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(vrrpd.pid)/fd").count) ?? 0
        var clients: [Int32] = []
        defer { for client in clients { Glibc.close(client) } }
        // More than the 40 descriptors it may have: the kernel completes each connect, vrrpd runs out.
        for _ in 0..<80 {
            if let client = Self.connect(to: runtime + "/vrrpd.sock") { clients.append(client) }
        }
        Thread.sleep(forTimeInterval: 0.5)
        let before = try #require(Self.cpuTicks(vrrpd.pid))
        Thread.sleep(forTimeInterval: 3)
        let after = try #require(Self.cpuTicks(vrrpd.pid))
        let ticksPerSecond = Int(sysconf(Int32(_SC_CLK_TCK)))
        #expect(after - before < ticksPerSecond / 2, "CPU while out of descriptors: \(after - before) ticks in 3 s (\(open) open at start)")
        let log = vrrpd.log
        let shedLines = log.components(separatedBy: "closed a new connection at once").count - 1
            + log.components(separatedBy: "accept failed").count - 1
        #expect(shedLines >= 1 && shedLines <= 3, "one line per interval: \(shedLines)\n\(log.suffix(1500))")
        #expect(vrrpd.process.isRunning)

        for client in clients { Glibc.close(client) }
        clients = []
        Thread.sleep(forTimeInterval: 1)
        let again = Self.connect(to: runtime + "/vrrpd.sock")
        #expect(again != nil, "accepting again once descriptors are free")
        if let again { Glibc.close(again) }
        #expect(vrrpd.terminate() == 0)
    }
}
