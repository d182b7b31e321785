// Effective priority from track scripts (keepalived's vrrp_track.c arithmetic).
import Testing
@testable import VRRP

@Suite struct TrackingTests {
    func script(_ w: Int, _ s: VRRPTrackStatus, reverse: Bool = false, override: Int? = nil, overrideReverse: Bool? = nil) -> VRRPTrackedScript {
        VRRPTrackedScript(name: "s\(w)", scriptWeight: w, scriptReverse: reverse, instanceWeight: override,
                          instanceReverse: overrideReverse, status: s)
    }

    @Test func positiveWeightAddsWhileSucceeding() {
        #expect(vrrpTracking(basePriority: 100, scripts: [script(20, .ok)]).effectivePriority == 120)
        #expect(vrrpTracking(basePriority: 100, scripts: [script(20, .failed)]).effectivePriority == 100)
    }

    @Test func negativeWeightAddsWhileFailing() {
        #expect(vrrpTracking(basePriority: 100, scripts: [script(-30, .failed)]).effectivePriority == 70)
        #expect(vrrpTracking(basePriority: 100, scripts: [script(-30, .ok)]).effectivePriority == 100)
    }

    @Test func reverseSwapsTheSense() {
        #expect(vrrpTracking(basePriority: 100, scripts: [script(20, .ok, reverse: true)]).effectivePriority == 80)
        #expect(vrrpTracking(basePriority: 100, scripts: [script(-30, .failed, reverse: true)]).effectivePriority == 130)
        #expect(vrrpTracking(basePriority: 100, scripts: [script(0, .ok, reverse: true)]).faultingScripts == ["s0"])
    }

    @Test func weightZeroFailingIsAFault() {
        let r = vrrpTracking(basePriority: 100, scripts: [script(0, .failed), script(10, .ok)])
        #expect(r.faultingScripts == ["s0"] && r.isScriptFault)
        #expect(r.effectivePriority == 110)
        #expect(!vrrpTracking(basePriority: 100, scripts: [script(0, .ok)]).isScriptFault)
    }

    @Test func unknownResultsArePendingNotCounted() {
        let r = vrrpTracking(basePriority: 100, scripts: [script(0, .unknown), script(-50, .unknown)])
        #expect(r.pendingScripts == ["s0"] && r.isScriptFault && r.faultingScripts.isEmpty)
        #expect(r.effectivePriority == 100)
    }

    @Test func instanceOverridesTheScriptWeight() {
        #expect(vrrpTracking(basePriority: 100, scripts: [script(20, .ok, override: 5)]).effectivePriority == 105)
        #expect(vrrpTracking(basePriority: 100, scripts: [script(20, .failed, override: -5)]).effectivePriority == 95)
        #expect(vrrpTracking(basePriority: 100, scripts: [script(20, .ok, override: 0)]).faultingScripts.isEmpty)
        #expect(vrrpTracking(basePriority: 100, scripts: [script(20, .failed, override: 0)]).faultingScripts == ["s20"])
        #expect(vrrpTracking(basePriority: 100, scripts: [script(20, .ok, reverse: true, overrideReverse: false)]).effectivePriority == 120)
    }

    @Test func resultIsClampedTo1Through254() {
        #expect(vrrpTracking(basePriority: 200, scripts: [script(100, .ok)]).effectivePriority == 254)
        #expect(vrrpTracking(basePriority: 10, scripts: [script(-100, .failed)]).effectivePriority == 1)
        #expect(vrrpTracking(basePriority: 100, scripts: [script(1000, .ok)]).effectivePriority == 254)   // weight capped at 253
        #expect(vrrpTracking(basePriority: 1, scripts: [script(253, .ok), script(253, .ok)]).effectivePriority == 254)
    }

    @Test func ownerPriorityNeverMovesButCanFault() {
        #expect(vrrpTracking(basePriority: 255, scripts: [script(-100, .failed)]).effectivePriority == 255)
        #expect(vrrpTracking(basePriority: 255, scripts: [script(0, .failed)]).isScriptFault)
    }
}
