// A restart of ipvsd changes no IPVS rule: the restarted process keeps what the kernel's table shows for every
// checked real server of a service it managed before, until checkd reports on that server; then only the real
// differences are applied. At the first start after boot, and for what is new in the configuration, the start
// states apply as before. ipvsd runs in process on the fake kernel, with checkd played by a test peer.
import Foundation
@testable import IPVS
import Testing
import TestSupport
import Vocabulary
import Wire
@testable import ipvsd

private let web: IPVSServiceKey = .address(.tcp, IPAddress("192.0.2.93")!, port: 80)
private let rs72 = IPVSDestinationKey(address: IPAddress("198.51.100.72")!, port: 80)
private let rs80 = IPVSDestinationKey(address: IPAddress("198.51.100.80")!, port: 80)
private let rs99 = IPVSDestinationKey(address: IPAddress("198.51.100.99")!, port: 80)
private let sorryKey = IPVSDestinationKey(address: IPAddress("203.0.113.9")!, port: 80)
private let pool = "TCP 192.0.2.93:80"

/// 192.0.2.93:80 with checked real servers .72 (weight 1) and .80 (weight 2), and the options asked for.
private func config(inhibit: Bool = false, alpha: Bool = false, sorryServer: Bool = false, quorum: Int = 1,
                    extraRealServer: Bool = false, checked: Bool = true, extraService: Bool = false) -> String {
    func realServer(_ address: String, weight: Int) -> String {
        "    real_server \(address) 80 {\n        weight \(weight)\n" + (inhibit ? "        inhibit_on_failure\n" : "")
            + (checked ? "        TCP_CHECK {\n        }\n" : "") + "    }\n"
    }
    var text = "virtual_server 192.0.2.93 80 {\n    protocol TCP\n    lb_kind DR\n    quorum \(quorum)\n"
    if alpha { text += "    alpha\n" }
    if sorryServer { text += "    sorry_server 203.0.113.9 80\n" }
    text += realServer("198.51.100.72", weight: 1) + realServer("198.51.100.80", weight: 2)
    if extraRealServer { text += realServer("198.51.100.99", weight: 1) }
    text += "}\n"
    if extraService { text += "virtual_server 192.0.2.95 80 {\n    protocol TCP\n    lb_kind DR\n" + realServer("198.51.100.72", weight: 1) + "}\n" }
    return text
}

/// Destination → weight of 192.0.2.93:80 in the fake kernel.
private func weights(_ kernel: FakeIPVSKernel) -> [IPVSDestinationKey: Int32] {
    (kernel.table.servers[web]?.destinations ?? [:]).mapValues(\.weight)
}

/// An earlier ipvsd: started on `kernel`, given checkd's `health`, stopped.
private func earlierRun(_ text: String, _ health: [RealServerHealth], kernel: FakeIPVSKernel,
                        directory: TemporaryDirectory) throws {
    let ipvsd = try IPVSDaemonInProcess(text, kernel: kernel, directory: directory)
    let checkd = ipvsd.checkd(health)
    #expect(ipvsd.deliver { checkd.heard.contains(.snapshotEnd) }, "ipvsd took checkd's snapshot: \(ipvsd.log.text)")
}

/// ipvsd started again on the same kernel and runtime directory: its start must send no modifying request.
private func restartChangingNothing(_ text: String, kernel: FakeIPVSKernel,
                                    directory: TemporaryDirectory) throws -> IPVSDaemonInProcess {
    let table = kernel.table
    let sent = kernel.mutatingRequests
    let ipvsd = try IPVSDaemonInProcess(text, kernel: kernel, directory: directory)
    #expect(kernel.mutatingRequests == sent, "the start reconcile changed the kernel: \(ipvsd.log.text)")
    #expect(kernel.table == table)
    #expect(kernel.flushes == 0)
    return ipvsd
}

/// Lets checkd's snapshot (or message) in; returns how many modifying requests it cost.
private func applied(by checkd: TestPeer, on ipvsd: IPVSDaemonInProcess, until done: () -> Bool) -> Int {
    let sent = ipvsd.kernel.mutatingRequests
    #expect(ipvsd.deliver { checkd.heard.contains(.snapshotEnd) && done() }, "\(ipvsd.log.text)")
    ipvsd.idle(.milliseconds(50))
    return ipvsd.kernel.mutatingRequests - sent
}

@Suite(.serialized) struct IPVSRestartTests {
    @Test func aServerCheckedDownStaysOutAcrossARestartUntilCheckdSaysOtherwise() throws {
        let directory = try TemporaryDirectory()
        let kernel = FakeIPVSKernel()
        try earlierRun(config(), [verdict("198.51.100.72", up: false), verdict("198.51.100.80", up: true, weight: 2)],
                       kernel: kernel, directory: directory)
        #expect(weights(kernel) == [rs80: 2])

        let ipvsd = try restartChangingNothing(config(), kernel: kernel, directory: directory)
        #expect(ipvsd.log.contains("2 real server(s) of 1 virtual server(s) kept as the kernel has them"))
        #expect(ipvsd.service.keeper.provisional == [pool: [rs72, rs80]])
        // checkd's snapshot: .72 is back, .80 unchanged. One NEW_DEST, nothing else.
        let checkd = ipvsd.checkd([verdict("198.51.100.72", up: true), verdict("198.51.100.80", up: true, weight: 2)])
        #expect(applied(by: checkd, on: ipvsd) { weights(kernel) == [rs72: 1, rs80: 2] } == 1)
        #expect(ipvsd.service.keeper.provisional.isEmpty)
    }

    @Test func anInhibitedServerStaysAtWeightZero() throws {
        let directory = try TemporaryDirectory()
        let kernel = FakeIPVSKernel()
        try earlierRun(config(inhibit: true), [verdict("198.51.100.72", up: true), verdict("198.51.100.80", up: false, weight: 2)],
                       kernel: kernel, directory: directory)
        #expect(weights(kernel) == [rs72: 1, rs80: 0])

        let ipvsd = try restartChangingNothing(config(inhibit: true), kernel: kernel, directory: directory)
        let checkd = ipvsd.checkd([verdict("198.51.100.72", up: true), verdict("198.51.100.80", up: false, weight: 2)])
        #expect(applied(by: checkd, on: ipvsd) { ipvsd.service.keeper.provisional.isEmpty } == 0, "checkd agrees")
        try checkd.send(.realServerHealth(verdict("198.51.100.80", up: true, weight: 2)))
        #expect(ipvsd.deliver { weights(kernel) == [rs72: 1, rs80: 2] })
    }

    /// Under alpha a server starts down: without the kernel's state, the restart would take .72 out.
    @Test func underAlphaALiveServerStaysIn() throws {
        let directory = try TemporaryDirectory()
        let kernel = FakeIPVSKernel()
        try earlierRun(config(alpha: true), [verdict("198.51.100.72", up: true)], kernel: kernel, directory: directory)
        #expect(weights(kernel) == [rs72: 1], ".80 has no verdict yet: down under alpha")

        let ipvsd = try restartChangingNothing(config(alpha: true), kernel: kernel, directory: directory)
        let checkd = ipvsd.checkd([verdict("198.51.100.72", up: true), verdict("198.51.100.80", up: true, weight: 2)])
        #expect(applied(by: checkd, on: ipvsd) { weights(kernel) == [rs72: 1, rs80: 2] } == 1)
    }

    /// The sorry server stays in while the kernel shows the quorum lost. A quorum computed while a server's
    /// verdict is still provisional is applied to the table but announced to checkd (which runs quorum_up) only
    /// once checkd has reported on every server of the pool.
    @Test func anActiveSorryServerStaysAndTheQuorumIsAnnouncedOnceCheckdHasReportedOnThePool() throws {
        let directory = try TemporaryDirectory()
        let kernel = FakeIPVSKernel()
        let text = config(sorryServer: true)
        try earlierRun(text, [verdict("198.51.100.72", up: false), verdict("198.51.100.80", up: false, weight: 2)],
                       kernel: kernel, directory: directory)
        #expect(weights(kernel) == [sorryKey: 1])

        let ipvsd = try restartChangingNothing(text, kernel: kernel, directory: directory)
        #expect(ipvsd.service.keeper.quorumUp == [pool: false])
        // This checkd has a result for .72 only: up, so the pool regains its quorum and the sorry server leaves.
        let checkd = ipvsd.checkd([verdict("198.51.100.72", up: true)])
        #expect(applied(by: checkd, on: ipvsd) { weights(kernel) == [rs72: 1] } == 2, "NEW_DEST .72, DEL_DEST sorry")
        #expect(checkd.heard.filter { if case .quorum = $0 { true } else { false } } == [.quorum(virtualServer: pool, up: false)],
                "the announced view in the snapshot, and no change while .80 is provisional: \(checkd.heard)")
        try checkd.send(.realServerHealth(verdict("198.51.100.80", up: false, weight: 2)))
        #expect(ipvsd.deliver { checkd.heard.last == .quorum(virtualServer: pool, up: true) }, "\(checkd.heard)")
        #expect(weights(kernel) == [rs72: 1])
    }

    @Test func theFirstStartAfterBootUsesTheStartStates() throws {
        for alpha in [false, true] {
            let kernel = FakeIPVSKernel()
            let directory = try TemporaryDirectory()
            let ipvsd = try IPVSDaemonInProcess(config(alpha: alpha), kernel: kernel, directory: directory)
            #expect(weights(kernel) == (alpha ? [:] : [rs72: 1, rs80: 2]))
            #expect(kernel.table.servers[web] != nil)
            #expect(ipvsd.service.keeper.provisional.isEmpty)
        }
    }

    /// A real server and a service added to the file while ipvsd was down: their start states, nothing else.
    @Test func whatWasAddedWhileIpvsdWasDownGetsItsStartState() throws {
        let directory = try TemporaryDirectory()
        let kernel = FakeIPVSKernel()
        try earlierRun(config(), [verdict("198.51.100.72", up: false)], kernel: kernel, directory: directory)
        #expect(weights(kernel) == [rs80: 2])
        let sent = kernel.mutatingRequests
        let ipvsd = try IPVSDaemonInProcess(config(extraRealServer: true, extraService: true), kernel: kernel,
                                            directory: directory)
        #expect(weights(kernel) == [rs80: 2, rs99: 1], ".72 stays out, .99 is new and up")
        let added = kernel.table.servers[.address(.tcp, IPAddress("192.0.2.95")!, port: 80)]
        #expect(added?.destinations.keys.sorted() == [rs72], "a new service: start states")
        #expect(kernel.mutatingRequests - sent == 3, "NEW_DEST .99, NEW_SVC and NEW_DEST of 192.0.2.95")
        #expect(ipvsd.service.keeper.provisional == [pool: [rs72, rs80]])
    }

    /// Without checkd the provisional state stays: the table stays as it is, and is kept so.
    @Test func withoutCheckdTheTableStaysAsItIs() throws {
        let directory = try TemporaryDirectory()
        let kernel = FakeIPVSKernel()
        try earlierRun(config(), [verdict("198.51.100.72", up: false)], kernel: kernel, directory: directory)
        let ipvsd = try restartChangingNothing(config(), kernel: kernel, directory: directory)
        #expect(ipvsd.service.keeper.reconcile(reason: "periodic") == ReconcileSummary())
        // Someone puts .72 back with ipvsadm: the next periodic reconcile takes it out again.
        try kernel.table.apply(.addDestination(web, IPVSDestination(key: rs72, forwarding: .route, weight: 1)))
        #expect(ipvsd.service.keeper.reconcile(reason: "periodic") == ReconcileSummary(applied: 1, failed: 0))
        #expect(weights(kernel) == [rs80: 2])
        #expect(ipvsd.service.keeper.provisional == [pool: [rs72, rs80]])
    }

    /// checkd never reports on a server without checkers: a reload that removes them makes it alive as configured.
    @Test func aReloadThatRemovesAServersCheckersEndsItsProvisionalState() throws {
        let directory = try TemporaryDirectory()
        let kernel = FakeIPVSKernel()
        try earlierRun(config(), [verdict("198.51.100.72", up: false)], kernel: kernel, directory: directory)
        let ipvsd = try restartChangingNothing(config(), kernel: kernel, directory: directory)
        try ipvsd.service.reload(try ipvsdConfiguration(config(checked: false)))
        #expect(weights(kernel) == [rs72: 1, rs80: 2])
        #expect(ipvsd.service.keeper.provisional.isEmpty)
    }
}
