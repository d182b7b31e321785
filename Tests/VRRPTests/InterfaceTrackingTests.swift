// Tracked interfaces in the effective priority and fault (keepalived's process_if_status_change and
// initialise_interface_tracking_priorities), and the instance fed by them.
import Testing
@testable import VRRP
import Vocabulary

@Suite struct InterfaceTrackingTests {
    func link(_ name: String, _ weight: Int = 0, up: Bool, reverse: Bool = false) -> VRRPTrackedInterface {
        VRRPTrackedInterface(name: name, weight: weight, reverse: reverse, isUp: up)
    }

    func track(_ base: UInt8, _ interfaces: [VRRPTrackedInterface], scripts: [VRRPTrackedScript] = []) -> VRRPTrackingResult {
        vrrpTracking(basePriority: base, scripts: scripts, interfaces: interfaces)
    }

    @Test func anUnweightedInterfaceDownIsAFault() {
        let down = track(100, [link("eth0", up: true), link("eth1", up: false)])
        #expect(down.faultingInterfaces == ["eth1"] && down.isInterfaceFault && !down.isScriptFault)
        #expect(down.effectivePriority == 100)
        #expect(!track(100, [link("eth1", up: true)]).isInterfaceFault)
    }

    @Test func weightZeroReverseFaultsWhileTheLinkIsUp() {
        #expect(track(100, [link("eth1", up: true, reverse: true)]).faultingInterfaces == ["eth1"])
        #expect(!track(100, [link("eth1", up: false, reverse: true)]).isInterfaceFault)
    }

    /// keepalived.conf(5): a positive weight is added while up, a negative one while down.
    @Test func weightsFollowTheSignRule() {
        #expect(track(100, [link("eth1", 20, up: true)]).effectivePriority == 120)
        #expect(track(100, [link("eth1", 20, up: false)]).effectivePriority == 100)
        #expect(track(100, [link("eth1", -20, up: false)]).effectivePriority == 80)
        #expect(track(100, [link("eth1", -20, up: true)]).effectivePriority == 100)
        #expect(!track(100, [link("eth1", -20, up: false)]).isInterfaceFault, "a weighted interface never faults")
    }

    /// `reverse` negates the weight in the same state: +w while up becomes −w while up.
    @Test func reverseNegatesTheWeight() {
        #expect(track(100, [link("eth1", 20, up: true, reverse: true)]).effectivePriority == 80)
        #expect(track(100, [link("eth1", 20, up: false, reverse: true)]).effectivePriority == 100)
        #expect(track(100, [link("eth1", -20, up: false, reverse: true)]).effectivePriority == 120)
        #expect(track(100, [link("eth1", -20, up: true, reverse: true)]).effectivePriority == 100)
    }

    /// The steady-state arithmetic keepalived applies on each change (±|w| × multiplier) lands where the
    /// initial computation does, so a state-based computation is the same.
    @Test func aChangeMovesThePriorityByTheAbsoluteWeight() {
        for weight in [-40, -1, 1, 40] {
            for reverse in [false, true] {
                let up = Int(track(100, [link("e", weight, up: true, reverse: reverse)]).effectivePriority)
                let down = Int(track(100, [link("e", weight, up: false, reverse: reverse)]).effectivePriority)
                #expect(up - down == abs(weight) * (reverse ? -1 : 1), "weight \(weight) reverse \(reverse)")
            }
        }
    }

    @Test func interfacesAndScriptsAddUpAndClamp() {
        let script = VRRPTrackedScript(name: "chk", scriptWeight: -30, status: .failed)
        let r = track(100, [link("eth1", -50, up: false), link("eth2", 10, up: true)], scripts: [script])
        #expect(r.effectivePriority == 30)
        #expect(track(10, [link("eth1", -253, up: false)]).effectivePriority == 1)
        #expect(track(250, [link("eth1", 253, up: true)]).effectivePriority == 254, "tracking never reaches 255")
        #expect(VRRPTrackedInterface(name: "x", weight: 400).weight == 253)
    }

    @Test func anOwnersPriorityStaysButItsInterfacesStillFault() {
        #expect(track(255, [link("eth1", -100, up: false)]).effectivePriority == 255)
        #expect(track(255, [link("eth1", up: false)]).isInterfaceFault)
    }

    /// An interface fault and a script fault are separate reasons: clearing one leaves the other in force.
    @Test func anInstanceLeavesFaultOnlyWhenInterfaceAndScriptFaultsAreBothGone() {
        let t0 = MonotonicInstant(nanoseconds: 1_000_000_000)
        var i = VRRPInstance(config: config("A", host: 1, priority: 100))
        #expect(i.handle(.interfaceDown, at: t0).isEmpty, "before startup only the flag is set")
        #expect(i.handle(.startup, at: t0) == [.stateChanged(from: .initialize, to: .fault, reason: .interfaceDown)])
        _ = i.handle(.trackDown, at: t0)
        #expect(i.handle(.interfaceUp, at: t0).isEmpty && i.state == .fault)
        #expect(i.handle(.trackUp, at: t0) == [.stateChanged(from: .fault, to: .backup, reason: .recovered)])
    }

    @Test func aTrackedPriorityBeforeStartupSetsTheFirstDownTimer() {
        let t0 = MonotonicInstant(nanoseconds: 1_000_000_000)
        var i = VRRPInstance(config: config("A", host: 1, priority: 100))
        _ = i.handle(.priorityChanged(200), at: t0)
        _ = i.handle(.startup, at: t0)
        // 3 × 1 s + (256 − 200) / 256 s.
        #expect(i.nextDeadline == t0 + .microseconds(3_218_750))
        #expect(i.effectivePriority == 200)
    }
}
