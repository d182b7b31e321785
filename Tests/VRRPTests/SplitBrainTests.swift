// Split brain heals cleanly: the VRRP link between two routers is cut (both become Master) and restored. Exactly one
// Master must remain within one advert interval of the first advert crossing, and the survivor must announce
// itself again (GARP/NA) so the neighbours that followed the other one come back. Every phase of the two advert
// timers at the instant of the repair is tried, so either side's advert may cross first.
import Testing
@testable import VRRP
import Vocabulary

@Suite struct SplitBrainTests {
    static let phases: [Double] = [0.0, 0.1, 0.25, 0.5, 0.75, 0.9]
    /// tandem's configured default (GlobalDefinitions.higherPrioritySendAdvert): the yielding Master speaks once.
    static let tandem: VRRPGratuitousConfig = { var g = VRRPGratuitousConfig(); g.higherPrioritySendAdvert = true; return g }()

    func splitPair(_ a: VRRPInstanceConfig, _ b: VRRPInstanceConfig) -> Lab {
        var lab = Lab([a, b])
        lab.inject(.startup, node: 0)
        lab.inject(.startup, node: 1)
        lab.run(for: 10)
        lab.nodes[1].connected = false
        lab.run(for: 10)
        #expect(lab.states == [.master, .master], "the cut makes both Master")
        return lab
    }

    func check(_ lab: inout Lab, survivor: Int, interval: Double, phase: Double) {
        lab.run(for: phase * interval)
        let repaired = lab.now
        lab.nodes[1].connected = true
        lab.run(for: 5 * interval)
        let loser = 1 - survivor
        #expect(lab.states[survivor] == .master && lab.states[loser] == .backup, "phase \(phase): \(lab.states)")
        // The loser left as soon as an advert of the survivor reached it: within one interval of the repair.
        let left = lab.transitions(loser).last { $0.from == .master }
        #expect(left.map { $0.at - repaired <= .nanoseconds(Int64(interval * 1e9)) } == true, "phase \(phase): left at \(String(describing: left))")
        #expect(left?.reason == .higherPriorityAdvert)
        // The survivor announced again after the repair (keepalived's garp_lower_prio_repeat, default 5), after the
        // loser's last advert, and never released the addresses.
        let announced = lab.nodes[survivor].log.contains { $0.at >= repaired && { if case .sendGratuitous = $0 { return true }; return false }($0.action) }
        #expect(announced, "phase \(phase): the survivor did not re-announce")
        #expect(!lab.nodes[survivor].log.contains { $0.at >= repaired && $0.action == .removeVirtualAddresses([.ipv4(192, 0, 2, 100)]) })
        #expect(!lab.nodes[loser].holdsAddresses && lab.nodes[survivor].holdsAddresses)
        // And it stays so.
        lab.run(for: 20 * interval)
        #expect(lab.states[survivor] == .master && lab.states[loser] == .backup)
    }

    @Test(arguments: phases)
    func higherPriorityWinsWhicheverAdvertCrossesFirst(phase: Double) {
        var lab = splitPair(config("A", host: 1, priority: 150, gratuitous: Self.tandem),
                            config("B", host: 2, priority: 100, gratuitous: Self.tandem))
        check(&lab, survivor: 0, interval: 1, phase: phase)
    }

    @Test(arguments: phases)
    func equalPrioritiesKeepTheHigherAddress(phase: Double) {
        var lab = splitPair(config("A", host: 1, priority: 100, gratuitous: Self.tandem),
                            config("B", host: 2, priority: 100, gratuitous: Self.tandem))
        check(&lab, survivor: 1, interval: 1, phase: phase)
    }

    @Test(arguments: phases)
    func v3AtTwentyMillisecondsWithLatency(phase: Double) {
        var lab = splitPair(config("A", host: 1, priority: 150, version: .v3, interval: .milliseconds(20), gratuitous: Self.tandem),
                            config("B", host: 2, priority: 100, version: .v3, interval: .milliseconds(20), gratuitous: Self.tandem))
        lab.delay = .milliseconds(2)
        check(&lab, survivor: 0, interval: 0.02, phase: phase)
    }

    /// Why tandem's default differs: with keepalived's (higher_prio_send_advert off), when the survivor's advert
    /// crosses first the other one yields silently, the survivor hears nothing and does not re-announce.
    @Test func withKeepalivedsDefaultTheSurvivorSpeakingFirstNeverReannounces() {
        var lab = splitPair(config("A", host: 1, priority: 150), config("B", host: 2, priority: 100))
        // Repair just before A's next advert: A's crosses first.
        let nextA = lab.nodes[0].vrrp.nextDeadline!
        lab.run(until: nextA - .milliseconds(1))
        let repaired = lab.now
        lab.nodes[1].connected = true
        lab.run(for: 5)
        #expect(lab.states == [.master, .backup])
        let announced = lab.nodes[0].log.contains { $0.at >= repaired && { if case .sendGratuitous = $0 { return true }; return false }($0.action) }
        #expect(!announced)
    }
}
