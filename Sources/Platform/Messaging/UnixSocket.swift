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

    /// Connects `socket` to `path`; 0 or the errno of the failure.
    static func connect(_ socket: OwnedDescriptor, to path: String) throws -> Int32 {
        try withAddress(path) { address, length in
            retryingOnInterrupt { Glibc.connect(socket.rawValue, address, length) } == 0 ? 0 : errno
        }
    }
}
