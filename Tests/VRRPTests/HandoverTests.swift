// Planned handover (make before break): the leaving Master keeps its addresses until the peer is Master and a
// linger after it, so at every instant some node holds them. Driven through the in-memory Lab (real encoded
// adverts, the receive filter, an injected clock) and event by event.
import Testing
@testable import VRRP
import Vocabulary

@Suite struct HandoverTests {
    let request = VRRPHandoverRequest(timeout: .seconds(3), linger: .seconds(1), holdBack: true)
    let vip: [IPAddress] = [.ipv4(192, 0, 2, 100)]

    /// A at 200 is Master, B at 100 Backup, both settled.
    func settledPair(version: VRRPVersion = .v2, interval: Duration = .seconds(1)) -> Lab {
        var lab = Lab([config("A", host: 1, priority: 200, version: version, interval: interval),
                       config("B", host: 2, priority: 100, version: version, interval: interval)])
        lab.inject(.startup, node: 0)
        lab.inject(.startup, node: 1)
        lab.run(for: 10)
        #expect(lab.states == [.master, .backup])
        return lab
    }

    /// Instants at which node `i` added or removed the addresses.
    func addressChanges(_ lab: Lab, _ i: Int) -> [(at: MonotonicInstant, holds: Bool)] {
        lab.nodes[i].log.compactMap { e in
            switch e.action {
            case .addVirtualAddresses: return (e.at, true)
            case .removeVirtualAddresses: return (e.at, false)
            default: return nil
            }
        }
    }

    func outcomes(_ lab: Lab, _ i: Int) -> [VRRPHandoverOutcome] {
        lab.nodes[i].log.compactMap { e in
            if case .handoverEnded(let o) = e.action { return o }
            return nil
        }
    }

    @Test(arguments: [(VRRPVersion.v2, Duration.seconds(1)), (.v3, .milliseconds(10)), (.v3, .milliseconds(100))])
    func handoverLeavesNoInstantWithoutTheAddresses(version: VRRPVersion, interval: Duration) {
        var lab = settledPair(version: version, interval: interval)
        let start = lab.now
        lab.inject(.handOver(VRRPHandoverRequest(timeout: interval * 3, linger: interval, holdBack: true)), node: 0)
        // At once, the Master says priority 0 and still holds the addresses.
        #expect(lab.adverts(0, since: start).first?.ad.priority == 0)
        #expect(lab.nodes[0].holdsAddresses)
        lab.run(for: 10)
        #expect(lab.states == [.backup, .master])
        #expect(outcomes(lab, 0) == [.completed(newMaster: .ipv4(192, 0, 2, 2))])
        // B takes over Skew_Time after the priority-0 advert (RFC 5798 §6.4.2), for its own reason.
        let bMaster = lab.transitions(1).last { $0.to == .master }
        #expect(bMaster?.reason == .masterReleased)
        let skew = VRRPTimers.skewTime(version: version, priority: 100, masterAdvertInterval: interval)
        #expect(bMaster.map { $0.at - start } == skew)
        #expect(lab.transitions(0).last?.reason == .handedOver)
        // A released only a linger after B's advert reached it, and B added its addresses before that.
        let bAdded = addressChanges(lab, 1).last { $0.holds }!.at
        let aRemoved = addressChanges(lab, 0).last { !$0.holds }!.at
        #expect(aRemoved == bAdded + interval)
        #expect(!lab.nodes[0].holdsAddresses && lab.nodes[1].holdsAddresses)
        // A's priority-0 adverts stopped when it became Backup.
        #expect(lab.adverts(0, since: bMaster!.at + .nanoseconds(1)).isEmpty)
    }

    @Test func heldBackNodeDoesNotPreemptUntilReleased() {
        var lab = settledPair()
        lab.inject(.handOver(request), node: 0)
        lab.run(for: 30)
        // A (200, preempt) would take Master back after Master_Down_Interval without the hold.
        #expect(lab.states == [.backup, .master])
        #expect(lab.nodes[0].vrrp.isHeldBack)
        lab.inject(.releaseHold, node: 0)
        lab.run(for: 10)
        #expect(lab.states == [.master, .backup])
        #expect(lab.transitions(0).last?.reason == .preempted)
    }

    @Test func handingBackFromTheHeldPeerIsGaplessToo() {
        var lab = settledPair()
        lab.inject(.handOver(request), node: 0)
        lab.run(for: 5)
        let back = lab.now
        lab.inject(.handOver(request), node: 1)
        lab.run(for: 10)
        #expect(lab.states == [.master, .backup])
        // The hold ended when A became Master again; B is held now.
        #expect(!lab.nodes[0].vrrp.isHeldBack && lab.nodes[1].vrrp.isHeldBack)
        let aAdded = addressChanges(lab, 0).last { $0.holds }!.at
        let bRemoved = addressChanges(lab, 1).last { !$0.holds }!.at
        #expect(aAdded > back && bRemoved == aAdded + .seconds(1))
    }

    @Test func noPeerLeavesTheMasterAsItWas() {
        var lab = Lab([config("A", host: 1, priority: 200)])
        lab.inject(.startup, node: 0)
        lab.run(for: 10)
        let start = lab.now
        lab.inject(.handOver(request), node: 0)
        lab.run(for: 10)
        #expect(lab.states == [.master])
        #expect(outcomes(lab, 0) == [.noPeerAnswered])
        #expect(addressChanges(lab, 0).count == 1)   // added once at start, never removed
        let adverts = lab.adverts(0, since: start)
        // Priority 0 for the 3 s timeout (at 0, 1, 2 s), its own priority again at once when it expires.
        #expect(adverts.prefix(3).allSatisfy { $0.ad.priority == 0 })
        #expect(adverts[3].at - start == .seconds(3) && adverts[3].ad.priority == 200)
        #expect(adverts.dropFirst(3).allSatisfy { $0.ad.priority == 200 })
        #expect(!lab.nodes[0].vrrp.isHeldBack)
    }

    @Test func askingABackupHandsNothingOver() {
        var lab = settledPair()
        lab.inject(.handOver(request), node: 1)
        #expect(outcomes(lab, 1) == [.notMaster])
        lab.run(for: 5)
        #expect(lab.states == [.master, .backup])
    }

    @Test func ownLoopedBackPriorityZeroAdvertIsIgnored() {
        var lab = settledPair()
        lab.inject(.handOver(request), node: 0)
        let own = VRRPAdvertisement(version: .v2, vrid: 51, priority: 0, interval: .seconds(1), addresses: vip)
        lab.inject(.advertisement(own, from: .ipv4(192, 0, 2, 1)), node: 0)
        #expect(lab.nodes[0].vrrp.isHandingOver && lab.states[0] == .master)
    }

    @Test func peerLostWhileLingeringTakesMasterBackAndReannounces() {
        var lab = Lab([config("A", host: 1, priority: 200), config("B", host: 2, priority: 100)])
        lab.inject(.startup, node: 0)
        lab.inject(.startup, node: 1)
        lab.run(for: 10)
        lab.inject(.handOver(VRRPHandoverRequest(timeout: .seconds(3), linger: .seconds(60), holdBack: true)), node: 0)
        lab.run(for: 1)
        #expect(lab.states == [.backup, .master] && lab.nodes[0].vrrp.isLingering)
        let cut = lab.now
        lab.nodes[1].connected = false
        lab.run(for: 5)
        #expect(lab.states[0] == .master && !lab.nodes[0].vrrp.isHeldBack)
        // Still holding them: no second add, but a gratuitous burst so the neighbours come back.
        #expect(addressChanges(lab, 0).count == 1)
        #expect(lab.nodes[0].log.contains { $0.at > cut && $0.action == .sendGratuitous(vip, repeat: 5) })
    }

    @Test func faultDuringHandoverEndsItAndReleases() {
        var lab = settledPair()
        lab.nodes[1].connected = false   // nobody will answer
        lab.inject(.handOver(request), node: 0)
        lab.inject(.interfaceDown, node: 0)
        #expect(outcomes(lab, 0) == [.interrupted])
        #expect(lab.states[0] == .fault && !lab.nodes[0].holdsAddresses)
    }

    @Test func faultWhileLingeringReleasesAtOnce() {
        var lab = settledPair()
        lab.inject(.handOver(VRRPHandoverRequest(timeout: .seconds(3), linger: .seconds(60), holdBack: false)), node: 0)
        lab.run(for: 1)
        #expect(lab.nodes[0].vrrp.isLingering && lab.nodes[0].holdsAddresses)
        lab.inject(.interfaceDown, node: 0)
        #expect(!lab.nodes[0].holdsAddresses && !lab.nodes[0].vrrp.isLingering)
    }

    @Test func shutdownDuringHandoverSaysInterrupted() {
        var lab = settledPair()
        lab.nodes[1].connected = false
        lab.inject(.handOver(request), node: 0)
        lab.inject(.shutdown, node: 0)
        #expect(outcomes(lab, 0) == [.interrupted])
        #expect(!lab.nodes[0].holdsAddresses)
    }

    @Test func withoutHoldTheOldMasterPreemptsAsConfigured() {
        var lab = settledPair()
        lab.inject(.handOver(VRRPHandoverRequest(timeout: .seconds(3), linger: .seconds(1), holdBack: false)), node: 0)
        lab.run(for: 30)
        #expect(lab.states == [.master, .backup])
    }

    @Test func syncGroupMovesTogetherWithoutAGap() {
        let t0 = MonotonicInstant(nanoseconds: 1_000_000_000)
        var g = VRRPSyncGroup(name: "G", members: [
            VRRPInstance(config: config("VI_1", host: 1, priority: 200, vrid: 1)),
            VRRPInstance(config: config("VI_2", host: 1, priority: 200, vrid: 2)),
        ])
        _ = g.start(at: t0)
        while let d = g.nextDeadline, d <= t0 + .seconds(5) { _ = g.timerFired(at: d) }
        #expect(g.state == .master)
        let now = t0 + .seconds(5)
        var out: [VRRPMemberAction] = []
        for m in 0..<2 { out += g.handle(.handOver(request), member: m, at: now) }
        #expect(out.filter { if case .sendAdvertisement(let ad) = $0.action { return ad.priority == 0 }; return false }.count == 2)
        // VI_1's peer answers first: the group goes Backup, both members keep their addresses for the linger.
        let peer = VRRPAdvertisement(version: .v2, vrid: 1, priority: 100, interval: .seconds(1), addresses: vip)
        let answered = g.handle(.advertisement(peer, from: .ipv4(192, 0, 2, 2)), member: 0, at: now + .milliseconds(600))
        #expect(g.members.map(\.state) == [.backup, .backup] && g.state == .backup)
        #expect(!answered.contains { if case .removeVirtualAddresses = $0.action { return true }; return false })
        #expect(answered.contains(VRRPMemberAction(member: 0, action: .handoverEnded(.completed(newMaster: .ipv4(192, 0, 2, 2))))))
        #expect(answered.contains(VRRPMemberAction(member: 1, action: .handoverEnded(.completed(newMaster: nil)))))
        #expect(g.members.allSatisfy { $0.isLingering && $0.isHeldBack })
        var released: [VRRPMemberAction] = []
        while let d = g.nextDeadline, d <= now + .milliseconds(1_600) { released += g.timerFired(at: d) }
        #expect(released.filter { if case .removeVirtualAddresses = $0.action { return true }; return false }.map(\.member).sorted() == [0, 1])
    }
}
