import KeepalivedConfig
import Testing
import TestSupport
import Wire
@testable import Health
import Vocabulary

/// What the scheduler keeps for the operator's status: each checker's last attempt (result, reason, latency,
/// when), the retry progress, and each track script's progress towards a change, on a hand-moved clock.
@Suite struct SchedulerStatusTests {
    static let config = """
    vrrp_script chk_proxy {
        script "/bin/false"
        interval 2
        rise 2
        fall 3
    }
    vrrp_instance VI_1 {
        interface eth0
        virtual_router_id 51
        priority 100
        virtual_ipaddress { 192.0.2.100 }
        track_script { chk_proxy }
    }
    virtual_server 192.0.2.1 80 {
        protocol TCP
        delay_loop 10
        real_server 198.51.100.1 8080 {
            weight 5
            TCP_CHECK { connect_ip 198.51.100.9
                connect_port 9090
                retry 2
                delay_before_retry 3
                warmup 0 }
            MISC_CHECK { misc_path "/usr/local/bin/probe --fast"
                warmup 0 }
        }
    }
    """

    @Test func eachCheckerKeepsItsLastAttemptAndRetryProgress() throws {
        var clock = TestClock()
        var scheduler = HealthScheduler(configuration: try parseConfig(Self.config), now: clock.now, random: { 0 })
        let before = try #require(scheduler.realServerViews.first)
        #expect(before.virtualServer == "TCP 192.0.2.1:80")
        #expect(before.id == rsID("192.0.2.1", 80, "198.51.100.1", 8080) && before.reportedUp == nil)
        #expect(before.checkers.map(\.kind) == ["TCP_CHECK", "MISC_CHECK"])
        #expect(before.checkers.map(\.target) == ["198.51.100.9:9090", "/usr/local/bin/probe --fast"])
        #expect(before.checkers.allSatisfy { $0.up == nil && $0.lastPassed == nil && $0.lastEndedAt == nil })

        // Both succeed: the TCP check after 1.5 ms, the program after 40 ms.
        let started = clock.now
        let tasks = scheduler.takeDue(now: clock.now).filter { if case .check = $0.kind { return true }; return false }
        #expect(tasks.count == 2)
        clock.advance(.microseconds(1500))
        _ = scheduler.complete(tasks[0], .success, now: clock.now, startedAt: started)
        clock.advance(.microseconds(38_500))
        _ = scheduler.complete(tasks[1], .misc(.exited(status: 0, dynamic: false)), now: clock.now, startedAt: started)
        var view = try #require(scheduler.realServerViews.first)
        #expect(view.reportedUp == true && view.reportedWeight == 5)
        #expect(view.checkers[0].up == true && view.checkers[0].lastPassed == true && view.checkers[0].lastReason == nil)
        #expect(view.checkers[0].lastLatency == .microseconds(1500))
        #expect(view.checkers[0].lastEndedAt == started + .microseconds(1500))
        #expect(view.checkers[1].lastLatency == .milliseconds(40) && view.checkers[1].lastEndedAt == clock.now)

        // The TCP check fails once: still up, one retry of two used, the reason kept.
        clock.advance(.seconds(10))
        let again = scheduler.takeDue(now: clock.now).first { if case .check(_, 0) = $0.kind { return true }; return false }
        let retryStart = clock.now
        clock.advance(.seconds(2))
        _ = scheduler.complete(try #require(again), .failure("connect timed out after 2 s"), now: clock.now,
                               startedAt: retryStart)
        view = try #require(scheduler.realServerViews.first)
        #expect(view.checkers[0].up == true && view.checkers[0].retriesUsed == 1 && view.checkers[0].retry == 2)
        #expect(view.checkers[0].lastPassed == false && view.checkers[0].lastReason == "connect timed out after 2 s")
        #expect(view.checkers[0].lastLatency == .seconds(2))
    }

    @Test func aTrackScriptCountsTowardsItsNextChange() throws {
        var clock = TestClock()
        var scheduler = HealthScheduler(configuration: try parseConfig(Self.config), now: clock.now, random: { 0 })
        func run(_ outcome: CheckOutcome) {
            for task in scheduler.takeDue(now: clock.now) where task.kind == .script("chk_proxy") {
                _ = scheduler.complete(task, outcome, now: clock.now, startedAt: clock.now)
            }
            clock.advance(.seconds(2))
        }
        func view() -> HealthScheduler.ScriptView? { scheduler.scriptViews.first }
        #expect(view()?.ok == nil && view()?.towardsChange == 0 && view()?.rise == 2 && view()?.fall == 3)
        run(.success)
        #expect(view()?.ok == true && view()?.towardsChange == 0 && view()?.lastPassed == true)
        run(.failure("exit status 1"))
        #expect(view()?.ok == true && view()?.towardsChange == 1 && view()?.lastReason == "exit status 1")
        run(.failure("exit status 1"))
        #expect(view()?.ok == true && view()?.towardsChange == 2)
        run(.failure("exit status 1"))
        #expect(view()?.ok == false && view()?.towardsChange == 0, "fall 3: the third failure changes it")
        run(.success)
        #expect(view()?.ok == false && view()?.towardsChange == 1)
        run(.success)
        #expect(view()?.ok == true && view()?.towardsChange == 0, "rise 2")
    }

    @Test func latencySaturatesAndIsAbsentWithoutAStart() {
        let now = MonotonicInstant.now
        #expect(LastAttempt(.success, endedAt: now, startedAt: nil).latency == nil)
        #expect(LastAttempt(.success, endedAt: now + .seconds(10_000), startedAt: now).latency
                == .microseconds(Int64(UInt32.max - 1)))
        #expect(LastAttempt(.failure("x"), endedAt: now, startedAt: now + .seconds(1)).latency == .zero)
    }
}
