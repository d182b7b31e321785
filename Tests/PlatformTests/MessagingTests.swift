import Glibc
import Testing
import Wire
@testable import Platform
import Vocabulary
import TestSupport

private let vip = IPAddress.ipv4(192, 0, 2, 10)
private let rip = IPAddress.ipv4(198, 51, 100, 7)
private let health = WireMessage.realServerHealth(RealServerHealth(
    id: RealServerID(protocol: .tcp, virtualAddress: vip, virtualPort: 80, realAddress: rip, realPort: 80),
    up: true, weight: 3))

/// A raw SEQPACKET socket connected to `path`, for sending hand-made datagrams.
private func rawClient(_ path: String) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0)
    guard fd >= 0 else { throw SystemError.current("socket") }
    guard try UnixSocket.withAddress(path, { connect(fd, $0, $1) }) == 0 else { throw SystemError.current("connect") }
    return fd
}

@Test func roundTripKeepsMessageBoundariesBothWays() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path + "/run/ipvsd.sock"  // the listener creates the missing directory
    let loop = try EventLoop()
    var atListener: [WireMessage] = []
    var atClient: [WireMessage] = []
    var listenerSawConnect = 0
    let listener = try MessageListener(
        path: path, allowedUIDs: [getuid()], loop: loop,
        onMessage: { _, message in atListener.append(message) },
        onConnect: { connection in
            listenerSawConnect += 1
            try? connection.send(.hello(role: .vrrpd, pid: getpid()))
            try? connection.send(.instanceState(name: "VI_1", state: .master, priority: 150))
        })
    defer { listener.close() }
    let snapshot: [WireMessage] = [
        .hello(role: .checkd, pid: getpid()), .snapshotBegin, health,
        .trackScript(name: "chk_nginx", ok: false), .snapshotEnd,
    ]
    let client = MessageClient(
        path: path, loop: loop,
        onConnect: { connection in for message in snapshot { try? connection.send(message) } },
        onMessage: { _, message in atClient.append(message) })
    defer { client.close() }

    #expect(try runLoop(loop, until: { atListener.count == snapshot.count && atClient.count == 2 }))
    #expect(atListener == snapshot, "five sends arrive as five messages, in order")
    #expect(atClient == [.hello(role: .vrrpd, pid: getpid()), .instanceState(name: "VI_1", state: .master, priority: 150)])
    #expect(listenerSawConnect == 1)
    let connection = try #require(listener.connections.first)
    #expect(connection.peer.uid == getuid())
    #expect(connection.peer.pid == getpid())
    #expect(connection.peerRole == .checkd)
    #expect(listener.droppedMessages == 0)
    #expect(listener.refusedMessages == 0 && client.refusedMessages == 0)

    var info = stat()
    #expect(lstat(path, &info) == 0)
    #expect(info.st_mode & 0o777 == 0o660, "socket mode 0660")
}

@Test func malformedDatagramsAreCountedAndDroppedWithoutClosing() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path + "/checkd.sock"
    let loop = try EventLoop()
    var received: [WireMessage] = []
    var disconnects = 0
    let listener = try MessageListener(path: path, allowedUIDs: [getuid()], loop: loop,
                                       onMessage: { _, message in received.append(message) },
                                       onDisconnect: { _ in disconnects += 1 })
    defer { listener.close() }
    let fd = try rawClient(path)
    defer { close(fd) }
    let hello = WireCodec.encode(.hello(role: .checkd, pid: getpid()))
    #expect(hello.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) } == hello.count)
    let valid = WireCodec.encode(health)
    var badVersion = valid
    badVersion[2] = 9
    let garbage: [[UInt8]] = [
        [],                                                    // empty datagram
        [1, 2, 3],                                             // shorter than a header
        Array(valid.dropLast()),                               // truncated
        valid + [0],                                           // trailing byte
        badVersion,                                            // unsupported version
        [UInt8](repeating: 0x54, count: WireCodec.maxMessageSize + 100),  // oversized
    ]
    for datagram in garbage {
        #expect(datagram.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) } == datagram.count)
    }
    #expect(valid.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) } == valid.count)

    #expect(try runLoop(loop, until: { received.count == 2 }))
    #expect(received.last == health, "the valid message after the garbage still arrives")
    #expect(listener.droppedMessages == garbage.count)
    #expect(listener.connections.first?.droppedMessages == garbage.count)
    #expect(disconnects == 0 && listener.connections.count == 1, "garbage never closes the connection")

    // An orderly close by the peer is not mistaken for an empty datagram.
    shutdown(fd, Int32(SHUT_WR))
    #expect(try runLoop(loop, until: { disconnects == 1 }))
    #expect(listener.connections.isEmpty)
    #expect(listener.droppedMessages == garbage.count)
}

@Test func clientReconnectsAfterTheListenerRestartsAndResendsItsSnapshot() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path + "/vrrpd.sock"
    let loop = try EventLoop()
    var received: [WireMessage] = []
    func makeListener() throws -> MessageListener {
        try MessageListener(path: path, allowedUIDs: [getuid()], loop: loop,
                            onMessage: { _, message in received.append(message) })
    }
    var connects = 0, disconnects = 0
    let client = MessageClient(
        path: path, loop: loop, initialBackoff: .milliseconds(20), maximumBackoff: .milliseconds(80),
        onConnect: { connection in
            connects += 1
            try? connection.send(.hello(role: .checkd, pid: getpid()))
            try? connection.send(.snapshotBegin)
            try? connection.send(.trackScript(name: "chk", ok: true))
            try? connection.send(.snapshotEnd)
        },
        onDisconnect: { _ in disconnects += 1 })
    defer { client.close() }

    // No listener yet: the client keeps retrying without calling onConnect.
    try loop.runOnce(maximumWait: .milliseconds(50))
    try runLoop(loop, timeout: .milliseconds(100), until: { false })
    #expect(connects == 0 && !client.isConnected)
    #expect(throws: MessageSendError.notConnected) { try client.send(.snapshotBegin) }

    var first: MessageListener? = try makeListener()
    #expect(try runLoop(loop, until: { received.count == 4 }))
    #expect(connects == 1 && client.isConnected)

    first?.close()
    first = nil
    #expect(try runLoop(loop, until: { disconnects == 1 }))
    #expect(!client.isConnected)

    let second = try makeListener()
    defer { second.close() }
    #expect(try runLoop(loop, until: { received.count == 8 }))
    #expect(connects == 2 && client.connectCount == 2)
    #expect(Array(received[4...]) == [.hello(role: .checkd, pid: getpid()), .snapshotBegin,
                                      .trackScript(name: "chk", ok: true), .snapshotEnd])
    try client.send(.trackScript(name: "chk", ok: false))
    #expect(try runLoop(loop, until: { received.count == 9 }))
}

@Test func staleSocketIsReplacedButALiveOneIsNot() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path + "/stale.sock"
    // A socket file left behind by a crashed daemon: bound, then closed without unlink.
    let fd = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0)
    #expect(try UnixSocket.withAddress(path) { bind(fd, $0, $1) } == 0)
    close(fd)
    let loop = try EventLoop()
    let listener = try MessageListener(path: path, allowedUIDs: [getuid()], loop: loop, onMessage: { _, _ in })
    defer { listener.close() }
    #expect(throws: SystemError.self) {
        try MessageListener(path: path, allowedUIDs: [getuid()], loop: loop, onMessage: { _, _ in })
    }
    // A regular file in the way is never deleted.
    let filePath = dir.path + "/not-a-socket"
    close(open(filePath, O_CREAT | O_WRONLY, 0o600))
    #expect(throws: SystemError.self) {
        try MessageListener(path: filePath, allowedUIDs: [getuid()], loop: loop, onMessage: { _, _ in })
    }
    #expect(access(filePath, F_OK) == 0)
}

@Test func clientRefusesAListenerOfAnUnexpectedUID() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path + "/x.sock"
    let loop = try EventLoop()
    let listener = try MessageListener(path: path, allowedUIDs: [getuid()], loop: loop, onMessage: { _, _ in })
    defer { listener.close() }
    var connects = 0
    let client = MessageClient(path: path, loop: loop, expectedServerUIDs: [getuid() &+ 1],
                               initialBackoff: .milliseconds(10), onConnect: { _ in connects += 1 })
    defer { client.close() }
    try runLoop(loop, timeout: .milliseconds(150), until: { false })
    #expect(connects == 0 && !client.isConnected)
}

/// The peer drops to uid 65534 in a forked child (group 0 stays, so the 0660 socket admits it):
/// the listener allowing only root must refuse it, and one allowing 65534 must admit it.
@Test(.enabled(if: runningAsRoot, "needs root: the child must setuid(65534) to be a foreign peer"))
func peerCredentialsDecideAdmission() throws {
    for allowNobody in [false, true] {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        chmod(dir.path, 0o755)
        let path = dir.path + "/ipvsd.sock"
        let loop = try EventLoop()
        var received: [(uid: uid_t, message: WireMessage)] = []
        let listener = try MessageListener(path: path, allowedUIDs: allowNobody ? [0, 65534] : [0], loop: loop,
                                           onMessage: { connection, message in received.append((connection.peer.uid, message)) },
                                           onConnect: { try? $0.send(.snapshotBegin) })
        defer { listener.close() }
        let hello = WireCodec.encode(.hello(role: .checkd, pid: 1))

        let pid = fork()
        if pid == 0 {
            // Child: become nobody (keeping gid 0), connect, send, then wait for the verdict:
            // 20 closed by the listener, 22 admitted and greeted, 21 neither within 3 s.
            guard setgroups(0, nil) == 0, setuid(65534) == 0 else { _exit(10) }
            let fd = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0)
            guard (try? UnixSocket.withAddress(path, { connect(fd, $0, $1) })) == 0 else { _exit(11) }
            _ = hello.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            var timeout = timeval(tv_sec: 3, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var answer = [UInt8](repeating: 0, count: 64)
            let count = recv(fd, &answer, answer.count, 0)
            // Closed by the listener: EOF, or ECONNRESET because our hello was still unread.
            let closedByListener = count == 0 || (count < 0 && errno == ECONNRESET)
            _exit(closedByListener ? 20 : count == WireCodec.encode(.snapshotBegin).count ? 22 : 21)
        }
        #expect(pid > 0)
        if allowNobody {
            #expect(try runLoop(loop, until: { received.count == 1 }))
            // Checked from the message: the child exits, closing the connection, once greeted.
            #expect(received.first?.uid == 65534)
            #expect(received.first?.message == .hello(role: .checkd, pid: 1))
            #expect(listener.refusedConnections == 0)
        } else {
            #expect(try runLoop(loop, until: { listener.refusedConnections == 1 }))
            #expect(listener.connections.isEmpty && received.isEmpty)
        }
        var status: Int32 = 0
        // The child returns within 3 s either way; keep turning so the listener answers.
        let deadline = MonotonicInstant.now + .seconds(6)
        while waitpid(pid, &status, WNOHANG) == 0 && MonotonicInstant.now < deadline {
            try loop.runOnce(maximumWait: .milliseconds(20))
        }
        if MonotonicInstant.now >= deadline { kill(pid, SIGKILL); waitpid(pid, &status, 0) }
        #expect((status >> 8) & 0xff == (allowNobody ? 22 : 20), "child exit status \(status)")
    }
}
