// ipvsd's service in process: its real message socket in a temporary runtime directory, the fake kernel behind
// its netlink, and test peers that talk to it as checkd and vrrpd do.
import Foundation
import Glibc
@testable import DaemonKit
@testable import IPVS
import KeepalivedConfig
import Logging
@testable import Platform
import TestSupport
import Vocabulary
import Wire
@testable import ipvsd

/// The configuration as ipvsd reads it.
func ipvsdConfiguration(_ text: String) throws -> KeepalivedConfiguration { try configuration(text, as: [.virtualServers]) }

/// One ipvsd process's life: started on `kernel` with `directory` as its runtime directory (kept across
/// restarts, as /run/tandem is), stopped when released.
final class IPVSDaemonInProcess {
    let kernel: FakeIPVSKernel
    let loop: EventLoop
    let log = CapturedLog()
    let context: DaemonContext
    let service: IPVSDaemonService

    init(_ config: String, kernel: FakeIPVSKernel, directory: TemporaryDirectory) throws {
        self.kernel = kernel
        loop = try EventLoop()
        var options = DaemonOptions()
        options.runtimeDirectory = directory.path
        context = DaemonContext(role: .ipvsd, options: options, loop: loop, logger: log.logger(label: "test"),
                                configuration: try ipvsdConfiguration(config), allowedPeerUIDs: [getuid()],
                                progress: SystemdProgress(notifier: SystemdNotifier()))
        service = try IPVSDaemonService(context, openKernel: { _ in
            IPVSKernel(transport: kernel, familyID: FakeIPVSKernel.family)
        })
        try service.start()
    }

    deinit { service.shutdown() }

    var listener: MessageListener { service.listener! }

    /// Turns the loop until `condition` holds, for at most two seconds.
    @discardableResult
    func deliver(until condition: () -> Bool) -> Bool {
        (try? runLoop(loop, timeout: .seconds(2), until: condition)) ?? false
    }

    /// Turns the loop for `duration`, for what must not happen.
    func idle(_ duration: Duration = .milliseconds(200)) {
        _ = try? runLoop(loop, timeout: duration) { false }
    }

    /// A peer that connects to ipvsd's socket and sends `messages` (its hello included, or not) on connect.
    func peer(sending messages: [WireMessage]) -> TestPeer {
        TestPeer(path: context.socketPath, loop: loop, sending: messages)
    }

    /// A checkd: hello, then its health snapshot.
    func checkd(_ health: [RealServerHealth]) -> TestPeer {
        peer(sending: [.hello(role: .checkd, pid: 1), .snapshotBegin] + health.map { .realServerHealth($0) } + [.snapshotEnd])
    }
}

/// A client of a daemon's socket that sends a fixed list on connect and records what it hears.
final class TestPeer {
    private final class Heard { var messages: [WireMessage] = [] }
    private let heardBox = Heard()
    let client: MessageClient

    init(path: String, loop: EventLoop, sending messages: [WireMessage]) {
        let box = heardBox
        client = MessageClient(path: path, loop: loop, logger: Logger(label: "test.peer") { _ in SwiftLogNoOpLogHandler() },
                               onConnect: { connection in for message in messages { try? connection.send(message) } },
                               onMessage: { _, message in box.messages.append(message) })
    }

    var heard: [WireMessage] { heardBox.messages }

    func send(_ message: WireMessage) throws { try client.send(message) }

    deinit { client.close() }
}

/// checkd's verdict on a real server of 192.0.2.93:80.
func verdict(_ realServer: String, port: UInt16 = 80, up: Bool, weight: Int32 = 1) -> RealServerHealth {
    RealServerHealth(id: RealServerID(protocol: .tcp, virtualAddress: IPAddress("192.0.2.93")!, virtualPort: 80,
                                      realAddress: IPAddress(realServer)!, realPort: port), up: up, weight: weight)
}
