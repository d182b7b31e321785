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

/// How a control answer travels: SOCK_SEQPACKET records of at most `recordSize` bytes. An answer shorter than a
/// record is one record, as before answers were split; a longer one continues in full records and ends with the
/// first record shorter than `recordSize` (an empty one when its length is a multiple of it). A status of a large
/// configuration is megabytes; one record that size would not fit the socket's send buffer.
public enum ControlRecords {
    public static let recordSize = 64 * 1024

    /// The records `answer` is sent in.
    public static func split(_ answer: [UInt8]) -> [ArraySlice<UInt8>] {
        var records: [ArraySlice<UInt8>] = []
        var offset = 0
        while offset + recordSize <= answer.count {
            records.append(answer[offset..<offset + recordSize])
            offset += recordSize
        }
        records.append(answer[offset...])
        return records
    }
}

/// A daemon's control socket: SOCK_SEQPACKET, each request datagram answered by `respond` (sent as
/// `ControlRecords`), which sees the peer's access and the raw request (the codec is the caller's: Platform knows
/// no protocol). Peers that are neither root nor in the admin group are closed at once and logged, once per uid.
/// Sending never blocks the daemon's loop: what the peer has not taken yet waits for the socket to be writable,
/// no further request is read meanwhile, and a peer that takes nothing for `sendTimeout` is dropped.
public final class ControlListener {
    public let path: String
    public private(set) var refusedConnections = 0
    /// Requests longer than `maxRequestSize`, answered with `respond`'s error for them.
    public private(set) var oversizedRequests = 0
    /// Connections dropped because the peer did not read its answer in time.
    public private(set) var stalledConnections = 0
    /// Open connections beyond which a new one is closed at once (an operator's tools need a few).
    public static let maximumConnections = 32
    /// Connections closed at once (over the bound, out of descriptors).
    public var shedConnections: Int { listening?.shedConnections ?? 0 }
    /// How long a peer may leave an answer unread before it is dropped.
    public var sendTimeout: Duration = .seconds(5)

    private let loop: EventLoop
    private let logger: Logger
    private let adminGroup: gid_t?
    private let maxRequestSize: Int
    private var listening: PathListener?
    private var connections: [ObjectIdentifier: Connection] = [:]
    private var loggedRefusedUIDs: Set<uid_t> = []
    private let respond: (ControlAccess, ArraySlice<UInt8>, _ oversized: Int?) -> [UInt8]

    /// One accepted peer and the rest of an answer it has not taken yet.
    private final class Connection {
        let socket: OwnedDescriptor
        let access: ControlAccess
        var unsent: [ArraySlice<UInt8>] = []
        var stallTimer: TimerID?

        init(socket: OwnedDescriptor, access: ControlAccess) {
            self.socket = socket
            self.access = access
        }
    }

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
            path: path, loop: loop, logger: logger, maximumConnections: Self.maximumConnections,
            openConnections: { [unowned self] in connections.count },
            bind: {
                try UnixSocket.listening(at: path, mode: socketMode, directoryMode: 0o755, group: socketGroup,
                                         onChownFailure: { logger.warning("control socket keeps its group: \($0)") },
                                         onDisplaced: {
                                             logger.warning("removed what uid \($0) had put at this daemon's control socket path",
                                                            metadata: ["socket": "\(path)", "peer_uid": "\($0)"])
                                         })
            },
            onAccepted: { [unowned self] in admit($0) })
    }

    /// When the socket file (or its directory) was removed under us, binds `path` again; open connections stay.
    /// Returns whether it did; throws when it could not.
    @discardableResult
    public func rebindIfRemoved() throws -> Bool { try listening?.rebindIfRemoved() ?? false }

    public func close() {
        guard listening?.socket != nil else { return }
        listening?.close()
        unlink(path)
        for connection in connections.values { drop(connection) }
        connections = [:]
    }

    deinit { close() }

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
        let connection = Connection(socket: socket, access: access)
        do {
            try loop.watchReadable(socket) { [unowned self, unowned connection] in serve(connection) }
        } catch {
            socket.close()
            return
        }
        connections[ObjectIdentifier(connection)] = connection
    }

    private func drop(_ connection: Connection) {
        if let timer = connection.stallTimer { loop.cancel(timer) }
        connection.stallTimer = nil
        loop.unwatch(connection.socket)
        connection.socket.close()
        connections[ObjectIdentifier(connection)] = nil
    }

    private func serve(_ connection: Connection) {
        let socket = connection.socket
        var buffer = [UInt8](repeating: 0, count: maxRequestSize + 1)
        while connection.unsent.isEmpty {
            let count = retryingOnInterrupt {
                buffer.withUnsafeMutableBytes { recv(socket.rawValue, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT) | Int32(MSG_TRUNC)) }
            }
            if count < 0 {
                if errno != EAGAIN && errno != EWOULDBLOCK { drop(connection) }
                return
            }
            if count == 0 {
                // An empty datagram or the peer's shutdown: answer the first, close on the second.
                var entry = pollfd(fd: socket.rawValue, events: Int16(truncatingIfNeeded: EPOLLRDHUP.rawValue), revents: 0)
                if poll(&entry, 1, 0) < 0 || entry.revents != 0 {
                    drop(connection)
                    return
                }
            }
            let oversized = count > maxRequestSize ? count : nil
            if oversized != nil { oversizedRequests += 1 }
            connection.unsent = ControlRecords.split(respond(connection.access, buffer[..<min(count, maxRequestSize)], oversized))
            guard flush(connection) else { return }
        }
    }

    /// Sends what the peer can take now. Returns true when all of it went; otherwise waits for the socket to be
    /// writable, reading no request meanwhile (false: still sending, or dropped).
    @discardableResult
    private func flush(_ connection: Connection) -> Bool {
        let socket = connection.socket
        var progressed = false
        while let record = connection.unsent.first {
            let sent = record.withUnsafeBytes {
                Glibc.send(socket.rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            }
            if sent < 0 && errno == EINTR { continue }
            if sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                // The peer's time runs from the last record it took, not from the first stall.
                if progressed, let timer = connection.stallTimer {
                    loop.cancel(timer)
                    connection.stallTimer = nil
                }
                if connection.stallTimer == nil {
                    connection.stallTimer = loop.schedule(after: sendTimeout) { [unowned self, unowned connection] in
                        connection.stallTimer = nil
                        stalledConnections += 1
                        drop(connection)
                    }
                }
                do {
                    try loop.setWatch(socket, onReadable: nil,
                                      onWritable: { [unowned self, unowned connection] in flush(connection) })
                } catch {
                    drop(connection)
                }
                return false
            }
            if sent < 0 {
                drop(connection)
                return false
            }
            connection.unsent.removeFirst()
            progressed = true
        }
        if let timer = connection.stallTimer {
            loop.cancel(timer)
            connection.stallTimer = nil
            // Reading again: the peer may have sent its next request while it read this answer.
            do {
                try loop.setWatch(socket, onReadable: { [unowned self, unowned connection] in serve(connection) },
                                  onWritable: nil)
            } catch {
                drop(connection)
                return false
            }
            serve(connection)
            return false
        }
        return true
    }
}

/// The operator's side: one blocking request/response exchange with a control socket.
public enum ControlClient {
    /// Sends `request` to the socket at `path` and returns the answer (its `ControlRecords`, at most
    /// `maxResponseSize` bytes in all).
    /// With `trustedServerUIDs`, a daemon at `path` running as any other uid is an impostor that bound the name
    /// first: the request is not sent and nothing it would answer is believed.
    public static func exchange(path: String, request: [UInt8], maxResponseSize: Int,
                                timeout: Duration = .seconds(2), trustedServerUIDs: Set<uid_t>? = nil) throws -> [UInt8] {
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
        if let trustedServerUIDs {
            let server = try PeerCredentials.of(socket)
            guard trustedServerUIDs.contains(server.uid) else {
                throw SystemError("\(path) is held by uid \(server.uid) (pid \(server.pid)), not by a tandem daemon; nothing was sent",
                                  errno: EPERM)
            }
        }
        let sent = request.withUnsafeBytes { Glibc.send(socket.rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if sent < 0 { throw SystemError.current("send(\(path))") }
        entry = pollfd(fd: socket.rawValue, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, milliseconds) > 0, entry.revents & Int16(POLLIN) != 0 else {
            throw SystemError("\(path): no answer within \(timeout)", errno: ETIMEDOUT)
        }
        var answer: [UInt8] = []
        var record = [UInt8](repeating: 0, count: ControlRecords.recordSize + 1)
        while true {
            let count = record.withUnsafeMutableBytes { recv(socket.rawValue, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                entry = pollfd(fd: socket.rawValue, events: Int16(POLLIN), revents: 0)
                guard poll(&entry, 1, milliseconds) > 0, entry.revents & Int16(POLLIN) != 0 else {
                    throw SystemError("\(path): the answer stopped after \(answer.count) bytes", errno: ETIMEDOUT)
                }
                continue
            }
            if count < 0 { throw SystemError.current("recv(\(path))") }
            // 0 bytes first: the daemon closed the connection, which is how it refuses a peer (an answer is never
            // empty; after full records, an empty one ends the answer).
            if count == 0 && answer.isEmpty {
                throw SystemError("\(path): the daemon closed the connection (not root or in its admin group?)", errno: ECONNRESET)
            }
            answer += record[..<min(count, ControlRecords.recordSize)]
            guard answer.count <= maxResponseSize else {
                throw SystemError("\(path): the answer is larger than \(maxResponseSize) bytes", errno: EMSGSIZE)
            }
            if count < ControlRecords.recordSize { return answer }
        }
    }
}
