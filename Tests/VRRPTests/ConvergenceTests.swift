// Randomised disturbances on a three-router link, then a heal: the invariants must hold throughout and the
// election must settle on a single Master of the highest priority. (With equal priorities the address only
// breaks a tie between two Masters: a Backup accepts an equal-priority Master, RFC §6.4.2, so it may stay.)
import Vocabulary
import Testing
@testable import VRRP
import TestSupport

@Suite struct ConvergenceTests {
    @Test(arguments: 0..<60)
    func settlesOnTheBestRouterAfterAnyDisturbance(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed) &* 0x9E37_79B9 &+ 17)
        let version: VRRPVersion = rng.next() % 2 == 0 ? .v2 : .v3
        let interval: Duration = version == .v2 ? .seconds(1 + rng.next() % 2) : .centiseconds(10 + rng.next() % 100)
        var lab = Lab((0..<3).map { i in
            // Priorities from a small range so ties (decided by address) are common; some nopreempt / preempt_delay.
            config("R\(i)", host: UInt8(i + 1), priority: UInt8(98 + rng.next() % 4), version: version, interval: interval,
                   preempt: rng.next() % 4 != 0, preemptDelay: rng.next() % 3 == 0 ? .seconds(1 + rng.next() % 3) : .zero)
        })
        let allPreempt = lab.nodes.allSatisfy(\.vrrp.config.preempt)
        for i in 0..<3 { lab.inject(.startup, node: i) }

        var interfaceDown = [false, false, false], trackDown = [false, false, false]
        for _ in 0..<40 {
            lab.run(for: Double(rng.next() % 1500) / 1000)
            let n = Int(rng.next() % 3)
            switch rng.next() % 7 {
            case 0: lab.nodes[n].connected.toggle()
            case 1: interfaceDown[n].toggle(); lab.inject(interfaceDown[n] ? .interfaceDown : .interfaceUp, node: n)
            case 2: trackDown[n].toggle(); lab.inject(trackDown[n] ? .trackDown : .trackUp, node: n)
            case 3: lab.inject(.priorityChanged(UInt8(95 + rng.next() % 10)), node: n)
            default: break
            }
            checkInvariants(lab)
        }
        // Heal everything, then give the election time (longest down interval is 6.6 s at 2 s adverts).
        for n in 0..<3 {
            lab.nodes[n].connected = true
            if interfaceDown[n] { lab.inject(.interfaceUp, node: n) }
            if trackDown[n] { lab.inject(.trackUp, node: n) }
        }
        lab.run(for: 30)
        checkInvariants(lab)
        let top = lab.nodes.map(\.vrrp.effectivePriority).max()!
        let masters = (0..<3).filter { lab.nodes[$0].vrrp.state == .master }
        #expect(masters.count == 1, "seed \(seed): masters \(masters)")
        // nopreempt may keep a lower Master; with preempt everywhere the highest priority must win.
        #expect(!allPreempt || masters.allSatisfy { lab.nodes[$0].vrrp.effectivePriority == top },
                "seed \(seed): masters \(masters), priorities \(lab.nodes.map(\.vrrp.effectivePriority))")
        #expect(lab.drops.total == 0)
    }

    func checkInvariants(_ lab: Lab) {
        for n in lab.nodes {
            // Addresses are held exactly while Master.
            #expect(n.holdsAddresses == (n.vrrp.state == .master))
            // A running Master or Backup always has a timer; Fault has none.
            switch n.vrrp.state {
            case .master, .backup: #expect(n.vrrp.nextDeadline != nil)
            case .fault: #expect(n.vrrp.nextDeadline == nil)
            case .initialize: break
            }
        }
    }
}
