// Two routers on a simulated link: elections, preemption and takeovers, with exact instants.
// Times are offsets from the lab's origin in microseconds; each expected value is derived in a comment.
import Testing
@testable import VRRP

@Suite struct ElectionTests {
    /// A: 192.0.2.1 priority 150; B: 192.0.2.2 priority 100 (v2, advert_int 1 unless given).
    func pair(version: VRRPVersion = .v2, interval: Duration = .seconds(1), aPreempt: Bool = true,
              aDelay: Duration = .zero) -> Lab {
        Lab([config("A", host: 1, priority: 150, version: version, interval: interval, preempt: aPreempt, preemptDelay: aDelay),
             config("B", host: 2, priority: 100, version: version, interval: interval)])
    }

    @Test func higherPriorityWinsTheElection() {
        var lab = pair()
        lab.inject(.startup, node: 0)
        lab.inject(.startup, node: 1)
        lab.run(for: 30)
        #expect(lab.states == [.master, .backup])
        // A's Master_Down_Interval: 3 s + (256−150)/256 s = 3.4140625 s → 3 414 062 µs (µs resolution, as keepalived).
        #expect(lab.lastEntered(.master, 0).map(lab.offset) == us(3_414_062))
        #expect(lab.transitions(1).map(\.to) == [.backup])
        #expect(lab.nodes[0].holdsAddresses && !lab.nodes[1].holdsAddresses)
        // A Master advertises every advert_int at its effective priority.
        let ads = lab.adverts(0)
        #expect(ads.count == 27)
        #expect(ads.allSatisfy { $0.ad.priority == 150 })
        #expect(lab.drops.total == 0)
    }

    @Test func equalPriorityIsWonByTheHigherAddress() {
        var lab = Lab([config("A", host: 1, priority: 100), config("B", host: 2, priority: 100)])
        // Partitioned at start: both become Master (split brain), then the link heals.
        lab.nodes[0].connected = false
        lab.nodes[1].connected = false
        lab.inject(.startup, node: 0)
        lab.inject(.startup, node: 1)
        lab.run(for: 10)
        #expect(lab.states == [.master, .master])
        lab.nodes[0].connected = true
        lab.nodes[1].connected = true
        lab.run(for: 10)
        #expect(lab.states == [.backup, .master])
        #expect(lab.transitions(0).last?.reason == .higherPriorityAdvert)
        #expect(!lab.nodes[0].holdsAddresses && lab.nodes[1].holdsAddresses)
    }

    @Test func higherPriorityPreemptsARunningMaster() {
        var lab = pair()
        lab.inject(.startup, node: 1)
        lab.run(for: 10)
        #expect(lab.states == [.initialize, .master])
        lab.inject(.startup, node: 0)
        lab.run(for: 20)
        // A ignores B's lower-priority adverts; its down timer runs out 3.4140625 s after its start at 10 s.
        #expect(lab.lastEntered(.master, 0).map(lab.offset) == us(13_414_062))
        #expect(lab.transitions(0).last?.reason == .preempted)
        #expect(lab.lastEntered(.backup, 1).map(lab.offset) == us(13_414_062))
        #expect(lab.states == [.master, .backup])
    }

    @Test func nopreemptLeavesTheLowerPriorityMasterInPlace() {
        var lab = pair(aPreempt: false)
        lab.inject(.startup, node: 1)
        lab.run(for: 10)
        lab.inject(.startup, node: 0)
        lab.run(for: 60)
        #expect(lab.states == [.backup, .master])
        #expect(lab.nodes[0].vrrp.master?.address == .ipv4(192, 0, 2, 2))
        #expect(lab.nodes[0].vrrp.master?.priority == 100)
    }

    @Test func nopreemptBackupStillTakesOverWhenTheMasterDies() {
        var lab = pair(aPreempt: false)
        lab.inject(.startup, node: 1)
        lab.run(for: 10)
        lab.inject(.startup, node: 0)
        lab.run(for: 10)
        lab.nodes[1].connected = false   // B's adverts stop arriving
        lab.run(for: 10)
        // B Master at 3.609375 s, adverts at 3.609375 + k; the last one A hears is at 19.609375 s;
        // A then waits 3.4140625 s → 23.023437 s.
        #expect(lab.lastEntered(.master, 0).map(lab.offset) == us(23_023_437))
    }

    @Test func preemptDelayPostponesTakeover() {
        var lab = pair(aDelay: .seconds(2))
        lab.inject(.startup, node: 1)
        lab.run(for: 10)
        lab.inject(.startup, node: 0)
        lab.run(for: 20)
        // B advertises at 3.609375 + k s. A hears the first at 10.609375 and starts preempt_delay (until 12.609375);
        // until then it accepts B (restarting its down timer); 12.609375 is no longer "before", so that advert is
        // ignored. Last accepted 11.609375 + 3.4140625 = 15.023437 s.
        #expect(lab.lastEntered(.master, 0).map(lab.offset) == us(15_023_437))
        #expect(lab.states == [.master, .backup])
    }

    @Test func gracefulStopHandsOverAfterSkewTime() {
        var lab = pair()
        lab.inject(.startup, node: 0)
        lab.inject(.startup, node: 1)
        lab.run(until: lab.at(20))
        lab.inject(.shutdown, node: 0)
        #expect(lab.adverts(0).last?.ad.priority == 0)
        #expect(!lab.nodes[0].holdsAddresses)
        lab.run(for: 5)
        // Skew_Time for priority 100: 156/256 s = 0.609375 s (PLATFORM-NOTES measured 0.63 s with keepalived).
        #expect(lab.lastEntered(.master, 1).map(lab.offset) == us(20_609_375))
        #expect(lab.transitions(1).last?.reason == .masterReleased)
        #expect(lab.states == [.initialize, .master])
    }

    @Test func gracefulStopV3AtOneTenthSecond() {
        var lab = pair(version: .v3, interval: .milliseconds(100))
        lab.inject(.startup, node: 0)
        lab.inject(.startup, node: 1)
        lab.run(until: lab.at(5))
        lab.inject(.shutdown, node: 0)
        lab.run(for: 1)
        // v3 Skew_Time = (156 × 10 cs) / 256 = 60.9375 ms → 60 937 µs.
        #expect(lab.lastEntered(.master, 1).map(lab.offset) == us(5_060_937))
    }

    @Test(arguments: [
        // (version, interval ms, A's first Master instant, B takeover instant), all µs since origin.
        // v2/v3 at 1 s: A Master at 3.414062; adverts at 3.414062 + k; the last heard before the 10 s cut is 9.414062;
        //   B waits 3 + 156/256 = 3.609375 s → 13.023437.
        // v3 at 0.1 s: A's down interval 0.3 s + 106×10/256 cs (41 406 µs) = 341 406; adverts every 100 ms; the last
        //   before 10 s is 9.941406; B waits 0.3 s + 60 937 µs = 360 937 → 10.302343.
        (VRRPVersion.v2, UInt64(1000), us(3_414_062), us(13_023_437)),
        (VRRPVersion.v3, UInt64(1000), us(3_414_062), us(13_023_437)),
        (VRRPVersion.v3, UInt64(100), us(341_406), us(10_302_343)),
    ])
    func masterDownTimerTakesOver(version: VRRPVersion, intervalMs: UInt64, aMaster: Int64, bMaster: Int64) {
        var lab = pair(version: version, interval: .milliseconds(intervalMs))
        lab.inject(.startup, node: 0)
        lab.inject(.startup, node: 1)
        lab.run(until: lab.at(10))
        #expect(lab.lastEntered(.master, 0).map(lab.offset) == aMaster)
        lab.nodes[0].connected = false
        lab.run(for: 10)
        #expect(lab.lastEntered(.master, 1).map(lab.offset) == bMaster)
        #expect(lab.transitions(1).last?.reason == .masterDown)
        // A never learned it was cut off: both hold the addresses, as real routers would.
        #expect(lab.states == [.master, .master])
    }

    @Test func v2IntervalOfOneTenthIsRoundedToOneSecond() {
        var lab = pair(version: .v2, interval: .milliseconds(100))
        lab.inject(.startup, node: 0)
        lab.run(for: 5)
        #expect(lab.lastEntered(.master, 0).map(lab.offset) == us(3_414_062))
    }

    @Test func v3BackupLearnsTheMastersInterval() {
        var lab = Lab([config("A", host: 1, priority: 150, version: .v3, interval: .milliseconds(500)),
                       config("B", host: 2, priority: 100, version: .v3, interval: .seconds(1))])
        lab.inject(.startup, node: 0)
        lab.inject(.startup, node: 1)
        lab.run(until: lab.at(10))
        #expect(lab.nodes[1].vrrp.masterAdvertInterval == .milliseconds(500))
        // A: 1.5 s + 106×50/256 cs (207 031 µs) = 1 707 031; adverts every 0.5 s; the last before 10 s is 9.707031.
        // B uses the learned 0.5 s: 1.5 s + 156×50/256 cs (304 687 µs) = 1 804 687 → 11.511718.
        lab.nodes[0].connected = false
        lab.run(for: 5)
        #expect(lab.lastEntered(.master, 1).map(lab.offset) == us(11_511_718))
        // As Master, B advertises its own configured interval again.
        #expect(lab.adverts(1).last?.ad.interval == .seconds(1))
    }

    @Test func ipv6V3PairElects() {
        func c6(_ name: String, _ host: UInt64, _ prio: UInt8) -> VRRPInstanceConfig {
            VRRPInstanceConfig(name: name, vrid: 7, version: .v3, priority: prio, advertInterval: .milliseconds(100),
                               virtualAddresses: [.v6(high: 0x2001_0DB8_0000_0000, low: 0x100)],
                               primaryAddress: .v6(high: 0xFE80_0000_0000_0000, low: host))
        }
        var lab = Lab([c6("A", 1, 100), c6("B", 2, 200)])
        lab.inject(.startup, node: 0)
        lab.inject(.startup, node: 1)
        lab.run(for: 3)
        #expect(lab.states == [.backup, .master])
        #expect(lab.drops.total == 0)
        lab.inject(.shutdown, node: 1)
        lab.run(for: 1)
        // Skew for 100 at 10 cs: 60 937 µs after the 3 s stop.
        #expect(lab.lastEntered(.master, 0).map(lab.offset) == us(3_060_937))
    }

    @Test func faultAndRecovery() {
        var lab = pair()
        lab.inject(.startup, node: 0)
        lab.inject(.startup, node: 1)
        lab.run(until: lab.at(10))
        lab.inject(.interfaceDown, node: 0)
        // keepalived: a Master entering FAULT sends priority 0 and drops its addresses.
        #expect(lab.adverts(0).last?.ad.priority == 0)
        #expect(lab.states == [.fault, .backup])
        lab.run(until: lab.at(20))
        #expect(lab.lastEntered(.master, 1).map(lab.offset) == us(10_609_375))
        lab.inject(.interfaceUp, node: 0)
        #expect(lab.transitions(0).last?.reason == .recovered)
        lab.run(until: lab.at(30))
        // Back in Backup with the full down timer; B's priority-100 adverts are preempted → Master at 23.414062.
        #expect(lab.lastEntered(.master, 0).map(lab.offset) == us(23_414_062))
        #expect(lab.states == [.master, .backup])
    }

    @Test func trackFaultBehavesLikeInterfaceFault() {
        var lab = pair()
        lab.inject(.startup, node: 0)
        lab.inject(.startup, node: 1)
        lab.run(until: lab.at(10))
        lab.inject(.trackDown, node: 0)
        #expect(lab.transitions(0).last?.reason == .trackFault)
        lab.inject(.interfaceDown, node: 0)
        lab.inject(.trackUp, node: 0)
        #expect(lab.states[0] == .fault)   // still down: the interface
        lab.inject(.interfaceUp, node: 0)
        #expect(lab.states[0] == .backup)
    }

    @Test func priorityChangeInBackupMovesTheRunningDownTimer() {
        var lab = pair()
        lab.inject(.startup, node: 0)
        lab.inject(.startup, node: 1)
        lab.run(until: lab.at(10))
        lab.inject(.priorityChanged(200), node: 1)
        lab.run(until: lab.at(20))
        // Last A advert B accepted: 9.414062; the new down interval 3 + 56/256 = 3.21875 s applies to it → 12.632812.
        #expect(lab.lastEntered(.master, 1).map(lab.offset) == us(12_632_812))
        #expect(lab.states == [.backup, .master])
    }

    @Test func masterLoweringItsPriorityIsPreempted() {
        var lab = pair()
        lab.inject(.startup, node: 0)
        lab.inject(.startup, node: 1)
        lab.run(until: lab.at(10))
        lab.inject(.priorityChanged(50), node: 0)
        lab.run(until: lab.at(20))
        // A's next advert (10.414062) says 50: B ignores it; its timer from 9.414062 (3.609375) ends at 13.023437.
        #expect(lab.adverts(0, since: lab.at(10)).first?.ad.priority == 50)
        #expect(lab.lastEntered(.master, 1).map(lab.offset) == us(13_023_437))
        #expect(lab.states == [.backup, .master])
    }
}
