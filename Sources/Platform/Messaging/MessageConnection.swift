import CShim
import Glibc
import Logging
import Wire

/// Errors of sending on a connection.
public enum MessageSendError: Error, Sendable, Equatable {
    /// The connection is closed (or the client is between connections).
    case notConnected
    /// The message could not be encoded (a string too long).
    case encoding(WireError)
    /// send(2) failed; EAGAIN means the peer is not reading.
    case system(SystemError)
}

/// One SOCK_SEQPACKET connection carrying one `WireMessage` per datagram, read on an `EventLoop`.
public final class MessageConnection {
    /// The peer's credentials, checked by the listener before any message is read.
    public let peer: PeerCredentials
    /// The role the peer announced in its first `hello` (one of `claimableRoles`), nil until then.
    public private(set) var peerRole: DaemonRole?
    /// The roles this peer may claim: set by the listener from the peer's uid, or by the client to the role of
    /// the daemon it connects to.
    public internal(set) var claimableRoles = Set(DaemonRole.allCases)
    /// Malformed datagrams received and dropped on this connection.
    public private(set) var droppedMessages = 0
    /// Well-formed messages dropped because of who sent them (`SenderRefusal`).
    public private(set) var refusedMessages = 0
    /// Hellos after the first (same role): counted, not handed on.
    public private(set) var repeatedHellos = 0
    /// Messages decoded, admitted and handed on.
    public private(set) var receivedMessages = 0
    /// False once closed, by either side.
    public private(set) var isOpen = true

    let socket: OwnedDescriptor
    private let loop: EventLoop
    private let logger: Logger
    var onMessage: (MessageConnection, WireMessage) -> Void = { _, _ in }
    var onMalformed: (MessageConnection, WireError) -> Void = { _, _ in }
    var onRefused: (MessageConnection, SenderRefusal) -> Void = { _, _ in }
    var onClose: (MessageConnection) -> Void = { _ in }

    /// This peer's log lines of each kind, each throttled on its own: a peer can cause a warning at will (a result
    /// for a script the configuration does not define), and one that sends thousands must neither flood the
    /// journal nor hide another peer's.
    private var throttledLogs: [String: ThrottledLog] = [:]

    /// Logs a line of `kind` caused by this peer, at most once per interval with how many there were (the
    /// connection's peer and the counts are added to `metadata`).
    public func logThrottled(_ kind: String, level: Logger.Level = .warning, to logger: Logger,
                             _ message: @escaping () -> Logger.Message, metadata: Logger.Metadata = [:]) {
        let log = throttledLogs[kind] ?? {
            let made = ThrottledLog(logger: logger, level: level, loop: loop)
            throttledLogs[kind] = made
            return made
        }()
        let peer = peer
        log.record { since, total in
            var metadata = metadata
            metadata["peer_pid"] = "\(peer.pid)"
            metadata["peer_uid"] = "\(peer.uid)"
            metadata["count_since_last_report"] = "\(since)"
            metadata["count_total"] = "\(total)"
            return (message(), metadata)
        }
    }

    /// Owns `socket` from here on, also when `start()` fails.
    init(socket: OwnedDescriptor, peer: PeerCredentials, loop: EventLoop, logger: Logger) {
        self.socket = socket
        self.peer = peer
        self.loop = loop
        self.logger = logger
    }

    /// Starts reading: the loop holds this connection until it closes.
    func start() throws {
        try loop.watchReadable(socket) { [self] in readAvailable() }
    }

    deinit { socket.close() }

    /// Sends `message` as one datagram without blocking.
    public func send(_ message: WireMessage) throws(MessageSendError) {
        guard isOpen else { throw .notConnected }
        let bytes: [UInt8]
        do { bytes = try WireCodec.encodeStrict(message) } catch { throw .encoding(error) }
        let sent = retryingOnInterrupt {
            bytes.withUnsafeBytes { Glibc.send(socket.rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
        }
        // SEQPACKET sends all or nothing; a peer that went away is noticed by the read side.
        if sent < 0 { throw .system(.current("send")) }
    }

    /// Closes the connection; the owner's disconnect callback runs once.
    public func close() {
        guard isOpen else { return }
        isOpen = false
        socket.close()
        onClose(self)
        detachCallbacks()
    }

    /// Forgets the owner's callbacks, breaking the reference cycles through them.
    func detachCallbacks() {
        onMessage = { _, _ in }
        onMalformed = { _, _ in }
        onRefused = { _, _ in }
        onClose = { _ in }
    }

    /// True when the peer closed or shut down its sending side (POLLRDHUP/POLLHUP).
    private func peerHasShutDown() -> Bool {
        let rdhup = Int16(truncatingIfNeeded: EPOLLRDHUP.rawValue)  // same bit as POLLRDHUP
        var entry = pollfd(fd: socket.rawValue, events: rdhup, revents: 0)
        guard poll(&entry, 1, 0) >= 0 else { return true }
        return entry.revents & (rdhup | Int16(POLLHUP) | Int16(POLLERR)) != 0
    }

    private func reject(_ error: WireError) {
        droppedMessages += 1
        onMalformed(self, error)
    }

    private func readAvailable() {
        // One byte more than the largest message: a longer datagram shows up as oversized (MSG_TRUNC).
        var buffer = [UInt8](repeating: 0, count: WireCodec.maxMessageSize + 1)
        while isOpen {
            let count = retryingOnInterrupt {
                buffer.withUnsafeMutableBytes { recv(socket.rawValue, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT) | Int32(MSG_TRUNC)) }
            }
            if count < 0 {
                let failure = SystemError.current("recv")
                if failure.errno == EAGAIN || failure.errno == EWOULDBLOCK { return }
                logger.debug("connection read failed", metadata: ["peer": "\(peer)", "error": "\(failure)"])
                close()
                return
            }
            if count == 0 {
                // SEQPACKET returns 0 both for an empty datagram and for the peer's shutdown.
                if peerHasShutDown() {
                    close()
                    return
                }
                reject(.truncated)
                continue
            }
            if count > WireCodec.maxMessageSize {
                reject(.oversized(count))
                continue
            }
            let message: WireMessage
            do throws(WireError) {
                message = try WireCodec.decode(buffer[..<count])
            } catch {
                reject(error)
                continue
            }
            // Only hello before hello, then only what the role it claimed may send: no receiver sees the rest.
            let introduced = peerRole != nil
            do throws(SenderRefusal) {
                peerRole = try message.senderRole(on: peerRole, claimable: claimableRoles)
            } catch {
                refusedMessages += 1
                onRefused(self, error)
                continue
            }
            // Every daemon says hello once per connection, and a receiver answers a hello (vrrpd with its whole
            // state): a repeated one, same role, is counted and goes no further, so it cannot be used to make a
            // daemon repeat its answer (and its log line) thousands of times.
            if introduced, case .hello = message {
                repeatedHellos += 1
                continue
            }
            receivedMessages += 1
            onMessage(self, message)
        }
    }
}
