// ipvsd tells vrrpd the pools' quorum (tandem_announce publishes an address only while every virtual server on
// it has quorum): a snapshot after vrrpd's hello, then each change; a pool whose quorum rests on an earlier run's
// provisional verdicts is left out until checkd has reported on it. ipvsd runs in process on the fake kernel.
import Foundation
@testable import IPVS
import Testing
import TestSupport
import Vocabulary
import Wire
@testable import ipvsd

private let pool = "TCP 192.0.2.93:80"
private let text = """
    virtual_server 192.0.2.93 80 {
        protocol TCP
        lb_kind DR
        real_server 198.51.100.72 80 {
            TCP_CHECK {
            }
        }
    }

    """

private func quorumMessages(_ peer: TestPeer) -> [WireMessage] {
    peer.heard.filter { if case .quorum = $0 { true } else { false } }
}

private func vrrpd(_ ipvsd: IPVSDaemonInProcess) -> TestPeer {
    ipvsd.peer(sending: [.hello(role: .vrrpd, pid: 2), .snapshotBegin, .snapshotEnd])
}

@Suite(.serialized) struct IPVSQuorumToVrrpdTests {
    @Test func vrrpdHearsTheQuorumInASnapshotAfterItsHelloThenEachChange() throws {
        let directory = try TemporaryDirectory()
        let ipvsd = try IPVSDaemonInProcess(text, kernel: FakeIPVSKernel(), directory: directory)
        let peer = vrrpd(ipvsd)
        #expect(ipvsd.deliver { peer.heard.contains(.snapshotEnd) }, "\(ipvsd.log.text)")
        // The first start after boot: the real server starts up, as in keepalived, so the pool has quorum.
        #expect(peer.heard == [.hello(role: .ipvsd, pid: getpid()), .snapshotBegin,
                               .quorum(virtualServer: pool, up: true), .snapshotEnd], "\(peer.heard)")
        let checkd = ipvsd.checkd([verdict("198.51.100.72", up: false)])
        #expect(ipvsd.deliver { quorumMessages(peer).last == .quorum(virtualServer: pool, up: false) }, "\(peer.heard)")
        try checkd.send(.realServerHealth(verdict("198.51.100.72", up: true)))
        #expect(ipvsd.deliver { quorumMessages(peer).last == .quorum(virtualServer: pool, up: true) }, "\(peer.heard)")
        ipvsd.idle()
        #expect(quorumMessages(peer).count == 3, "each change once: \(peer.heard)")
    }

    /// A restarted ipvsd knows the pool only from the kernel's table (provisional): vrrpd, which kept the last
    /// view, hears nothing of the pool until checkd has reported, so the restart withdraws nothing.
    @Test func afterARestartAProvisionalPoolIsToldOnlyOnceCheckdHasReported() throws {
        let directory = try TemporaryDirectory()
        let kernel = FakeIPVSKernel()
        do {
            let earlier = try IPVSDaemonInProcess(text, kernel: kernel, directory: directory)
            let checkd = earlier.checkd([verdict("198.51.100.72", up: false)])
            #expect(earlier.deliver { checkd.heard.contains(.snapshotEnd) }, "\(earlier.log.text)")
        }
        let ipvsd = try IPVSDaemonInProcess(text, kernel: kernel, directory: directory)
        let peer = vrrpd(ipvsd)
        #expect(ipvsd.deliver { peer.heard.contains(.snapshotEnd) }, "\(ipvsd.log.text)")
        #expect(quorumMessages(peer).isEmpty, "provisional: \(peer.heard)")
        let checkd = ipvsd.checkd([verdict("198.51.100.72", up: true)])
        #expect(ipvsd.deliver { quorumMessages(peer) == [.quorum(virtualServer: pool, up: true)] && checkd.heard.contains(.snapshotEnd) },
                "\(peer.heard)")
    }

    /// Only a vrrpd hears it: a checkd's snapshot is answered with checkd's own view, and neither hears the other's.
    @Test func aPeerThatIsNotVrrpdGetsNoVrrpdSnapshot() throws {
        let directory = try TemporaryDirectory()
        let ipvsd = try IPVSDaemonInProcess(text, kernel: FakeIPVSKernel(), directory: directory)
        let peer = ipvsd.peer(sending: [.hello(role: .checkd, pid: 3)])
        ipvsd.idle()
        #expect(peer.heard.isEmpty, "\(peer.heard)")
    }
}
