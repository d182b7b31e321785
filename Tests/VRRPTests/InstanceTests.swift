// One instance driven event by event: exact action lists and timers.
import Testing
@testable import VRRP
import Vocabulary

@Suite struct InstanceTests {
    let t0 = MonotonicInstant(nanoseconds: 5_000_000_000)
    let vip: [IPAddress] = [.ipv4(192, 0, 2, 100)]
    func t(_ seconds: Double) -> MonotonicInstant { t0 + .nanoseconds(Int64(seconds * 1e9)) }

    func advert(_ prio: UInt8, version: VRRPVersion = .v2, interval: Duration = .seconds(1)) -> VRRPAdvertisement {
        VRRPAdvertisement(version: version, vrid: 51, priority: prio, interval: interval, addresses: vip)
    }

    /// An instance brought to Master by its down timer.
    func master(_ c: VRRPInstanceConfig) -> (VRRPInstance, MonotonicInstant) {
        var i = VRRPInstance(config: c)
        _ = i.handle(.startup, at: t0)
        let d = i.nextDeadline!
        _ = i.handle(.timerFired, at: d)
        return (i, d)
    }

    @Test func startupEntersBackupAndArmsTheDownTimer() {
        var i = VRRPInstance(config: config("A", host: 1, priority: 100))
        let a = i.handle(.startup, at: t0)
        #expect(a == [.stateChanged(from: .initialize, to: .backup, reason: .startup)])
        #expect(i.nextDeadline == t0 + .microseconds(3_609_375))
        #expect(i.handle(.startup, at: t(1)).isEmpty)   // once only
    }

    @Test func ownerWithStateMasterIsMasterAtOnce() {
        var i = VRRPInstance(config: config("O", host: 1, priority: 255, state: .master))
        let a = i.handle(.startup, at: t0)
        #expect(a == [.sendAdvertisement(advert(255)),
                      .addVirtualAddresses(vip),
                      .sendGratuitous(vip, repeat: 5),
                      .stateChanged(from: .initialize, to: .master, reason: .addressOwner)])
        #expect(i.nextDeadline == t(1))
    }

    @Test func ownerWithStateBackupWaitsLikeAnyBackup() {
        // keepalived only skips the wait for `state MASTER` + priority 255. Skew for 255 is 1/256 s = 3906 µs.
        var i = VRRPInstance(config: config("O", host: 1, priority: 255))
        _ = i.handle(.startup, at: t0)
        #expect(i.nextDeadline == t0 + .microseconds(3_003_906))
    }

    @Test func stateMasterWithoutOwnershipStartsAsBackup() {
        var i = VRRPInstance(config: config("M", host: 1, priority: 150, state: .master))
        let a = i.handle(.startup, at: t0)
        #expect(a.first == .stateChanged(from: .initialize, to: .backup, reason: .startup))
        #expect(i.nextDeadline == t0 + .microseconds(3_414_062))
        let b = i.handle(.timerFired, at: i.nextDeadline!)
        #expect(b.contains(.stateChanged(from: .backup, to: .master, reason: .masterDown)))
    }

    @Test func earlyOrRepeatedTimerCallsDoNothing() {
        var i = VRRPInstance(config: config("A", host: 1, priority: 100))
        _ = i.handle(.startup, at: t0)
        #expect(i.handle(.timerFired, at: t(1)).isEmpty)
        #expect(i.state == .backup)
    }

    @Test func gratuitousArpFollowsKeepalivedsDelayAndRefresh() {
        var g = VRRPGratuitousConfig()
        g.masterRepeat = 3
        g.masterDelay = .seconds(5)
        g.masterRefresh = .seconds(60)
        g.masterRefreshRepeat = 2
        var (i, m) = master(config("A", host: 1, priority: 100, gratuitous: g))
        #expect(i.state == .master)
        // Adverts every second; the second burst at +5 s; the refresh is due 60 s after becoming MASTER and goes
        // with the advert sent then (keepalived's vrrp_state_master_tx), then every 60 s.
        var bursts: [(MonotonicInstant, Int)] = []
        var now = m
        while let d = i.nextDeadline, d <= m + .seconds(200) {
            now = d
            for case .sendGratuitous(_, let n) in i.handle(.timerFired, at: now) { bursts.append((now, n)) }
        }
        #expect(bursts.map { $0.0 } == [m + .seconds(5), m + .seconds(60), m + .seconds(120), m + .seconds(180)])
        #expect(bursts.map { $0.1 } == [3, 2, 2, 2])
    }

    @Test func noSecondBurstWhenDelayIsZeroAndBurstsStopWhenLeavingMaster() {
        var g = VRRPGratuitousConfig()
        g.masterDelay = .zero
        var (i, m) = master(config("A", host: 1, priority: 100, gratuitous: g))
        #expect(i.nextDeadline == m + .seconds(1))   // only the advert timer
        let next = i.handle(.timerFired, at: m + .seconds(1))
        #expect(!next.contains { if case .sendGratuitous = $0 { return true } else { return false } })
        var g2 = VRRPGratuitousConfig()
        g2.masterRefresh = .seconds(10)
        var (j, m2) = master(config("B", host: 1, priority: 100, gratuitous: g2))
        _ = j.handle(.advertisement(advert(200), from: .ipv4(192, 0, 2, 9)), at: m2 + .seconds(1))
        #expect(j.state == .backup)
        // Only the down timer remains: no GARP for addresses we no longer hold.
        #expect(j.nextDeadline == m2 + .seconds(1) + .microseconds(3_609_375))
    }

    @Test func masterAnswersALowerPriorityAdvertAndRefreshesCaches() {
        var (i, m) = master(config("A", host: 1, priority: 150))
        let now = m + .milliseconds(300)
        let a = i.handle(.advertisement(advert(100), from: .ipv4(192, 0, 2, 2)), at: now)
        #expect(a == [.sendAdvertisement(advert(150)), .sendGratuitous(vip, repeat: 5)])
        #expect(i.nextDeadline == now + .seconds(1))
        // garp_lower_prio_delay (default = garp_master_delay 5 s): a second burst.
        var later: [VRRPAction] = []
        while let d = i.nextDeadline, d <= now + .seconds(5) { later += i.handle(.timerFired, at: d) }
        #expect(later.contains(.sendGratuitous(vip, repeat: 5)))
    }

    @Test func refreshWaitsForTheNextAdvertAfterItIsDue() {
        var g = VRRPGratuitousConfig()
        g.masterDelay = .zero
        g.masterRefresh = .milliseconds(2500)
        var (i, m) = master(config("A", host: 1, priority: 100, gratuitous: g))
        var bursts: [MonotonicInstant] = []
        while let d = i.nextDeadline, d <= m + .seconds(6) {
            for case .sendGratuitous in i.handle(.timerFired, at: d) { bursts.append(d) }
        }
        // Due at +2.5 s and +5.5 s (2.5 s after the first refresh at +3 s), sent with the adverts at +3 s and +6 s.
        #expect(bursts == [m + .seconds(3), m + .seconds(6)])
    }

    @Test func lowerPriorityNoAdvertKeepsTheAnswerBackButNotTheBurst() {
        var g = VRRPGratuitousConfig()
        g.lowerPriorityNoAdvert = true
        g.lowerPriorityRepeat = 2
        var (i, m) = master(config("A", host: 1, priority: 150, gratuitous: g))
        let a = i.handle(.advertisement(advert(100), from: .ipv4(192, 0, 2, 2)), at: m + .milliseconds(300))
        #expect(a == [.sendGratuitous(vip, repeat: 2)])
        // The advert timer is not restarted: the next advert is at its usual time.
        #expect(i.nextDeadline == m + .seconds(1))
        var h = VRRPGratuitousConfig()
        h.lowerPriorityRepeat = 0
        var (j, n) = master(config("B", host: 1, priority: 150, gratuitous: h))
        #expect(j.handle(.advertisement(advert(100), from: .ipv4(192, 0, 2, 2)), at: n + .milliseconds(1))
                == [.sendAdvertisement(advert(150))])
    }

    @Test func higherPrioritySendAdvertAnnouncesOnceBeforeYielding() {
        var g = VRRPGratuitousConfig()
        g.higherPrioritySendAdvert = true
        var (i, m) = master(config("A", host: 1, priority: 100, gratuitous: g))
        let a = i.handle(.advertisement(advert(200), from: .ipv4(192, 0, 2, 9)), at: m + .milliseconds(10))
        #expect(a == [.sendAdvertisement(advert(100)), .removeVirtualAddresses(vip),
                      .stateChanged(from: .master, to: .backup, reason: .higherPriorityAdvert)])
        var (j, n) = master(config("B", host: 1, priority: 100))
        let b = j.handle(.advertisement(advert(200), from: .ipv4(192, 0, 2, 9)), at: n + .milliseconds(10))
        #expect(b == [.removeVirtualAddresses(vip), .stateChanged(from: .master, to: .backup, reason: .higherPriorityAdvert)])
    }

    @Test func masterAnswersPriorityZeroAtOnce() {
        var (i, m) = master(config("A", host: 1, priority: 150))
        let now = m + .milliseconds(500)
        let a = i.handle(.advertisement(advert(0), from: .ipv4(192, 0, 2, 2)), at: now)
        #expect(a == [.sendAdvertisement(advert(150))])
        #expect(i.nextDeadline == now + .seconds(1))
        #expect(i.state == .master)
    }

    @Test func masterYieldsToEqualPriorityFromHigherAddressOnly() {
        var (i, m) = master(config("A", host: 5, priority: 100))
        let lower = i.handle(.advertisement(advert(100), from: .ipv4(192, 0, 2, 4)), at: m + .milliseconds(1))
        #expect(i.state == .master && lower.first == .sendAdvertisement(advert(100)))
        let own = i.handle(.advertisement(advert(100), from: .ipv4(192, 0, 2, 5)), at: m + .milliseconds(2))
        #expect(own.isEmpty && i.state == .master)
        let higher = i.handle(.advertisement(advert(100), from: .ipv4(192, 0, 2, 6)), at: m + .milliseconds(3))
        #expect(higher == [.removeVirtualAddresses(vip),
                           .stateChanged(from: .master, to: .backup, reason: .higherPriorityAdvert)])
        #expect(i.nextDeadline == m + .milliseconds(3) + .microseconds(3_609_375))
    }

    @Test func backupAcceptsEqualPriorityAndIgnoresLowerWhenPreempting() {
        var i = VRRPInstance(config: config("A", host: 1, priority: 100))
        _ = i.handle(.startup, at: t0)
        _ = i.handle(.advertisement(advert(100), from: .ipv4(192, 0, 2, 2)), at: t(1))
        #expect(i.nextDeadline == t(1) + .microseconds(3_609_375))
        _ = i.handle(.advertisement(advert(99), from: .ipv4(192, 0, 2, 2)), at: t(2))
        #expect(i.nextDeadline == t(1) + .microseconds(3_609_375))   // not restarted
        let a = i.handle(.timerFired, at: t(1) + .microseconds(3_609_375))
        #expect(a.contains(.stateChanged(from: .backup, to: .master, reason: .preempted)))
    }

    @Test func backupSetsSkewTimerOnPriorityZero() {
        var i = VRRPInstance(config: config("A", host: 1, priority: 200))
        _ = i.handle(.startup, at: t0)
        let a = i.handle(.advertisement(advert(0), from: .ipv4(192, 0, 2, 2)), at: t(1))
        // (256 − 200)/256 s = 218 750 µs.
        #expect(a.isEmpty)
        #expect(i.nextDeadline == t(1) + .microseconds(218_750))
    }

    @Test func advertsAreIgnoredInFaultAndInitialize() {
        var i = VRRPInstance(config: config("A", host: 1, priority: 100))
        #expect(i.handle(.advertisement(advert(0), from: .ipv4(192, 0, 2, 2)), at: t0).isEmpty)
        _ = i.handle(.interfaceDown, at: t0)
        _ = i.handle(.startup, at: t0)
        #expect(i.state == .fault && i.nextDeadline == nil)
        #expect(i.handle(.advertisement(advert(0), from: .ipv4(192, 0, 2, 2)), at: t(1)).isEmpty)
    }

    @Test func faultAtStartupThenRecovery() {
        var i = VRRPInstance(config: config("A", host: 1, priority: 100))
        _ = i.handle(.trackDown, at: t0)
        #expect(i.handle(.startup, at: t0) == [.stateChanged(from: .initialize, to: .fault, reason: .trackFault)])
        let up = i.handle(.trackUp, at: t(2))
        #expect(up == [.stateChanged(from: .fault, to: .backup, reason: .recovered)])
        #expect(i.nextDeadline == t(2) + .microseconds(3_609_375))
    }

    @Test func ownerWhoseFaultDatesFromStartupGoesMasterOnRecoveryButNotLater() {
        var i = VRRPInstance(config: config("O", host: 1, priority: 255, state: .master))
        _ = i.handle(.interfaceDown, at: t0)
        _ = i.handle(.startup, at: t0)
        _ = i.handle(.interfaceUp, at: t(1))
        #expect(i.state == .master)
        // After a fault while running, keepalived's wantstate is FAULT, so recovery goes through Backup.
        let down = i.handle(.interfaceDown, at: t(2))
        #expect(down.first == .sendAdvertisement(advert(0)))
        _ = i.handle(.interfaceUp, at: t(3))
        #expect(i.state == .backup)
    }

    @Test func shutdownFromBackupSendsNothingAndStopsEverything() {
        var i = VRRPInstance(config: config("A", host: 1, priority: 100))
        _ = i.handle(.startup, at: t0)
        let a = i.handle(.shutdown, at: t(1))
        #expect(a == [.stateChanged(from: .backup, to: .initialize, reason: .shutdown)])
        #expect(i.nextDeadline == nil)
        #expect(i.handle(.startup, at: t(2)).isEmpty)
        #expect(i.handle(.interfaceDown, at: t(2)).isEmpty)
    }

    @Test func shutdownFromMasterSendsPriorityZeroThenReleases() {
        var (i, m) = master(config("A", host: 1, priority: 100))
        let a = i.handle(.shutdown, at: m + .seconds(1))
        #expect(a == [.sendAdvertisement(advert(0)), .removeVirtualAddresses(vip),
                      .stateChanged(from: .master, to: .initialize, reason: .shutdown)])
        #expect(i.nextDeadline == nil)
    }

    @Test func ownerPriorityIgnoresTracking() {
        var i = VRRPInstance(config: config("O", host: 1, priority: 255, state: .master))
        _ = i.handle(.startup, at: t0)
        _ = i.handle(.priorityChanged(10), at: t(1))
        #expect(i.effectivePriority == 255)
        var j = VRRPInstance(config: config("A", host: 1, priority: 100))
        _ = j.handle(.priorityChanged(0), at: t0)
        #expect(j.effectivePriority == 1)   // clamped
    }

    @Test func misroutedAdvertIsIgnored() {
        var i = VRRPInstance(config: config("A", host: 1, priority: 100))
        _ = i.handle(.startup, at: t0)
        var ad = advert(0); ad.vrid = 52
        #expect(i.handle(.advertisement(ad, from: .ipv4(192, 0, 2, 2)), at: t(1)).isEmpty)
    }
}
