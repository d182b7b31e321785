import CShim
import Glibc
import Logging
import Wire

/// Accepts SOCK_SEQPACKET connections on a Unix socket path, admits only peers whose uid is allowed
/// (SO_PEERCRED), and hands each decoded message its sender may send to `onMessage` on the event loop.
public final class MessageListener {
    /// The socket's path.
    public let path: String
    /// The uids whose connections are accepted; every other peer is refused and logged.
    public let allowedUIDs: Set<uid_t>
    /// Open, admitted connections.
    public private(set) var connections: [MessageConnection] = []
    /// Open connections beyond which a new one is closed at once: the daemons need three, a peer that opens
    /// hundreds must not take every descriptor.
    public static let maximumConnections = 64
    /// Connections closed at once (over the bound, out of descriptors).
    public var shedConnections: Int { listening?.shedConnections ?? 0 }
    /// Connections refused because of the peer's uid.
    public private(set) var refusedConnections = 0
    /// Admitted uids that may claim only some roles in their hello; every other admitted uid may claim any.
    public let rolesOfUID: [uid_t: Set<DaemonRole>]

    private let loop: EventLoop
    private let logger: Logger
    /// The listening socket; nil once closed.
    var listeningSocket: OwnedDescriptor? { listening?.socket }
    private var listening: PathListener?
    private let drops: DropReporter
    private let refusals: DropReporter
    private let onMessage: (MessageConnection, WireMessage) -> Void
    private let onConnect: (MessageConnection) -> Void
    private let onDisconnect: (MessageConnection) -> Void

    /// Malformed datagrams dropped, over all connections so far.
    public var droppedMessages: Int { drops.total }
    /// Well-formed messages dropped because of who sent them, over all connections so far.
    public var refusedMessages: Int { refusals.total }

    /// Binds `path` (creating its directory, replacing a stale socket, mode `socketMode`) and listens.
    /// Throws EADDRINUSE when another process still listens there.
    public init(path: String, allowedUIDs: Set<uid_t>, rolesOfUID: [uid_t: Set<DaemonRole>] = [:],
                loop: EventLoop, logger: Logger = Logger(label: "tandem.messages"),
                socketMode: mode_t = 0o660, directoryMode: mode_t = 0o755,
                onMessage: @escaping (MessageConnection, WireMessage) -> Void,
                onConnect: @escaping (MessageConnection) -> Void = { _ in },
                onDisconnect: @escaping (MessageConnection) -> Void = { _ in }) throws {
        self.path = path
        self.allowedUIDs = allowedUIDs
        self.rolesOfUID = rolesOfUID
        self.loop = loop
        self.logger = logger
        drops = DropReporter(logger: logger, loop: loop)
        refusals = DropReporter("message its sender may not send", logger: logger, loop: loop)
        self.onMessage = onMessage
        self.onConnect = onConnect
        self.onDisconnect = onDisconnect
        listening = try PathListener(
            path: path, loop: loop, logger: logger, maximumConnections: Self.maximumConnections,
            openConnections: { [unowned self] in connections.count },
            bind: {
                try UnixSocket.listening(at: path, mode: socketMode, directoryMode: directoryMode, onDisplaced: {
                    logger.warning("removed what uid \($0) had put at this daemon's socket path", metadata: [
                        "socket": "\(path)", "peer_uid": "\($0)",
                    ])
                })
            },
            onAccepted: { [unowned self] in admit($0) })
        logger.debug("listening", metadata: ["socket": "\(path)"])
    }

    /// When the socket file (or its directory) was removed under us, binds `path` again, keeping the open
    /// connections: peers that connect later find it. Returns whether it did; throws when it could not.
    @discardableResult
    public func rebindIfRemoved() throws -> Bool { try listening?.rebindIfRemoved() ?? false }

    /// Sends `message` to every open connection; returns how many sends failed.
    @discardableResult
    public func broadcast(_ message: WireMessage) -> Int {
        var failures = 0
        for connection in connections {
            do { try connection.send(message) } catch { failures += 1 }
        }
        return failures
    }

    /// Stops listening, closes every connection and removes the socket file.
    public func close() {
        guard listening?.socket != nil else { return }
        listening?.close()
        unlink(path)
        for connection in connections { connection.close() }
    }

    deinit {
        // The connections' callbacks refer to this listener, which is going away: detach them first.
        for connection in connections { connection.detachCallbacks() }
        close()
    }

    private func admit(_ socket: OwnedDescriptor) {
        let peer: PeerCredentials
        do { peer = try PeerCredentials.of(socket) } catch {
            logger.warning("refused connection: no peer credentials", metadata: ["socket": "\(path)", "error": "\(error)"])
            refusedConnections += 1
            socket.close()
            return
        }
        guard allowedUIDs.contains(peer.uid) else {
            refusedConnections += 1
            logger.warning("refused connection from a uid that is not allowed", metadata: [
                "socket": "\(path)", "peer_pid": "\(peer.pid)", "peer_uid": "\(peer.uid)", "peer_gid": "\(peer.gid)",
            ])
            socket.close()
            return
        }
        let connection = MessageConnection(socket: socket, peer: peer, loop: loop, logger: logger)
        if let roles = rolesOfUID[peer.uid] { connection.claimableRoles = roles }
        connection.onMessage = { [unowned self] in onMessage($0, $1) }
        connection.onMalformed = { [unowned self] connection, error in
            drops.record(error, from: connection.peer)
        }
        connection.onRefused = { [unowned self] connection, refusal in
            refusals.record(refusal, from: connection.peer)
        }
        connection.onClose = { [unowned self] closed in
            connections.removeAll { $0 === closed }
            logger.debug("peer disconnected", metadata: ["socket": "\(path)", "peer_pid": "\(closed.peer.pid)"])
            onDisconnect(closed)
        }
        do { try connection.start() } catch {
            logger.warning("cannot watch connection", metadata: ["error": "\(error)"])
            socket.close()
            return
        }
        connections.append(connection)
        logger.debug("peer connected", metadata: ["socket": "\(path)", "peer_pid": "\(peer.pid)", "peer_uid": "\(peer.uid)"])
        onConnect(connection)
    }

    /// Creates the directory holding `path` (and missing parents) with `mode`.
    static func makeDirectory(parentOf path: String, mode: mode_t) throws {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path[..<slash].split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, mode) != 0 && errno != EEXIST { throw SystemError.current("mkdir(\(prefix))") }
        }
    }

    /// The uids a daemon's listener may run as: root and this process's own (the daemons of one suite).
    public static var trustedListenerUIDs: Set<uid_t> { [0, geteuid()] }

    /// Removes a socket file nobody listens on; refuses to touch our own non-socket, or a live socket of a trusted
    /// uid (another instance of this daemon). An entry of any other uid was put there first by someone who could
    /// write to the directory: it is removed, `onDisplaced` told whose it was, and the name is ours to bind.
    static func removeStaleSocket(_ path: String, onDisplaced: (uid_t) -> Void = { _ in }) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        // Anything an untrusted uid put at the name (a socket, or a file or link to keep the daemon from
        // starting) goes; only our own non-socket is an error someone must look at.
        if !trustedListenerUIDs.contains(info.st_uid) {
            guard unlink(path) == 0 else { throw SystemError.current("unlink(\(path)), bound by uid \(info.st_uid)") }
            onDisplaced(info.st_uid)
            return
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw SystemError("\(path) exists and is not a socket", errno: EEXIST) }
        let probe = try UnixSocket.make()
        defer { probe.close() }
        let result = try UnixSocket.connect(probe, to: path)
        if result == 0 || result == EAGAIN { throw SystemError("another process listens on \(path)", errno: EADDRINUSE) }
        unlink(path)
    }
}
