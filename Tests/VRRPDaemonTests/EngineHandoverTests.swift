// The engine's side of a planned handover: which instances, and a stop that waits for them (fake clock, no sockets).
import Testing
import VRRP
import Vocabulary
@testable import vrrpd

@Suite struct EngineHandoverTests {
    /// a (150) master and b (100) backup, settled.
    private func pair() throws -> (FakeLAN, a: FakeHost, b: FakeHost) {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let b = lan.host("b", eth0: "192.0.2.2")
        try a.start(Instance(state: "MASTER", priority: 150).text)
        try b.start(Instance(priority: 100).text)
        #expect(lan.run(until: { a.state("VI_1") == .master && a.holds(vip) }, within: 5) != nil)
        lan.run(seconds: 2.5)
        #expect(b.state("VI_1") == .backup && !b.holds(vip))
        return (lan, a, b)
    }

    @Test func aStopWaitsUntilThePeerIsMasterAndTheLingerHasPassed() throws {
        let (lan, a, b) = try pair()
        var ready = false
        a.engine?.handOverBeforeStop { ready = true }
        #expect(!ready && a.holds(vip))
        // b takes over after Skew_Time; a still holds the VIP then, and for one advert interval after b's advert.
        #expect(lan.run(until: { b.holds(vip) }, within: 2) != nil)
        #expect(a.holds(vip) && !ready)
        let took = lan.run(until: { ready }, within: 5)
        #expect(took.map { $0 >= .milliseconds(990) && $0 <= .milliseconds(1_010) } == true, "ready after \(String(describing: took))")
        #expect(!a.holds(vip) && a.state("VI_1") == .backup)
        #expect(a.log.contains("VI_1: handed over to 192.0.2.2"))
        a.stop()
        #expect(b.state("VI_1") == .master && b.holds(vip))
    }

    @Test func aStopWithNoPeerWaitsOnlyTheTimeoutThenStopsAsKeepalivedDoes() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        try a.start(Instance(state: "MASTER", priority: 150).text)
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) != nil)
        var ready = false
        a.engine?.handOverBeforeStop { ready = true }
        // Timeout 3 s: the instance is MASTER again (no peer answered); nothing lingers, so the stop goes on.
        let took = lan.run(until: { ready }, within: 10)
        #expect(took.map { $0 >= .seconds(3) && $0 < .milliseconds(3_100) } == true, "ready after \(String(describing: took))")
        #expect(a.state("VI_1") == .master && a.holds(vip))
        #expect(a.log.contains("handover failed, no peer became MASTER in time; still MASTER"))
        a.stop()
        #expect(!a.holds(vip))
    }

    @Test func aStopWithNothingMasterIsReadyAtOnce() throws {
        let (_, _, b) = try pair()
        var ready = false
        b.engine?.handOverBeforeStop { ready = true }
        #expect(ready)
    }

    @Test func switchoverNamesInstancesAndRefusesUnknownOnesOrBackups() throws {
        let (lan, a, b) = try pair()
        #expect(throws: VRRPEngine.HandoverSelectionError.self) { try a.engine?.handOver(["VI_9"], holdBack: true) }
        #expect((try? b.engine?.handOver([], holdBack: true)) == nil, "b is not MASTER")
        #expect(try a.engine?.handOver(["VI_1"], holdBack: true) == ["VI_1"])
        lan.run(seconds: 10)
        #expect(b.state("VI_1") == .master && a.state("VI_1") == .backup && !a.holds(vip))
        #expect(a.engine?.lastHandover["VI_1"] == .completed(newMaster: .ipv4(192, 0, 2, 2)))
        // Held: a (150, preempt) stays BACKUP; released, it preempts.
        #expect(a.engine?.releaseHold([]) == ["VI_1"])
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 10) != nil)
    }
}
