import CShim
import Glibc
import Logging

/// Helpers for AF_UNIX SOCK_SEQPACKET sockets shared by the listener and the client.
enum UnixSocket {
    /// sun_path holds 108 bytes including the terminating NUL.
    static let maxPathLength = 107

    /// Calls `body` with a sockaddr_un for `path`; throws ENAMETOOLONG for paths that do not fit.
    static func withAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) throws -> R {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count <= maxPathLength else {
            throw SystemError("sockaddr_un(\(path))", errno: ENAMETOOLONG)
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                body($0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
    }

    /// A new non-blocking, close-on-exec SOCK_SEQPACKET socket.
    static func make() throws -> OwnedDescriptor {
        try OwnedDescriptor(returnedBy: socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                                               | Int32(SOCK_CLOEXEC.rawValue), 0), call: "socket")
    }

    /// A listening socket at `path`: its directory made (`directoryMode`), a stale socket there replaced, bound,
    /// given `group` (best effort: only a group the process is in) and `mode` (after bind: the mode decides who
    /// may connect at all), listening. Returns the socket and the file's inode, to notice its removal later.
    static func listening(at path: String, mode: mode_t, directoryMode: mode_t, group: gid_t? = nil,
                          onChownFailure: (SystemError) -> Void = { _ in },
                          onDisplaced: (uid_t) -> Void = { _ in }) throws -> (OwnedDescriptor, ino_t) {
        try MessageListener.makeDirectory(parentOf: path, mode: directoryMode)
        try MessageListener.removeStaleSocket(path, onDisplaced: onDisplaced)
        let socket = try make()
        do {
            let bound = try withAddress(path) { bind(socket.rawValue, $0, $1) }
            if bound != 0 { throw SystemError.current("bind(\(path))") }
            if let group, chown(path, UInt32.max, group) != 0 { onChownFailure(SystemError.current("chown(\(path))")) }
            if chmod(path, mode) != 0 { throw SystemError.current("chmod(\(path))") }
            if listen(socket.rawValue, 16) != 0 { throw SystemError.current("listen") }
            return (socket, inode(of: path) ?? 0)
        } catch {
            socket.close()
            throw error
        }
    }

    /// The inode of the file at `path`, nil when there is none.
    static func inode(of path: String) -> ino_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_ino : nil
    }

    /// Whether the socket file bound as `inode` is still at `path` (someone may have removed it, or its directory).
    static func isStillBound(_ path: String, inode: ino_t) -> Bool { Self.inode(of: path) == inode }

    /// Connects `socket` to `path`; 0 or the errno of the failure.
    static func connect(_ socket: OwnedDescriptor, to path: String) throws -> Int32 {
        try withAddress(path) { address, length in
            retryingOnInterrupt { Glibc.connect(socket.rawValue, address, length) } == 0 ? 0 : errno
        }
    }
}

/// A listening socket bound at a path and watched on a loop, which binds the path again when its file (or its
/// directory) was removed under it, and accepts its connections: the one owner of the listening descriptor of
/// MessageListener and ControlListener.
///
/// Accepting is bounded. Beyond `maximumConnections` open ones a new connection is closed at once. Out of
/// descriptors (EMFILE, ENFILE) the pending connection would keep the socket readable, and the loop would spin on
/// it: a reserve descriptor is given back to take that connection and close it (the well-known trick), and when
/// even that fails the socket is not watched for `pause`. Either way one line per interval says how many were shed.
final class PathListener {
    let path: String
    private let loop: EventLoop
    private let bindSocket: () throws -> (OwnedDescriptor, ino_t)
    private let onAccepted: (OwnedDescriptor) -> Void
    private let openConnections: () -> Int
    let maximumConnections: Int
    private(set) var socket: OwnedDescriptor?
    private var inode: ino_t = 0
    /// /dev/null, held so that one descriptor can be freed when there is none left.
    private var reserve: OwnedDescriptor?
    private var resumeTimer: TimerID?
    private let shedLog: ThrottledLog
    /// Connections closed at once: over the bound, or taken with the reserve descriptor.
    private(set) var shedConnections = 0
    static let pause: Duration = .milliseconds(500)

    /// `bind` makes the bound, listening socket (UnixSocket.listening); each accepted connection goes to
    /// `onAccepted` while `openConnections()` is below `maximumConnections`.
    init(path: String, loop: EventLoop, logger: Logger, maximumConnections: Int, openConnections: @escaping () -> Int,
         bind: @escaping () throws -> (OwnedDescriptor, ino_t), onAccepted: @escaping (OwnedDescriptor) -> Void) throws {
        self.path = path
        self.loop = loop
        self.bindSocket = bind
        self.onAccepted = onAccepted
        self.openConnections = openConnections
        self.maximumConnections = maximumConnections
        shedLog = ThrottledLog(logger: logger, loop: loop)
        reserve = Self.openReserve()
        try open()
    }

    private static func openReserve() -> OwnedDescriptor? {
        let descriptor = Glibc.open("/dev/null", O_RDONLY | O_CLOEXEC)
        return descriptor >= 0 ? OwnedDescriptor(adopting: descriptor) : nil
    }

    private func open() throws {
        let (socket, inode) = try bindSocket()
        do {
            try loop.watchReadable(socket) { [unowned self] in acceptPending() }
        } catch {
            socket.close()
            throw error
        }
        self.socket = socket
        self.inode = inode
    }

    private func acceptPending() {
        guard let socket else { return }
        while true {
            let fd = tandem_accept_nonblocking(socket.rawValue)
            if fd >= 0 {
                let accepted = OwnedDescriptor(adopting: fd)
                if openConnections() >= maximumConnections {
                    accepted.close()
                    shed(because: "more than \(maximumConnections) connections are open")
                    continue
                }
                onAccepted(accepted)
                continue
            }
            let failure = errno
            switch failure {
            case EINTR, ECONNABORTED:
                continue
            case EAGAIN, EWOULDBLOCK:
                return
            case EMFILE, ENFILE:
                if let spare = reserve {
                    spare.close()
                    reserve = nil
                    let taken = tandem_accept_nonblocking(socket.rawValue)
                    if taken >= 0 { Glibc.close(taken) }
                    reserve = Self.openReserve()
                    shed(because: "out of file descriptors (\(String(cString: strerror(failure))))")
                    if taken >= 0 && reserve != nil { continue }
                }
                pauseAccepting(because: failure)
                return
            default:
                pauseAccepting(because: failure)
                return
            }
        }
    }

    private func shed(because reason: String) {
        shedConnections += 1
        let path = path
        shedLog.record { since, total in
            ("closed a new connection at once: \(reason)", ["socket": "\(path)", "closed_since_last_report": "\(since)",
                                                           "closed_total": "\(total)"])
        }
    }

    /// Stops watching the socket for a while: nothing can be accepted now, and a readable socket would spin.
    private func pauseAccepting(because failure: Int32) {
        guard let socket, resumeTimer == nil else { return }
        let path = path
        shedLog.record { since, total in
            ("accept failed: \(String(cString: strerror(failure))); not accepting for \(PathListener.pause)",
             ["socket": "\(path)", "closed_since_last_report": "\(since)", "closed_total": "\(total)"])
        }
        loop.unwatch(socket)
        resumeTimer = loop.schedule(after: Self.pause) { [weak self] in
            guard let self else { return }
            resumeTimer = nil
            if reserve == nil { reserve = Self.openReserve() }
            guard let socket = self.socket else { return }
            do {
                try loop.watchReadable(socket) { [unowned self] in acceptPending() }
                acceptPending()
            } catch {
                pauseAccepting(because: EBADF)
            }
        }
    }

    /// Binds `path` again when the file bound there is gone; whether it did. Throws when it could not.
    func rebindIfRemoved() throws -> Bool {
        guard socket != nil, !UnixSocket.isStillBound(path, inode: inode) else { return false }
        close()
        try open()
        return true
    }

    func close() {
        if let resumeTimer { loop.cancel(resumeTimer) }
        resumeTimer = nil
        guard let socket else { return }
        loop.unwatch(socket)
        socket.close()
        self.socket = nil
    }

    deinit {
        if let resumeTimer { loop.cancel(resumeTimer) }
        reserve?.close()
    }
}
