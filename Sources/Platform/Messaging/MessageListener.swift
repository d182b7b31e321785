import CShim
import Glibc
import Logging
import Wire

/// Accepts SOCK_SEQPACKET connections on a Unix socket path, admits only peers whose uid is allowed
/// (SO_PEERCRED), and hands each decoded message to `onMessage` on the event loop.
public final class MessageListener {
    /// The socket's path.
    public let path: String
    /// The uids whose connections are accepted; every other peer is refused and logged.
    public let allowedUIDs: Set<uid_t>
    /// Open, admitted connections.
    public private(set) var connections: [MessageConnection] = []
    /// Connections refused because of the peer's uid.
    public private(set) var refusedConnections = 0

    private let loop: EventLoop
    private let logger: Logger
    private var listenFD: Int32 = -1
    private var drops = DropReporter()
    private let onMessage: (MessageConnection, WireMessage) -> Void
    private let onConnect: (MessageConnection) -> Void
    private let onDisconnect: (MessageConnection) -> Void

    /// Malformed datagrams dropped, over all connections so far.
    public var droppedMessages: Int { drops.total }

    /// Binds `path` (creating its directory, replacing a stale socket, mode `socketMode`) and listens.
    /// Throws EADDRINUSE when another process still listens there.
    public init(path: String, allowedUIDs: Set<uid_t>, loop: EventLoop,
                logger: Logger = Logger(label: "tandem.messages"),
                socketMode: mode_t = 0o660, directoryMode: mode_t = 0o755,
                onMessage: @escaping (MessageConnection, WireMessage) -> Void,
                onConnect: @escaping (MessageConnection) -> Void = { _ in },
                onDisconnect: @escaping (MessageConnection) -> Void = { _ in }) throws {
        self.path = path
        self.allowedUIDs = allowedUIDs
        self.loop = loop
        self.logger = logger
        self.onMessage = onMessage
        self.onConnect = onConnect
        self.onDisconnect = onDisconnect

        try Self.makeDirectory(parentOf: path, mode: directoryMode)
        try Self.removeStaleSocket(path)
        let fd = try UnixSocket.make()
        do {
            let bound = try UnixSocket.withAddress(path) { bind(fd, $0, $1) }
            if bound != 0 { throw SystemError.current("bind(\(path))") }
            // chmod after bind: the socket's mode decides who may connect at all.
            if chmod(path, socketMode) != 0 { throw SystemError.current("chmod(\(path))") }
            if listen(fd, 16) != 0 { throw SystemError.current("listen") }
            listenFD = fd
            try loop.watchReadable(fd) { [unowned self] in acceptPending() }
        } catch {
            Glibc.close(fd)
            throw error
        }
        logger.debug("listening", metadata: ["socket": "\(path)"])
    }

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
        guard listenFD >= 0 else { return }
        loop.unwatch(listenFD)
        Glibc.close(listenFD)
        listenFD = -1
        unlink(path)
        for connection in connections { connection.close() }
    }

    deinit {
        // The connections' callbacks refer to this listener, which is going away: detach them first.
        for connection in connections { connection.detachCallbacks() }
        close()
    }

    private func acceptPending() {
        while true {
            let fd = tandem_accept_nonblocking(listenFD)
            if fd < 0 {
                let failure = SystemError.current("accept4")
                if failure.errno == EINTR || failure.errno == ECONNABORTED { continue }
                if failure.errno != EAGAIN && failure.errno != EWOULDBLOCK {
                    // EMFILE and the like: the pending connection stays queued for a later turn.
                    logger.warning("accept failed", metadata: ["socket": "\(path)", "error": "\(failure)"])
                }
                return
            }
            admit(fd)
        }
    }

    private func admit(_ fd: Int32) {
        let peer: PeerCredentials
        do { peer = try PeerCredentials.of(fd) } catch {
            logger.warning("refused connection: no peer credentials", metadata: ["socket": "\(path)", "error": "\(error)"])
            refusedConnections += 1
            Glibc.close(fd)
            return
        }
        guard allowedUIDs.contains(peer.uid) else {
            refusedConnections += 1
            logger.warning("refused connection from a uid that is not allowed", metadata: [
                "socket": "\(path)", "peer_pid": "\(peer.pid)", "peer_uid": "\(peer.uid)", "peer_gid": "\(peer.gid)",
            ])
            Glibc.close(fd)
            return
        }
        let connection = MessageConnection(fd: fd, peer: peer, loop: loop, logger: logger)
        connection.onMessage = { [unowned self] in onMessage($0, $1) }
        connection.onMalformed = { [unowned self] connection, error in
            drops.record(error, from: connection.peer, logger: logger)
        }
        connection.onClose = { [unowned self] closed in
            connections.removeAll { $0 === closed }
            logger.debug("peer disconnected", metadata: ["socket": "\(path)", "peer_pid": "\(closed.peer.pid)"])
            onDisconnect(closed)
        }
        do { try connection.start() } catch {
            logger.warning("cannot watch connection", metadata: ["error": "\(error)"])
            Glibc.close(fd)
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

    /// Removes a socket file nobody listens on; refuses to touch a live socket or a non-socket.
    static func removeStaleSocket(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw SystemError("\(path) exists and is not a socket", errno: EEXIST) }
        let probe = try UnixSocket.make()
        defer { Glibc.close(probe) }
        let result = try UnixSocket.connect(probe, to: path)
        if result == 0 || result == EAGAIN { throw SystemError("another process listens on \(path)", errno: EADDRINUSE) }
        unlink(path)
    }
}
