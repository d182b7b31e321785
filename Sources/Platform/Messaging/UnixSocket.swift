import Glibc

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
/// directory) was removed under it: the one owner of the listening descriptor of MessageListener and
/// ControlListener.
final class PathListener {
    let path: String
    private let loop: EventLoop
    private let bindSocket: () throws -> (OwnedDescriptor, ino_t)
    private let onReadable: () -> Void
    private(set) var socket: OwnedDescriptor?
    private var inode: ino_t = 0

    /// `bind` makes the bound, listening socket (UnixSocket.listening); `onReadable` accepts on it.
    init(path: String, loop: EventLoop, bind: @escaping () throws -> (OwnedDescriptor, ino_t),
         onReadable: @escaping () -> Void) throws {
        self.path = path
        self.loop = loop
        self.bindSocket = bind
        self.onReadable = onReadable
        try open()
    }

    private func open() throws {
        let (socket, inode) = try bindSocket()
        do {
            try loop.watchReadable(socket, onReadable)
        } catch {
            socket.close()
            throw error
        }
        self.socket = socket
        self.inode = inode
    }

    /// Binds `path` again when the file bound there is gone; whether it did. Throws when it could not.
    func rebindIfRemoved() throws -> Bool {
        guard let old = socket, !UnixSocket.isStillBound(path, inode: inode) else { return false }
        loop.unwatch(old)
        old.close()
        socket = nil
        try open()
        return true
    }

    func close() {
        guard let socket else { return }
        loop.unwatch(socket)
        socket.close()
        self.socket = nil
    }
}
