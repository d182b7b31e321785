import CShim
import Glibc

/// Who is at the other end of a Unix socket (SO_PEERCRED), as the kernel vouches for it.
public struct PeerCredentials: Hashable, Sendable, CustomStringConvertible {
    /// The peer's process id at connect time.
    public let pid: pid_t
    /// The peer's effective user id at connect time.
    public let uid: uid_t
    /// The peer's effective group id at connect time.
    public let gid: gid_t

    /// The credentials of the peer of a connected socket.
    public static func of(_ socket: OwnedDescriptor) throws -> PeerCredentials {
        var pid: pid_t = 0, uid: uid_t = 0, gid: gid_t = 0
        if tandem_peer_credentials(socket.rawValue, &pid, &uid, &gid) != 0 { throw SystemError.current("SO_PEERCRED") }
        return PeerCredentials(pid: pid, uid: uid, gid: gid)
    }

    /// "pid 42 uid 0 gid 0".
    public var description: String { "pid \(pid) uid \(uid) gid \(gid)" }
}
