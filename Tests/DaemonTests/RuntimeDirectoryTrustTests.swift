// Issue 19, finding 6: whoever may write to the runtime directory may bind a daemon's socket name first. Each
// daemon refuses a directory others may write (beyond the design's 1770 root:tandem), removes a listener of an
// untrusted uid found at its own name, and every client (checkd, vrrpd towards ipvsd, tandemctl) checks its
// server's uid and sends an impostor nothing.
import Foundation
import Glibc
@testable import Platform
import Testing
import TestSupport

@Suite(.serialized) struct RuntimeDirectoryTrustTests {
    @Test func theDirectoryRuleIsTheDesignsAndNoLooser() {
        let directory = S_IFDIR
        #expect(RuntimeDirectory.problem(mode: directory | 0o1770, owner: 0, trustedOwners: [0]) == nil, "tmpfiles.d's /run/tandem")
        #expect(RuntimeDirectory.problem(mode: directory | 0o755, owner: 1000, trustedOwners: [0, 1000]) == nil)
        #expect(RuntimeDirectory.problem(mode: directory | 0o777, owner: 0, trustedOwners: [0])?.contains("writable by every user (mode 777)") == true)
        #expect(RuntimeDirectory.problem(mode: directory | 0o1777, owner: 0, trustedOwners: [0])?.contains("writable by every user") == true,
                "sticky is not enough when everybody may create names")
        #expect(RuntimeDirectory.problem(mode: directory | 0o770, owner: 0, trustedOwners: [0])?.contains("without the sticky bit") == true)
        #expect(RuntimeDirectory.problem(mode: directory | 0o755, owner: 1001, trustedOwners: [0, 1000])?.contains("owned by uid 1001") == true)
        #expect(RuntimeDirectory.problem(mode: S_IFLNK | 0o777, owner: 0, trustedOwners: [0]) == "is a symbolic link")
        #expect(RuntimeDirectory.problem(mode: S_IFREG | 0o644, owner: 0, trustedOwners: [0]) == "is not a directory")
    }

    @Test func aDaemonRefusesARuntimeDirectoryEveryoneMayWrite() throws {
        let files = try TemporaryDirectory()
        let runtime = files.path("run")
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: false)
        #expect(chmod(runtime, 0o777) == 0)
        let config = try Inputs.offline("Configs/dr/lb01.conf", in: files)
        for daemon in ["vrrpd", "checkd"] {
            let result = try DaemonProcess.run(daemon, ["-l", "-f", config, "--runtime-dir", runtime])
            #expect(result.status == 1, "\(daemon): \(result.output)")
            #expect(result.output.contains("\(runtime) is writable by every user (mode 777); its sockets could be bound by another user first"),
                    "\(daemon): \(result.output)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: runtime).isEmpty, "nothing was bound there")
    }

    /// checkd, unprivileged, started before anyone made the runtime directory: not fatal (it binds nothing there
    /// but its control socket, and checks every server's uid), said once.
    @Test(.enabled(if: getuid() == 0, "needs root to run checkd as another user"))
    func checkdStartsWhenItCannotMakeTheRuntimeDirectory() throws {
        let files = try TemporaryDirectory()
        let config = try Inputs.offline("Configs/dr/lb01.conf", in: files)
        let checkd = try DaemonProcess(prefix: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"],
                                       "checkd", ["-l", "-f", config, "--runtime-dir", files.path("run")],
                                       logFile: files.file("checkd.log"))
        defer { _ = checkd.terminate() }
        #expect(checkd.waitForLog("started:"), "\(checkd.log)")
        #expect(checkd.log.contains("cannot make \(files.path("run"))"), "\(checkd.log)")
    }

    static let impostorTools = FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    /// An unprivileged user (nobody, in the directory's group as checkd is in tandem's) binds vrrpd.sock and
    /// ipvsd.sock before the daemons start. vrrpd removes the impostor at its name and starts; checkd, finding
    /// an impostor at ipvsd.sock, sends it nothing.
    @Test(.enabled(if: getuid() == 0 && impostorTools, "needs root (to be another user) and setpriv and python3"))
    func anImpostorAtADaemonsNameIsRemovedOrIgnored() throws {
        let files = try TemporaryDirectory()
        let runtime = files.path("run")
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: false)
        #expect(chown(runtime, 0, 65534) == 0 && chmod(runtime, 0o1770) == 0, "as tmpfiles.d makes /run/tandem")
        let script = try files.write("impostor.py", Self.impostor)
        var impostors: [Process] = []
        defer { for impostor in impostors where impostor.isRunning { kill(impostor.processIdentifier, SIGKILL) } }
        for name in ["vrrpd", "ipvsd"] {
            let impostor = Process()
            impostor.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            impostor.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", script,
                                  "\(runtime)/\(name).sock", "\(runtime)/\(name).seen", "20"]
            try impostor.run()
            impostors.append(impostor)
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline, !["vrrpd", "ipvsd"].allSatisfy({ FileManager.default.fileExists(atPath: "\(runtime)/\($0).seen") }) {
            Thread.sleep(forTimeInterval: 0.05)
        }

        // A plain file of nobody's at vrrpd's control socket name would keep the name from being bound.
        let planted = "\(runtime)/vrrpd.control"
        #expect(FileManager.default.createFile(atPath: planted, contents: Data("x".utf8)) && chown(planted, 65534, 65534) == 0)
        let config = try Inputs.offline("Configs/dr/lb01.conf", in: files)
        let vrrpd = try DaemonProcess("vrrpd", ["-l", "-f", config, "--runtime-dir", runtime], logFile: files.file("vrrpd.log"))
        defer { _ = vrrpd.terminate() }
        #expect(vrrpd.waitForLog("started:"), "\(vrrpd.log)")
        #expect(vrrpd.log.contains("removed what uid 65534 had put at this daemon's control socket path"), "\(vrrpd.log)")
        #expect(vrrpd.log.contains("removed what uid 65534 had put at this daemon's socket path"), "\(vrrpd.log)")

        let checkd = try DaemonProcess("checkd", ["-l", "-f", config, "--user", "root", "--runtime-dir", runtime],
                                       logFile: files.file("checkd.log"))
        defer { _ = checkd.terminate() }
        #expect(checkd.waitForLog("refused listener running as an unexpected uid"), "\(checkd.log)")
        #expect(vrrpd.waitForLog("checkd connected"), "checkd still reaches the real vrrpd: \(vrrpd.log)")
        Thread.sleep(forTimeInterval: 1)
        let seen = try String(contentsOfFile: "\(runtime)/ipvsd.seen", encoding: .utf8).split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(seen.count == 2 && seen[0] >= 1, "checkd connected to the impostor (and then left): \(seen)")
        #expect(seen.count == 2 && seen[1] == 0, "and sent it nothing: \(seen)")
        #expect(checkd.log.components(separatedBy: "refused listener").count == 2, "said once per series, not on every retry")
    }

    /// Listens at argv[1] for argv[3] seconds, accepting every connection and reading what it is sent; keeps
    /// "connections bytes" in argv[2].
    static let impostor = """
        import os, socket, sys, time
        path, seen, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        listener.bind(path)
        os.chmod(path, 0o777)
        listener.listen(8)
        listener.settimeout(0.1)
        connections = received = 0
        end = time.time() + seconds
        while time.time() < end:
            try:
                peer, _ = listener.accept()
                connections += 1
                peer.settimeout(0.3)
                try:
                    while True:
                        data = peer.recv(65536)
                        if not data:
                            break
                        received += len(data)
                except OSError:
                    pass
            except OSError:
                pass
            with open(seen, "w") as out:
                out.write(f"{connections} {received}\\n")

        """
}
