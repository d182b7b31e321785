// A better router joining a running pair: preempt, nopreempt, preempt_delay.
import Vocabulary
import Testing
import VRRP
@testable import vrrpd

@Suite struct EnginePreemptionTests {
    /// b (100) is master alone; then a starts next to it with `a`'s settings (b takes them too, at priority 100).
    private func masterBThenA(_ a: Instance) throws -> (FakeLAN, a: FakeHost, b: FakeHost) {
        let lan = FakeLAN()
        let hostA = lan.host("a", eth0: "192.0.2.1")
        let hostB = lan.host("b", eth0: "192.0.2.2")
        var b = a
        b.state = "BACKUP"
        b.priority = 100
        try hostB.start(b.text)
        #expect(lan.run(until: { hostB.state("VI_1") == .master }, within: 5) == downInterval100)
        try hostA.start(a.text)
        return (lan, hostA, hostB)
    }

    @Test func aHigherPriorityReturningTakesOver() throws {
        let (lan, a, b) = try masterBThenA(Instance(state: "MASTER", priority: 150))
        // a ignores b's lower adverts and takes over when its own down timer runs out.
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) == downInterval150)
        #expect(a.log.contains("VI_1: BACKUP → MASTER (preempted)"), "\(a.log.text)")
        lan.run(seconds: 1)
        #expect(b.state("VI_1") == .backup)
        #expect(a.holds(vip) && !b.holds(vip))
        #expect(b.addressControl.history.last == .removed(ip(vip), interface: "eth0"))
    }

    @Test func nopreemptKeepsTheCurrentMaster() throws {
        let (lan, a, b) = try masterBThenA(Instance(priority: 150, nopreempt: true))
        lan.run(seconds: 20)
        #expect(b.state("VI_1") == .master && a.state("VI_1") == .backup)
        #expect(b.holds(vip) && !a.holds(vip))
        #expect(lan.wire.adverts(from: "a").isEmpty)
        #expect(lan.wire.adverts(from: "b").allSatisfy { $0.priority == 100 })
    }

    @Test func preemptDelayHoldsOffTheTakeover() throws {
        // `state BACKUP`: keepalived ignores preempt_delay for `state MASTER`.
        let (lan, a, b) = try masterBThenA(Instance(priority: 150, preemptDelay: 5))
        let joined = lan.loop.now
        // The first advert a hears starts the delay; a keeps following b until it has passed.
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) == nil)
        #expect(b.holds(vip) && !a.holds(vip))
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) != nil)
        let took = lan.loop.now - joined
        // Followed for 5 s (preempt_delay), then one Master_Down_Interval after the last advert it accepted.
        #expect(took > .seconds(5) + downInterval150 - .seconds(1) && took <= .seconds(6) + downInterval150, "took \(took)")
        lan.run(seconds: 1)
        #expect(a.holds(vip) && !b.holds(vip))
    }
}
