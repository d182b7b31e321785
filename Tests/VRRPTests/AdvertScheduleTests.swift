// The Master's advert timer keeps to a grid of deadlines: a late timer does not move the adverts after it.
import Testing
@testable import VRRP
import Vocabulary

@Suite struct AdvertScheduleTests {
    let t0 = MonotonicInstant(nanoseconds: 7_000_000_000)
    let interval: Duration = .milliseconds(10)

    /// A v3 Master at 10 ms, brought there by its down timer; returns it and the instant it became Master.
    func master() -> (VRRPInstance, MonotonicInstant) {
        var i = VRRPInstance(config: config("A", host: 1, priority: 150, version: .v3, interval: interval))
        _ = i.handle(.startup, at: t0)
        let d = i.nextDeadline!
        _ = i.handle(.timerFired, at: d)
        #expect(i.state == .master)
        return (i, d)
    }

    func adverts(_ actions: [VRRPAction]) -> Int {
        actions.filter { if case .sendAdvertisement = $0 { true } else { false } }.count
    }

    @Test func aLateSendKeepsTheNextDeadlineOnTheGrid() {
        var (i, m) = master()
        #expect(i.nextDeadline == m + interval)
        // The timer fires 3.7 ms late: the advert goes out then, the next is still due at m + 2 intervals.
        let late = m + interval + .microseconds(3_700)
        #expect(adverts(i.handle(.timerFired, at: late)) == 1)
        #expect(i.nextDeadline == m + interval * 2)
        // And after a run of late firings (each up to 9.9 ms late) the grid has not moved.
        var sent = 0
        for k in 2...101 {
            let due = i.nextDeadline!
            #expect(due == m + interval * k)
            sent += adverts(i.handle(.timerFired, at: due + .microseconds(Int64(k % 10) * 990)))
        }
        #expect(sent == 100)
        #expect(i.nextDeadline == m + interval * 102)
    }

    @Test func onTimeFiringsGiveExactIntervals() {
        var (i, m) = master()
        for k in 1...50 {
            #expect(i.nextDeadline == m + interval * k)
            _ = i.handle(.timerFired, at: i.nextDeadline!)
        }
    }

    @Test func moreThanAnIntervalLateRestartsTheGridFromNowWithoutABurst() {
        var (i, m) = master()
        // A stall: the timer due at m + 10 ms runs at m + 45 ms. One advert, not the three or four missed.
        let stalled = m + .milliseconds(45)
        #expect(adverts(i.handle(.timerFired, at: stalled)) == 1)
        #expect(i.nextDeadline == stalled + interval)
        // Exactly one interval late is as late as a missed advert: the grid restarts from now too.
        let due = i.nextDeadline!
        #expect(adverts(i.handle(.timerFired, at: due + interval)) == 1)
        #expect(i.nextDeadline == due + interval * 2)
        // Just under one interval late keeps the grid.
        let next = i.nextDeadline!
        _ = i.handle(.timerFired, at: next + interval - .microseconds(1))
        #expect(i.nextDeadline == next + interval)
    }

    @Test func anAdvertOffTheTimerRestartsTheGridFromThatAdvert() {
        var (i, m) = master()
        // RFC 5798 §6.4.3: a priority-0 advert is answered at once and the advert timer restarts from then.
        let answer = m + .microseconds(4_300)
        let a = i.handle(.advertisement(VRRPAdvertisement(version: .v3, vrid: 51, priority: 0, interval: interval,
                                                          addresses: [.ipv4(192, 0, 2, 100)]),
                                        from: .ipv4(192, 0, 2, 2)), at: answer)
        #expect(adverts(a) == 1)
        #expect(i.nextDeadline == answer + interval)
        // From there on, the grid is that advert's.
        _ = i.handle(.timerFired, at: answer + interval + .microseconds(800))
        #expect(i.nextDeadline == answer + interval * 2)
    }

    @Test func nextAdvertFormula() {
        let d = t0
        #expect(VRRPInstance.nextAdvert(after: d, interval: interval, now: d) == d + interval)
        #expect(VRRPInstance.nextAdvert(after: d, interval: interval, now: d + .milliseconds(9)) == d + interval)
        #expect(VRRPInstance.nextAdvert(after: d, interval: interval, now: d + interval) == d + interval * 2)
        #expect(VRRPInstance.nextAdvert(after: nil, interval: interval, now: d + .milliseconds(3)) == d + .milliseconds(13))
    }
}
