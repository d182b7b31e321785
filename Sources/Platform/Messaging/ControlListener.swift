import CShim
import Glibc
import Logging

/// What a control-socket peer may do, from its credentials: root everything, the admin group read status.
public enum ControlAccess: Sendable, Equatable {
    case administrator
    case reader

    /// nil: refused. `adminGroup` nil (the group does not exist here) admits root only.
    public static func of(uid: uid_t, gid: gid_t, groups: Set<gid_t>, adminGroup: gid_t?) -> ControlAccess? {
        if uid == 0 { return .administrator }
        guard let adminGroup, gid == adminGroup || groups.contains(adminGroup) else { return nil }
        return .reader
    }
}

/// A daemon's control socket: SOCK_SEQPACKET, one request datagram answered with one response datagram by
/// `respond`, which sees the peer's access and the raw request (the codec is the caller's: Platform knows no
/// protocol). Peers that are neither root nor in the admin group are closed at once and logged, once per uid.
public final class ControlListener {
    public let path: String
    public private(set) var refusedConnections = 0
    /// Requests longer than `maxRequestSize`, answered with `respond`'s error for them.
    public private(set) var oversizedRequests = 0

    private let loop: EventLoop
    private let logger: Logger
    private let adminGroup: gid_t?
    private let maxRequestSize: Int
    private var listening: PathListener?
    private var connections: [ObjectIdentifier: OwnedDescriptor] = [:]
    private var loggedRefusedUIDs: Set<uid_t> = []
    private let respond: (ControlAccess, ArraySlice<UInt8>, _ oversized: Int?) -> [UInt8]

    /// Binds `path` with `socketMode`, its group `socketGroup` when given (the admin group in production).
    public init(path: String, adminGroup: gid_t?, loop: EventLoop, logger: Logger,
                socketMode: mode_t = 0o660, socketGroup: gid_t? = nil, maxRequestSize: Int,
                respond: @escaping (ControlAccess, ArraySlice<UInt8>, _ oversized: Int?) -> [UInt8]) throws {
        self.path = path
        self.adminGroup = adminGroup
        self.loop = loop
        self.logger = logger
        self.maxRequestSize = maxRequestSize
        self.respond = respond
        // Best effort for the group: a daemon that dropped root can give the socket only to a group it is in.
        listening = try PathListener(
            path: path, loop: loop,
            bind: {
                try UnixSocket.listening(at: path, mode: socketMode, directoryMode: 0o755, group: socketGroup,
                                         onChownFailure: { logger.warning("control socket keeps its group: \($0)") })
            },
            onReadable: { [unowned self] in acceptPending() })
    }

    /// When the socket file (or its directory) was removed under us, binds `path` again; open connections stay.
    /// Returns whether it did; throws when it could not.
    @discardableResult
    public func rebindIfRemoved() throws -> Bool { try listening?.rebindIfRemoved() ?? false }

    public func close() {
        guard listening?.socket != nil else { return }
        listening?.close()
        unlink(path)
        for (_, connection) in connections {
            loop.unwatch(connection)
            connection.close()
        }
        connections = [:]
    }

    deinit { close() }

    private func acceptPending() {
        guard let listeningSocket = listening?.socket else { return }
        while true {
            let fd = tandem_accept_nonblocking(listeningSocket.rawValue)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            admit(OwnedDescriptor(adopting: fd))
        }
    }

    private func admit(_ socket: OwnedDescriptor) {
        guard let peer = try? PeerCredentials.of(socket) else {
            refusedConnections += 1
            socket.close()
            return
        }
        let groups = PeerGroups.of(socket, pid: peer.pid)
        guard let access = ControlAccess.of(uid: peer.uid, gid: peer.gid, groups: groups, adminGroup: adminGroup) else {
            refusedConnections += 1
            // Once per uid: a monitoring loop with the wrong user must not flood the journal.
            if loggedRefusedUIDs.insert(peer.uid).inserted {
                logger.warning("refused control connection: neither root nor in the admin group", metadata: [
                    "socket": "\(path)", "peer_pid": "\(peer.pid)", "peer_uid": "\(peer.uid)", "peer_gid": "\(peer.gid)",
                ])
            }
            socket.close()
            return
        }
        let key = ObjectIdentifier(socket)
        do {
            try loop.watchReadable(socket) { [unowned self] in serve(socket, key: key, access: access) }
        } catch {
            socket.close()
            return
        }
        connections[key] = socket
    }

    private func drop(_ socket: OwnedDescriptor, key: ObjectIdentifier) {
        loop.unwatch(socket)
        socket.close()
        connections[key] = nil
    }

    private func serve(_ socket: OwnedDescriptor, key: ObjectIdentifier, access: ControlAccess) {
        var buffer = [UInt8](repeating: 0, count: maxRequestSize + 1)
        while true {
            let count = retryingOnInterrupt {
                buffer.withUnsafeMutableBytes { recv(socket.rawValue, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT) | Int32(MSG_TRUNC)) }
            }
            if count < 0 {
                if errno != EAGAIN && errno != EWOULDBLOCK { drop(socket, key: key) }
                return
            }
            if count == 0 {
                // An empty datagram or the peer's shutdown: answer the first, close on the second.
                var entry = pollfd(fd: socket.rawValue, events: Int16(truncatingIfNeeded: EPOLLRDHUP.rawValue), revents: 0)
                if poll(&entry, 1, 0) < 0 || entry.revents != 0 {
                    drop(socket, key: key)
                    return
                }
            }
            let oversized = count > maxRequestSize ? count : nil
            if oversized != nil { oversizedRequests += 1 }
            let answer = respond(access, buffer[..<min(count, maxRequestSize)], oversized)
            let sent = answer.withUnsafeBytes {
                Glibc.send(socket.rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            }
            if sent < 0 {
                drop(socket, key: key)
                return
            }
        }
    }
}

/// The operator's side: one blocking request/response exchange with a control socket.
public enum ControlClient {
    /// Sends `request` to the socket at `path` and returns the response datagram (at most `maxResponseSize`).
    public static func exchange(path: String, request: [UInt8], maxResponseSize: Int,
                                timeout: Duration = .seconds(2)) throws -> [UInt8] {
        let socket = try UnixSocket.make()
        defer { socket.close() }
        let connected = try UnixSocket.connect(socket, to: path)
        if connected != 0 && connected != EINPROGRESS && connected != EAGAIN {
            throw SystemError("connect(\(path))", errno: connected)
        }
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        var entry = pollfd(fd: socket.rawValue, events: Int16(POLLOUT), revents: 0)
        guard poll(&entry, 1, milliseconds) > 0, entry.revents & Int16(POLLOUT) != 0 else {
            throw SystemError("connect(\(path)): no answer", errno: ETIMEDOUT)
        }
        let sent = request.withUnsafeBytes { Glibc.send(socket.rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if sent < 0 { throw SystemError.current("send(\(path))") }
        entry = pollfd(fd: socket.rawValue, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, milliseconds) > 0, entry.revents & Int16(POLLIN) != 0 else {
            throw SystemError("\(path): no answer within \(timeout)", errno: ETIMEDOUT)
        }
        var buffer = [UInt8](repeating: 0, count: maxResponseSize + 1)
        let count = buffer.withUnsafeMutableBytes { recv(socket.rawValue, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
        if count < 0 { throw SystemError.current("recv(\(path))") }
        // 0 bytes: the daemon closed the connection, which is how it refuses a peer.
        if count == 0 { throw SystemError("\(path): the daemon closed the connection (not root or in its admin group?)", errno: ECONNRESET) }
        return Array(buffer[..<count])
    }
}
