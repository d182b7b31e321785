// A connection hands on only what its sender may send: hello first, then what the role it claimed may send, and
// a role only if the peer's uid may claim it. The rest is dropped, counted and logged, and the connection stays.
import Glibc
import Testing
import Wire
@testable import Platform
import Vocabulary
import TestSupport

private let health = WireMessage.realServerHealth(RealServerHealth(
    id: RealServerID(protocol: .tcp, virtualAddress: .ipv4(192, 0, 2, 10), virtualPort: 80,
                     realAddress: .ipv4(198, 51, 100, 7), realPort: 80),
    up: false, weight: 1))
private let master = WireMessage.instanceState(name: "VI_1", state: .master, priority: 100)

@Test func aListenerDropsWhatTheSendersRoleMayNotSend() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path + "/ipvsd.sock"
    let loop = try EventLoop()
    var received: [WireMessage] = []
    let captured = CapturedLog()
    let listener = try MessageListener(path: path, allowedUIDs: [getuid()], loop: loop,
                                       logger: captured.logger(label: "test"),
                                       onMessage: { _, message in received.append(message) })
    defer { listener.close() }
    let client = MessageClient(path: path, loop: loop, onConnect: { connection in
        for message: WireMessage in [health, .hello(role: .checkd, pid: 1), master, .quorum(virtualServer: "x", up: true),
                                     .hello(role: .vrrpd, pid: 1), health, .snapshotEnd] {
            try? connection.send(message)
        }
    })
    defer { client.close() }
    #expect(try runLoop(loop, until: { received.count == 3 && listener.refusedMessages == 4 }))
    #expect(received == [.hello(role: .checkd, pid: 1), health, .snapshotEnd])
    let connection = try #require(listener.connections.first)
    #expect(connection.peerRole == .checkd, "a later hello does not change the role")
    #expect(connection.refusedMessages == 4 && connection.droppedMessages == 0 && listener.droppedMessages == 0)
    #expect(connection.isOpen, "a refused message does not close the connection")
    let warnings = captured.entries.filter { $0.message == "dropped message its sender may not send" }
    #expect(warnings.count == 1, "one line for the burst: \(captured.entries)")
    #expect(warnings.first?.metadata["error"] == "realServerHealth before hello")
}

@Test func aClientDropsAListenerThatClaimsAnotherRole() throws {
    let dir = try TemporaryDirectory()
    let path = dir.path + "/vrrpd.sock"
    let loop = try EventLoop()
    let listener = try MessageListener(path: path, allowedUIDs: [getuid()], loop: loop, onMessage: { _, _ in },
                                       onConnect: { connection in
        try? connection.send(.hello(role: .ipvsd, pid: 1))
        try? connection.send(.quorum(virtualServer: "x", up: false))
        try? connection.send(master)
    })
    defer { listener.close() }
    var received: [WireMessage] = []
    let client = MessageClient(path: path, loop: loop, expectedRole: .vrrpd, onConnect: { _ in },
                               onMessage: { _, message in received.append(message) })
    defer { client.close() }
    #expect(try runLoop(loop, until: { client.refusedMessages == 3 }))
    #expect(received.isEmpty, "nothing after a hello of the wrong daemon counts")
    #expect(client.connection?.peerRole == nil)
}

/// A peer running as uid 65534 (a forked child, group 0 kept so the 0660 socket admits it) whose uid may claim only
/// checkd: its hello claiming vrrpd is refused, and so is the instance state after it; its hello as checkd counts.
@Test(.enabled(if: runningAsRoot, "needs root: the child must setuid(65534) to be a foreign peer"))
func aUIDMayClaimOnlyItsRoles() throws {
    let dir = try TemporaryDirectory()
    chmod(dir.path, 0o755)
    let path = dir.path + "/ipvsd.sock"
    let loop = try EventLoop()
    var received: [WireMessage] = []
    let listener = try MessageListener(path: path, allowedUIDs: [0, 65534], rolesOfUID: [65534: [.checkd]], loop: loop,
                                       onMessage: { _, message in received.append(message) })
    defer { listener.close() }
    let datagrams = [WireMessage.hello(role: .vrrpd, pid: 1), master, .hello(role: .checkd, pid: 1), health]
        .map(WireCodec.encode)
    let pid = fork()
    if pid == 0 {
        guard setgroups(0, nil) == 0, setuid(65534) == 0 else { _exit(10) }
        let fd = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0)
        guard (try? UnixSocket.withAddress(path, { connect(fd, $0, $1) })) == 0 else { _exit(11) }
        for datagram in datagrams {
            guard datagram.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == datagram.count
            else { _exit(12) }
        }
        // Stay connected until the listener has read everything and closes.
        var byte: UInt8 = 0
        _ = recv(fd, &byte, 1, 0)
        _exit(0)
    }
    #expect(pid > 0)
    #expect(try runLoop(loop, until: { received.count == 2 }))
    #expect(received == [.hello(role: .checkd, pid: 1), health])
    #expect(listener.refusedMessages == 2)
    #expect(listener.connections.first?.peerRole == .checkd)
    listener.close()
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    #expect((status >> 8) & 0xff == 0, "child exit status \(status)")
}
