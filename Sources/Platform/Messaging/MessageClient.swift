import Glibc
import Logging
import Wire

/// Keeps one SOCK_SEQPACKET connection to a listener: connects on the loop's next turn, and
/// whenever the peer goes away reconnects with a growing delay (100 ms doubling to 2 s by default).
/// `onConnect` runs after each successful connect, so the sender can send its full snapshot again.
public final class MessageClient {
    /// The listener's socket path.
    public let path: String
    /// The current connection, nil while disconnected.
    public private(set) var connection: MessageConnection?
    /// How many times a connection was established.
    public private(set) var connectCount = 0
    /// How many times the listener at `path` ran as a uid not in `expectedServerUIDs` and was left.
    public private(set) var refusedListeners = 0

    private let loop: EventLoop
    private let logger: Logger
    private let expectedServerUIDs: Set<uid_t>?
    /// The role the listener must claim in its hello; nil: any.
    public let expectedRole: DaemonRole?
    private let initialBackoff: Duration
    private let maximumBackoff: Duration
    private var backoff: Duration
    private var retryTimer: TimerID?
    private var closed = false
    private var failuresLogged = false
    private let drops: DropReporter
    private let refusals: DropReporter
    private let onConnect: (MessageConnection) -> Void
    private let onMessage: (MessageConnection, WireMessage) -> Void
    private let onDisconnect: (MessageConnection) -> Void

    public var isConnected: Bool { connection?.isOpen ?? false }
    /// Malformed datagrams dropped, over all connections so far.
    public var droppedMessages: Int { drops.total }
    /// Well-formed messages dropped because of who sent them, over all connections so far.
    public var refusedMessages: Int { refusals.total }

    /// A client of the listener at `path`; the first attempt happens on the loop's next turn.
    /// With `expectedServerUIDs`, a listener running as any other uid is disconnected and retried; with
    /// `expectedRole`, a hello claiming another role is refused (and so is everything after it).
    public init(path: String, loop: EventLoop, logger: Logger = Logger(label: "tandem.messages"),
                expectedServerUIDs: Set<uid_t>? = nil, expectedRole: DaemonRole? = nil,
                initialBackoff: Duration = .milliseconds(100), maximumBackoff: Duration = .seconds(2),
                onConnect: @escaping (MessageConnection) -> Void,
                onMessage: @escaping (MessageConnection, WireMessage) -> Void = { _, _ in },
                onDisconnect: @escaping (MessageConnection) -> Void = { _ in }) {
        self.path = path
        self.loop = loop
        self.logger = logger
        drops = DropReporter(logger: logger, loop: loop)
        refusals = DropReporter("message its sender may not send", logger: logger, loop: loop)
        self.expectedServerUIDs = expectedServerUIDs
        self.expectedRole = expectedRole
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.backoff = initialBackoff
        self.onConnect = onConnect
        self.onMessage = onMessage
        self.onDisconnect = onDisconnect
        retryTimer = loop.schedule(after: .zero) { [weak self] in self?.attempt() }
    }

    /// Sends on the current connection; throws `.notConnected` between connections.
    public func send(_ message: WireMessage) throws(MessageSendError) {
        guard let connection, connection.isOpen else { throw .notConnected }
        try connection.send(message)
    }

    /// Disconnects and stops reconnecting.
    public func close() {
        closed = true
        if let retryTimer { loop.cancel(retryTimer) }
        retryTimer = nil
        connection?.close()
        connection = nil
    }

    deinit {
        if let retryTimer { loop.cancel(retryTimer) }
        // The connection's callbacks refer to this client, which is going away: detach them first.
        connection?.detachCallbacks()
        connection?.close()
    }

    private func attempt() {
        retryTimer = nil
        guard !closed, connection == nil else { return }
        do {
            let socket = try UnixSocket.make()
            let result = try UnixSocket.connect(socket, to: path)
            guard result == 0 else {
                socket.close()
                retryLater(because: SystemError("connect(\(path))", errno: result))
                return
            }
            let peer: PeerCredentials
            do { peer = try PeerCredentials.of(socket) } catch {
                socket.close()
                throw error
            }
            if let expectedServerUIDs, !expectedServerUIDs.contains(peer.uid) {
                socket.close()
                // Once per series, like any failure to connect: an impostor must not flood the journal either.
                if !failuresLogged {
                    logger.warning("refused listener running as an unexpected uid; nothing is sent to it", metadata: [
                        "socket": "\(path)", "peer_pid": "\(peer.pid)", "peer_uid": "\(peer.uid)",
                    ])
                    failuresLogged = true
                }
                refusedListeners += 1
                retryLater(because: nil)
                return
            }
            try established(socket: socket, peer: peer)
        } catch {
            retryLater(because: error)
        }
    }

    private func established(socket: OwnedDescriptor, peer: PeerCredentials) throws {
        let connection = MessageConnection(socket: socket, peer: peer, loop: loop, logger: logger)
        if let expectedRole { connection.claimableRoles = [expectedRole] }
        connection.onMessage = { [unowned self] in onMessage($0, $1) }
        connection.onMalformed = { [unowned self] connection, error in
            drops.record(error, from: connection.peer)
        }
        connection.onRefused = { [unowned self] connection, refusal in
            refusals.record(refusal, from: connection.peer)
        }
        connection.onClose = { [unowned self] lost in
            guard self.connection === lost else { return }
            self.connection = nil
            onDisconnect(lost)
            if !closed {
                logger.info("connection lost, reconnecting", metadata: ["socket": "\(path)"])
                backoff = initialBackoff
                retryTimer = loop.schedule(after: backoff) { [weak self] in self?.attempt() }
            }
        }
        do { try connection.start() } catch {
            socket.close()
            throw error
        }
        self.connection = connection
        connectCount += 1
        backoff = initialBackoff
        failuresLogged = false
        logger.info("connected", metadata: ["socket": "\(path)", "peer_pid": "\(peer.pid)"])
        onConnect(connection)
    }

    private func retryLater(because error: (any Error)?) {
        // The first failure of a series is worth a line; the retries that follow are not.
        if let error {
            if failuresLogged {
                logger.debug("connect failed", metadata: ["socket": "\(path)", "error": "\(error)"])
            } else {
                logger.notice("cannot connect yet, will retry", metadata: ["socket": "\(path)", "error": "\(error)"])
                failuresLogged = true
            }
        }
        retryTimer = loop.schedule(after: backoff) { [weak self] in self?.attempt() }
        backoff = min(backoff * 2, maximumBackoff)
    }
}
