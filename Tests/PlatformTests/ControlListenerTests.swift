import Glibc
import Logging
@testable import Platform
import TestSupport
import Testing

/// The control socket's peer check with real processes: root, a member of the admin group and another user,
/// each a forked child that changes its credentials and connects.
@Suite(.serialized) struct ControlListenerTests {
    /// Stands for tandem-adm: no such group needs to exist, the kernel reports the number.
    static let adminGroup: gid_t = 65010
    static let memberUID: uid_t = 65001
    static let strangerUID: uid_t = 65000

    /// What a child saw: 0 an answer, 1 connect failed, 2 the daemon closed the connection, 3 another failure.
    enum ChildResult: Int32 { case answered = 0, connectFailed = 1, closed = 2, failed = 3 }

    final class Harness {
        let directory: TemporaryDirectory
        let loop: EventLoop
        let log = CapturedLog()
        let listener: ControlListener
        /// What reached `respond`: each admitted request with its peer's access.
        let box: Box
        final class Box { var requests: [(ControlAccess, [UInt8])] = [] }

        init() throws {
            directory = try TemporaryDirectory()
            // The children run as other users: they must reach the socket (its own check is what is tested).
            chmod(directory.path, 0o755)
            loop = try EventLoop()
            let box = Box()
            self.box = box
            listener = try ControlListener(
                path: directory.path("vrrpd.control"), adminGroup: Self.adminGroupValue, loop: loop,
                logger: log.logger(label: "test"), socketMode: 0o666, maxRequestSize: 16
            ) { access, request, oversized in
                box.requests.append((access, Array(request)))
                if let oversized { return Array("error: oversized \(oversized)".utf8) }
                return Array("ok \(access)".utf8)
            }
        }
        static let adminGroupValue: gid_t? = ControlListenerTests.adminGroup

        /// Forks a child that takes `uid`/`gid`/`groups` (unless nil: stays root), sends `request` and reads
        /// the answer, while this process runs the listener's loop.
        func connect(uid: uid_t?, gid: gid_t = 65001, groups: [gid_t] = [], request: [UInt8] = Array("status".utf8)) throws -> ChildResult {
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let path = Array(listener.path.utf8)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: path)
                raw[path.count] = 0
            }
            var buffer = [UInt8](repeating: 0, count: 256)
            let pid = fork()
            if pid == 0 {
                // Only system calls from here: see runInChild.
                if let uid {
                    guard setgroups(groups.count, groups) == 0, setgid(gid) == 0, setuid(uid) == 0 else { _exit(3) }
                }
                let fd = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0)
                guard fd >= 0 else { _exit(3) }
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                    }
                }
                guard connected == 0 else { _exit(1) }
                guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) >= 0 else { _exit(2) }
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                _exit(count > 0 ? 0 : count == 0 ? 2 : (errno == ECONNRESET ? 2 : 3))
            }
            guard pid > 0 else { throw SystemError.current("fork") }
            var status: Int32 = 0
            let exited = try runLoop(loop, timeout: .seconds(10)) { waitpid(pid, &status, WNOHANG) == pid }
            if !exited {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                throw SystemError("child \(pid) did not finish", errno: ETIMEDOUT)
            }
            return ChildResult(rawValue: (status >> 8) & 0xff) ?? .failed
        }
    }

    @Test func accessFollowsUIDAndGroups() {
        #expect(ControlAccess.of(uid: 0, gid: 0, groups: [], adminGroup: nil) == .administrator)
        #expect(ControlAccess.of(uid: 1000, gid: 1000, groups: [10, 65010], adminGroup: 65010) == .reader)
        #expect(ControlAccess.of(uid: 1000, gid: 65010, groups: [], adminGroup: 65010) == .reader)
        #expect(ControlAccess.of(uid: 1000, gid: 1000, groups: [10], adminGroup: 65010) == nil)
        #expect(ControlAccess.of(uid: 1000, gid: 1000, groups: [65010], adminGroup: nil) == nil)
    }

    @Test func procStatusGroupsLineIsParsed() {
        let text = "Name:\tx\nUid:\t0\t0\t0\t0\nGroups:\t4 24 65010 \nNgid:\t0\n"
        #expect(PeerGroups.parseProcStatus(text) == [4, 24, 65010])
        #expect(PeerGroups.parseProcStatus("Groups:\n") == [])
    }

    @Test(.enabled(if: runningAsRoot, "changing a child's uid and groups needs root"))
    func rootIsAnAdministrator() throws {
        let harness = try Harness()
        #expect(try harness.connect(uid: nil) == .answered)
        #expect(harness.box.requests.map(\.0) == [.administrator])
        #expect(harness.box.requests.first?.1 == Array("status".utf8))
    }

    @Test(.enabled(if: runningAsRoot, "changing a child's uid and groups needs root"))
    func aMemberOfTheAdminGroupMayRead() throws {
        let harness = try Harness()
        // The admin group only as a supplementary group: SO_PEERGROUPS (or /proc) must be what admits it.
        #expect(try harness.connect(uid: Self.memberUID, gid: 65001, groups: [Self.adminGroup]) == .answered)
        #expect(harness.box.requests.map(\.0) == [.reader])
        #expect(harness.listener.refusedConnections == 0)
    }

    @Test(.enabled(if: runningAsRoot, "changing a child's uid and groups needs root"))
    func anotherUserIsClosedAndLoggedOnce() throws {
        let harness = try Harness()
        #expect(try harness.connect(uid: Self.strangerUID, gid: 65000, groups: [65000]) == .closed)
        #expect(try harness.connect(uid: Self.strangerUID, gid: 65000, groups: [65000]) == .closed)
        #expect(harness.box.requests.isEmpty, "a refused peer's request reached the daemon")
        #expect(harness.listener.refusedConnections == 2)
        let warnings = harness.log.entries.filter { $0.message.contains("refused control connection") }
        #expect(warnings.count == 1, "\(harness.log.text)")
        #expect(warnings.first?.metadata["peer_uid"]?.description == "\(Self.strangerUID)")
        #expect(warnings.first?.metadata["peer_pid"] != nil)
    }

    @Test(.enabled(if: runningAsRoot, "forks a child that connects"))
    func anOversizedRequestIsAnsweredAndCounted() throws {
        let harness = try Harness()
        #expect(try harness.connect(uid: nil, request: [UInt8](repeating: 0x61, count: 100)) == .answered)
        #expect(harness.listener.oversizedRequests == 1)
        #expect(harness.box.requests.first?.1.count == 16)
    }
}
