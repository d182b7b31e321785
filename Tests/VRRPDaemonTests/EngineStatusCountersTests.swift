// The operator's advert and transition counters per instance, against what crossed the fake wire.
import Testing
import VRRP
@testable import vrrpd

@Suite struct EngineStatusCountersTests {
    @Test func advertsAndTransitionsAreCountedAsTheyHappen() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let b = lan.host("b", eth0: "192.0.2.2")
        let engineA = try a.start(Instance(state: "MASTER", priority: 150).text)
        let engineB = try b.start(Instance(priority: 100).text)
        lan.run(seconds: 10)
        let masterStatus = try #require(engineA.instanceStatuses.first)
        let backupStatus = try #require(engineB.instanceStatuses.first)
        let sent = UInt64(lan.wire.adverts(from: "a").count)
        #expect(sent > 5)
        #expect(masterStatus.advertsSent == sent && masterStatus.advertsReceived == 0)
        #expect(backupStatus.advertsReceived == sent && backupStatus.advertsSent == 0)
        #expect(masterStatus.transitions == a.transitions.count && masterStatus.becameMaster == 1)
        #expect(backupStatus.transitions == b.transitions.count && backupStatus.becameMaster == 0)

        // The master goes: b takes over and starts counting what it sends.
        a.stop()
        lan.run(seconds: 5)
        let after = try #require(engineB.instanceStatuses.first)
        #expect(after.becameMaster == 1 && after.transitions == b.transitions.count)
        #expect(after.advertsSent == UInt64(lan.wire.adverts(from: "b").count) && after.advertsSent! > 0)
    }
}
