// vrrpd's service hears the pools' quorum from ipvsd (its client connection) and its tandem_announce addresses
// follow it; the last view stays when ipvsd goes away, so an ipvsd restart withdraws nothing.
import Foundation
import Glibc
import Logging
@testable import Platform
import Testing
import TestSupport
import Wire
@testable import vrrpd

@Suite struct VRRPServiceQuorumTests {
    static let config = """
        virtual_server 203.0.113.10 80 {
            protocol TCP
            real_server 198.51.100.1 80 {
            }
        }
        tandem_announce web {
            address 203.0.113.10
        }

        """

    /// A stand-in for ipvsd's listener: answers vrrpd's hello with its own and the quorum it is given.
    final class FakeIPVSD {
        var quorum: [WireMessage]
        private(set) var listener: MessageListener?

        init(path: String, loop: EventLoop, quorum: [WireMessage]) throws {
            self.quorum = quorum
            listener = try MessageListener(
                path: path, allowedUIDs: [getuid()], loop: loop, logger: Logger(label: "test.ipvsd") { _ in SwiftLogNoOpLogHandler() },
                onMessage: { [unowned self] connection, message in
                    guard case .hello(.vrrpd, _) = message else { return }
                    for answer in [.hello(role: .ipvsd, pid: 3), .snapshotBegin] + self.quorum + [.snapshotEnd] {
                        try? connection.send(answer)
                    }
                })
        }

        func send(_ message: WireMessage) {
            for connection in listener?.connections ?? [] { try? connection.send(message) }
        }

        func close() {
            listener?.close()
            listener = nil
        }
    }

    private func published(_ setup: ServiceOnFakeLAN) -> Bool {
        setup.a.routeControl.routes.contains { $0.table == 200 && "\($0.destination.address)" == "203.0.113.10" }
    }

    @Test func theAddressFollowsIpvsdsQuorumAndStaysWhenIpvsdGoesAway() throws {
        let setup = try ServiceOnFakeLAN(Self.config, loopback: true)
        let ipvsd = try FakeIPVSD(path: setup.context.socketPath(of: .ipvsd), loop: setup.loop,
                                  quorum: [.quorum(virtualServer: "TCP 203.0.113.10:80", up: true)])
        #expect(setup.deliver { published(setup) }, "\(setup.a.log.text)")
        ipvsd.send(.quorum(virtualServer: "TCP 203.0.113.10:80", up: false))
        #expect(setup.deliver { !published(setup) }, "\(setup.a.log.text)")
        ipvsd.send(.quorum(virtualServer: "TCP 203.0.113.10:80", up: true))
        #expect(setup.deliver { published(setup) }, "\(setup.a.log.text)")
        ipvsd.close()
        _ = setup.deliver { false }
        #expect(published(setup), "ipvsd gone: the last view stays")
    }

    /// Quorum is ipvsd's to report: the same message from checkd is refused by the connection.
    @Test func quorumFromCheckdChangesNothing() throws {
        let setup = try ServiceOnFakeLAN(Self.config, loopback: true)
        let checkd = MessageClient(path: setup.context.socketPath, loop: setup.loop,
                                   logger: Logger(label: "test.peer") { _ in SwiftLogNoOpLogHandler() },
                                   onConnect: { connection in
                                       try? connection.send(.hello(role: .checkd, pid: 2))
                                       try? connection.send(.quorum(virtualServer: "TCP 203.0.113.10:80", up: true))
                                   })
        defer { checkd.close() }
        let listener = try #require(setup.service.listener)
        #expect(setup.deliver { listener.connections.first?.refusedMessages == 1 })
        #expect(!published(setup))
    }
}
