// The operator's advert and transition counters per instance, against what crossed the fake wire.
import Foundation
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

/// What makes `tandemctl status` say both nodes claim MASTER: another MASTER's adverts heard while MASTER, or
/// adverts for the VRID dropped while MASTER (neither hears the other).
@Suite struct EngineOtherMasterTests {
    @Test func aMasterThatHearsAnotherMasterSaysWhoAndWhen() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let b = lan.host("b", eth0: "192.0.2.2")
        lan.wire.blocked = ["a>b"]   // b never hears a, so it becomes MASTER too; a hears b
        let engineA = try a.start(Instance(state: "MASTER", priority: 150).text)
        _ = try b.start(Instance(priority: 100).text)
        lan.run(seconds: 10)
        #expect(a.state("VI_1") == .master && b.state("VI_1") == .master)
        let status = try #require(engineA.instanceStatuses.first)
        #expect(status.otherMasterAddress == "192.0.2.2" && status.otherMasterPriority == 100)
        let seen = try #require(status.otherMasterSeenAt)
        #expect(abs(seen - Date().timeIntervalSince1970) < 60)
        #expect(status.otherMasterRecentAdverts == 3, "advert after advert: it lasts")
        #expect(status.droppedAdverts == nil)
    }

    @Test func aMasterThatDropsAdvertsForItsVRIDCountsThemPerInstance() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let b = lan.host("b", eth0: "192.0.2.2")
        // Version 2 against version 3 on the same VRID: each drops the other's adverts, both are MASTER.
        let engineA = try a.start(Instance(state: "MASTER", priority: 150, version: 2).text)
        _ = try b.start(Instance(priority: 100, version: 3).text)
        lan.run(seconds: 10)
        #expect(a.state("VI_1") == .master && b.state("VI_1") == .master)
        let status = try #require(engineA.instanceStatuses.first)
        #expect((status.droppedAdverts?["versionMismatch"] ?? 0) > 3 && status.lastDropReason == "versionMismatch")
        #expect(status.recentDrops == 3)
        #expect(status.otherMasterAddress == nil)
    }
}

@Suite struct RecentTimesTests {
    @Test func keepsTheLastThreeAndCountsThoseInTheWindow() {
        var times = RecentTimes()
        for at in [1.0, 2, 3, 10, 11] { times.record(at) }
        #expect(times.times == [3, 10, 11])
        #expect(times.count(within: 5, of: 12) == 2 && times.count(within: 10, of: 12) == 3)
    }
}
