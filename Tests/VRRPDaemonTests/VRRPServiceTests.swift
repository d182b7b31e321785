// vrrpd's service with its real message socket (in a temporary directory) and a fake network: what it does with
// checkd's results, and that it keeps them when checkd goes away.
import Vocabulary
import Foundation
import Glibc
@testable import DaemonKit
import Logging
@testable import Platform
import Testing
import TestSupport
import VRRP
import Wire
@testable import vrrpd

/// A VRRPService on host `a` of a fake LAN, listening in a directory of its own; its messages travel on a real
/// event loop, its VRRP on the LAN's manual one.
final class ServiceOnFakeLAN {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-vrrpd-\(UUID().uuidString.prefix(8))")
    let lan = FakeLAN()
    let a: FakeHost
    let loop: EventLoop
    let context: DaemonContext
    let service: VRRPService

    /// `loopback` gives host a its `lo` (where tandem_announce serves its addresses).
    init(_ config: String, loopback: Bool = false) throws {
        a = lan.host("a", eth0: "192.0.2.1")
        if loopback { a.plug("lo", into: "loopback", "127.0.0.1", prefixLength: 8) }
        loop = try EventLoop()
        var options = DaemonOptions()
        options.runtimeDirectory = directory.path
        context = DaemonContext(role: .vrrpd, options: options, loop: loop, logger: a.log.logger(label: "test.vrrpd"),
                                configuration: try parseConfiguration(config), allowedPeerUIDs: [getuid()],
                                progress: SystemdProgress(notifier: SystemdNotifier()))
        service = VRRPService(context, environment: { [a] _ in a.environment })
        try service.start()
    }

    deinit {
        service.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    var state: VRRPState? { service.engine?.states.first { $0.name == "VI_1" }?.state }

    /// Turns the real loop, which carries the messages, until `condition` holds (for at most two seconds).
    func deliver(until condition: () -> Bool) -> Bool {
        for _ in 0..<400 where !condition() { try? loop.runOnce(maximumWait: .milliseconds(5)) }
        return condition()
    }
}

@Suite struct VRRPServiceTests {
    static let tracked = vrrpScript("check_proxy", weight: -60)
        + Instance(state: "MASTER", priority: 150, trackScripts: ["check_proxy"]).text

    @Test func trackScriptResultsOutliveCheckdAndANewCheckdCanChangeThem() throws {
        let setup = try ServiceOnFakeLAN(Self.tracked)
        let (lan, a, service) = (setup.lan, setup.a, setup.service)
        let b = lan.host("b", eth0: "192.0.2.2")
        try b.start(Instance(priority: 100).text)

        var heard: [WireMessage] = []
        let quiet = Logger(label: "test.checkd") { _ in SwiftLogNoOpLogHandler() }
        func checkd(reporting ok: Bool) -> MessageClient {
            MessageClient(path: setup.context.socketPath, loop: setup.loop, logger: quiet, onConnect: { connection in
                try? connection.send(.hello(role: .checkd, pid: getpid()))
                try? connection.send(.trackScript(name: "check_proxy", ok: ok))
            }, onMessage: { _, message in heard.append(message) })
        }

        let first = checkd(reporting: true)
        #expect(setup.deliver { service.trackScriptResults == ["check_proxy": true] })
        #expect(setup.deliver { heard.contains(.snapshotEnd) })
        #expect(heard.contains(.instanceState(name: "VI_1", state: .backup, priority: 150)), "vrrpd answers checkd's hello with its states")
        #expect(lan.run(until: { setup.state == .master }, within: 5) != nil)
        lan.run(seconds: 1)
        #expect(a.holds(vip) && !b.holds(vip))

        // checkd goes away: the last results stay, so nothing moves however long it is gone.
        first.close()
        #expect(setup.deliver { a.log.contains("peer checkd disconnected; last track script results kept") }, "\(a.log.text)")
        lan.run(seconds: 20)
        #expect(service.trackScriptResults == ["check_proxy": true])
        #expect(setup.state == .master && a.holds(vip) && !b.holds(vip))
        #expect(service.engine?.states.first?.priority == 150)

        // A new checkd finds the proxy down: 150 − 60 = 90 < 100, and b takes over.
        let second = checkd(reporting: false)
        defer { second.close() }
        #expect(setup.deliver { service.trackScriptResults == ["check_proxy": false] })
        #expect(a.log.contains("track script check_proxy is failing"))
        #expect(lan.run(until: { b.state("VI_1") == .master && !a.holds(vip) }, within: 6) != nil)
        #expect(setup.state == .backup)
    }

    /// Track results count only from a peer that said hello as checkd: one that claims ipvsd, or says nothing,
    /// is dropped and counted, and no priority moves.
    @Test func trackScriptResultsFromAnyoneButCheckdAreDropped() throws {
        let setup = try ServiceOnFakeLAN(Self.tracked)
        let quiet = Logger(label: "test.peer") { _ in SwiftLogNoOpLogHandler() }
        func peer(_ messages: [WireMessage]) -> MessageClient {
            MessageClient(path: setup.context.socketPath, loop: setup.loop, logger: quiet,
                          onConnect: { connection in for message in messages { try? connection.send(message) } })
        }
        let ipvsd = peer([.hello(role: .ipvsd, pid: 1), .trackScript(name: "check_proxy", ok: false)])
        let anonymous = peer([.trackScript(name: "check_proxy", ok: false)])
        defer { ipvsd.close(); anonymous.close() }
        let listener = try #require(setup.service.listener)
        #expect(setup.deliver { listener.refusedMessages == 2 })
        #expect(setup.service.trackScriptResults.isEmpty)
        #expect(setup.a.log.contains("dropped message its sender may not send", at: .warning), "\(setup.a.log.text)")
        setup.lan.run(seconds: 5)
        #expect(setup.service.engine?.states.first?.priority == 150, "the script's weight was not applied")

        let checkd = peer([.hello(role: .checkd, pid: 2), .trackScript(name: "check_proxy", ok: false)])
        defer { checkd.close() }
        #expect(setup.deliver { setup.service.trackScriptResults == ["check_proxy": false] })
        #expect(listener.refusedMessages == 2)
    }

    /// Issue 19, finding 10: an admitted peer that sends results for a script the configuration does not define,
    /// thousands of times, causes one warning line (then one per interval), not one per message.
    @Test func resultsForAnUndefinedScriptAreLoggedOncePerInterval() throws {
        let setup = try ServiceOnFakeLAN(Self.tracked)
        let quiet = Logger(label: "test.peer") { _ in SwiftLogNoOpLogHandler() }
        let count = 20_000
        final class Sent { var count = 0 }
        let sent = Sent()
        let checkd = MessageClient(path: setup.context.socketPath, loop: setup.loop, logger: quiet, onConnect: { connection in
            try? connection.send(.hello(role: .checkd, pid: 2))
        })
        defer { checkd.close() }
        #expect(setup.deliver { checkd.isConnected })
        // In slices the socket's buffer takes, each slice read before the next is sent.
        while sent.count < count {
            for _ in 0..<200 where sent.count < count {
                if (try? checkd.send(.trackScript(name: "no_such_script", ok: sent.count % 2 == 0))) != nil { sent.count += 1 }
            }
            for _ in 0..<20 { try? setup.loop.runOnce(maximumWait: .milliseconds(1)) }
        }
        let listener = try #require(setup.service.listener)
        #expect(setup.deliver { listener.connections.first?.receivedMessages ?? 0 >= count + 1 })
        let lines = setup.a.log.entries.filter { $0.message.contains("which the configuration does not define") }
        #expect(lines.count == 1, "\(lines.count) lines for \(count) messages")
        #expect(setup.service.trackScriptResults.isEmpty)
    }

    /// A repeated hello from checkd used to make vrrpd send its whole state (and log "checkd connected") again,
    /// each time: now the connection counts it and nothing answers.
    @Test func aRepeatedHelloIsNotAnswered() throws {
        let setup = try ServiceOnFakeLAN(Self.tracked)
        let quiet = Logger(label: "test.peer") { _ in SwiftLogNoOpLogHandler() }
        final class Heard { var snapshots = 0 }
        let heard = Heard()
        let checkd = MessageClient(path: setup.context.socketPath, loop: setup.loop, logger: quiet,
                                   onConnect: { connection in
                                       for _ in 0..<100 { try? connection.send(.hello(role: .checkd, pid: 2)) }
                                   },
                                   onMessage: { _, message in if message == .snapshotBegin { heard.snapshots += 1 } })
        defer { checkd.close() }
        let listener = try #require(setup.service.listener)
        #expect(setup.deliver { listener.connections.first?.repeatedHellos == 99 })
        _ = setup.deliver { false }
        #expect(heard.snapshots == 1)
        #expect(setup.a.log.entries.filter { $0.message.contains("checkd connected") }.count == 1, "\(setup.a.log.text)")
    }

    @Test func aSnapshotThatCannotBeSentIsLogged() throws {
        let setup = try ServiceOnFakeLAN(Self.tracked)
        // A checkd that says hello and is gone before vrrpd answers.
        let peer = OwnedDescriptor(adopting: socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0))
        #expect(peer.rawValue >= 0)
        #expect(try UnixSocket.connect(peer, to: setup.context.socketPath) == 0)
        let hello = WireCodec.encode(.hello(role: .checkd, pid: getpid()))
        #expect(hello.withUnsafeBytes { send(peer.rawValue, $0.baseAddress, $0.count, 0) } == hello.count)
        peer.close()
        #expect(setup.deliver { setup.a.log.contains("could not send the instances' states to checkd", at: .warning) },
                "\(setup.a.log.text)")
    }
}
