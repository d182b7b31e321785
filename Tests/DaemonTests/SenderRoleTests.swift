// Each daemon takes a message only from the daemon that may send it (`WireMessage.expectedSenders`, the role its
// peer claimed in hello): the rest is dropped, counted and logged once per burst, and changes nothing. ipvsd and
// checkd run in process here; vrrpd's case is in VRRPDaemonTests' VRRPServiceTests.
import Foundation
import Glibc
@testable import DaemonKit
@testable import IPVS
import KeepalivedConfig
import Logging
@testable import Platform
import Testing
import TestSupport
import Vocabulary
import Wire
@testable import checkd
@testable import ipvsd

private let web: IPVSServiceKey = .address(.tcp, IPAddress("192.0.2.93")!, port: 80)
private let rs72 = IPVSDestinationKey(address: IPAddress("198.51.100.72")!, port: 80)

private let syncedConfig = """
    global_defs {
        lvs_sync_daemon eth0 VI_1
    }
    vrrp_instance VI_1 {
        interface lo
        virtual_router_id 51
        priority 100
        virtual_ipaddress {
            192.0.2.10
        }
    }
    virtual_server 192.0.2.93 80 {
        protocol TCP
        lb_kind DR
        real_server 198.51.100.72 80 {
            TCP_CHECK {
            }
        }
    }
    """

@Suite(.serialized) struct SenderRoleTests {
    @Test func ipvsdTakesHealthOnlyFromCheckdAndInstanceStatesOnlyFromVrrpd() throws {
        let kernel = FakeIPVSKernel()
        let directory = try TemporaryDirectory()
        let ipvsd = try IPVSDaemonInProcess(syncedConfig, kernel: kernel, directory: directory)
        let table = kernel.table
        #expect(table.servers[web]?.destinations.keys.sorted() == [rs72])
        let master = WireMessage.instanceState(name: "VI_1", state: .master, priority: 100)
        let down = WireMessage.realServerHealth(verdict("198.51.100.72", up: false))

        let checkd = ipvsd.peer(sending: [.hello(role: .checkd, pid: 1), master, .quorum(virtualServer: "x", up: false)])
        let vrrpd = ipvsd.peer(sending: [.hello(role: .vrrpd, pid: 2), down])
        let anonymous = ipvsd.peer(sending: [down, master])
        #expect(ipvsd.deliver { ipvsd.listener.refusedMessages == 5 }, "\(ipvsd.listener.refusedMessages)")
        ipvsd.idle(.milliseconds(50))
        #expect(kernel.syncDaemons.isEmpty, "no sync daemon from checkd's or an anonymous instance state")
        #expect(kernel.table == table, "no health from vrrpd or an anonymous peer")
        #expect(ipvsd.service.keeper.health.isEmpty)
        #expect(ipvsd.listener.droppedMessages == 0)
        #expect(ipvsd.log.entries.filter { $0.message == "dropped message its sender may not send" }.count == 1,
                "one line for the burst: \(ipvsd.log.text)")

        // The same messages from the daemons that may send them do count.
        try vrrpd.send(master)
        try checkd.send(down)
        #expect(ipvsd.deliver { kernel.syncDaemons[.master] != nil && kernel.table.servers[web]?.destinations.isEmpty == true })
        #expect(ipvsd.listener.refusedMessages == 5)
        _ = anonymous
    }

    /// checkd's connections refuse a listener that claims another daemon's role, and what that daemon may not
    /// send: no notify script runs for them. The fake vrrpd first claims to be ipvsd, then says what it is.
    @Test func checkdTakesInstanceStatesOnlyFromVrrpdAndQuorumOnlyFromIpvsd() throws {
        let directory = try TemporaryDirectory()
        let notified = directory.path("notified")
        let script = try directory.write("notify.sh", "#!/bin/sh\necho \"$*\" >> \(notified)\n", mode: 0o755)
        let text = """
            vrrp_instance VI_1 {
                interface lo
                virtual_router_id 51
                priority 100
                virtual_ipaddress {
                    192.0.2.10
                }
                notify "\(script)"
            }
            virtual_server 192.0.2.93 80 {
                protocol TCP
                quorum_up "\(script) quorum-up"
                quorum_down "\(script) quorum-down"
                real_server 198.51.100.72 80 {
                }
            }
            """
        let result = ConfigLoader.parse(text)
        let configuration = try #require(result.configuration(for: [.vrrp, .virtualServers]), "\(result.errors)")
        let loop = try EventLoop()
        var options = DaemonOptions()
        options.runtimeDirectory = directory.path
        let log = CapturedLog()
        let context = DaemonContext(role: .checkd, options: options, loop: loop, logger: log.logger(label: "test"),
                                    configuration: configuration, allowedPeerUIDs: [getuid()],
                                    progress: SystemdProgress(notifier: SystemdNotifier()))
        let pool = "TCP 192.0.2.93:80"
        let fakeVRRPD = try MessageListener(path: context.socketPath(of: .vrrpd), allowedUIDs: [getuid()], loop: loop,
                                            onMessage: { connection, message in
            guard case .hello(.checkd, _) = message else { return }
            for answer: WireMessage in [.hello(role: .ipvsd, pid: 1), .instanceState(name: "VI_1", state: .master, priority: 100),
                                        .hello(role: .vrrpd, pid: 2), .quorum(virtualServer: pool, up: false),
                                        .instanceState(name: "VI_1", state: .backup, priority: 100)] {
                try? connection.send(answer)
            }
        })
        defer { fakeVRRPD.close() }
        let fakeIPVSD = try MessageListener(path: context.socketPath(of: .ipvsd), allowedUIDs: [getuid()], loop: loop,
                                            onMessage: { connection, message in
            guard case .snapshotEnd = message else { return }
            for answer: WireMessage in [.hello(role: .ipvsd, pid: 3), .snapshotBegin, .quorum(virtualServer: pool, up: true),
                                        .snapshotEnd, .instanceState(name: "VI_1", state: .fault, priority: 0),
                                        .quorum(virtualServer: pool, up: false)] {
                try? connection.send(answer)
            }
        })
        defer { fakeIPVSD.close() }

        let checkd = CheckService(context)
        checkd.start()
        defer { checkd.shutdown() }
        func lines() -> [String] {
            ((try? String(contentsOfFile: notified, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        #expect(try runLoop(loop, timeout: .seconds(5)) {
            Set(lines()) == ["INSTANCE VI_1 BACKUP 100", "quorum-down"] }, "\(lines())\n\(log.text)")
        try runLoop(loop, timeout: .milliseconds(300)) { false }
        #expect(lines().count == 2, "no script for MASTER (from a peer claiming ipvsd) or FAULT (from ipvsd): \(lines())")
        #expect(checkd.vrrpd?.refusedMessages == 3, "the hello as ipvsd, the state after it, the quorum from vrrpd")
        #expect(checkd.ipvsd?.refusedMessages == 1, "the instance state from ipvsd")
        #expect(log.contains("dropped message its sender may not send", at: .warning))
    }

    @Test func aPeerUserMayClaimOnlyCheckd() throws {
        var options = DaemonOptions()
        options.runtimeDirectory = "/nonexistent"
        let context = DaemonContext(role: .ipvsd, options: options, loop: try EventLoop(),
                                    logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
                                    configuration: KeepalivedConfiguration(), allowedPeerUIDs: [0, getuid(), 999],
                                    progress: SystemdProgress(notifier: SystemdNotifier()))
        #expect(context.rolesOfPeerUID == (getuid() == 999 ? [:] : [999: [.checkd]]),
                "root and ipvsd's own uid may claim any role")
    }
}

/// Issue 19, the class of finding 10: a message that makes a daemon answer must not be usable to make it answer
/// at will. A checkd's repeated snapshotEnd gets ipvsd's quorum view once per connection; a repeated hello goes
/// no further than the connection, which counts it.
@Suite(.serialized) struct AnswerAmplificationTests {
    @Test func ipvsdAnswersOneSnapshotPerConnection() throws {
        let kernel = FakeIPVSKernel()
        let directory = try TemporaryDirectory()
        let ipvsd = try IPVSDaemonInProcess(syncedConfig, kernel: kernel, directory: directory)
        let flood = [WireMessage.hello(role: .checkd, pid: 1)] + Array(repeating: .hello(role: .checkd, pid: 1), count: 50)
            + [.snapshotBegin] + Array(repeating: WireMessage.snapshotEnd, count: 200)
        let checkd = ipvsd.peer(sending: flood)
        #expect(ipvsd.deliver { ipvsd.listener.connections.first?.receivedMessages ?? 0 >= 202 })
        ipvsd.idle()
        let hellos = checkd.heard.filter { if case .hello = $0 { return true } else { return false } }.count
        let ends = checkd.heard.filter { $0 == .snapshotEnd }.count
        #expect(hellos == 1 && ends == 1, "one answer for 200 snapshotEnds: \(checkd.heard.count) messages heard")
        #expect(ipvsd.listener.connections.first?.repeatedHellos == 50)
    }
}
