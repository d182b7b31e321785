import KeepalivedConfig
import Testing
import TestSupport
import Wire
@testable import Health
import Vocabulary

// A real server of a virtual_server group: keepalived runs one set of checkers for it, whatever the number of
// services the group has, and applies the result to each; checkd reports it under each service's identity.

private func group(_ entries: String) -> String {
    """
    virtual_server_group G {
    \(entries)
    }
    virtual_server group G {
        protocol TCP
        lb_kind DR
        delay_loop 10
        real_server 198.51.100.1 {
            notify_up /bin/true
            MISC_CHECK { misc_path /bin/true
                warmup 0 }
        }
    }
    """
}

private let twoEntries = group("192.0.2.1 80\n192.0.2.2 8080")
private let first = rsID("192.0.2.1", 80, "198.51.100.1", 80)
private let second = rsID("192.0.2.2", 8080, "198.51.100.1", 8080)
private let start = MonotonicInstant(nanoseconds: 1_000_000_000)

/// Runs every due task with `outcome` and returns the events.
private func runDue(_ scheduler: inout HealthScheduler, _ outcome: CheckOutcome,
                    at now: MonotonicInstant = start) -> [HealthEvent] {
    scheduler.takeDue(now: now).flatMap { scheduler.complete($0, outcome, now: now) }
}

@Suite struct GroupSchedulingTests {
    @Test func oneCheckerForEveryServiceOfTheGroup() throws {
        var scheduler = HealthScheduler(configuration: try parseConfig(twoEntries), now: start, random: { 0 })
        #expect(scheduler.realServerIDs == [first, second])
        #expect(scheduler.checkedServerCount == 1 && scheduler.checkerCount == 1)
        #expect(scheduler.takeDue(now: start).count == 1, "one attempt, not one per service")
    }

    @Test func aVerdictIsReportedUnderEachIdentityAndNotifiedOnce() throws {
        var scheduler = HealthScheduler(configuration: try parseConfig(twoEntries), now: start, random: { 0 })
        let events = runDue(&scheduler, .misc(.exited(status: 1, dynamic: false)))
        #expect(events == [.realServerHealth(RealServerHealth(id: first, up: false, weight: 1)),
                           .realServerHealth(RealServerHealth(id: second, up: false, weight: 1)),
                           .realServerTransition(first, up: false)])
        #expect(scheduler.notifyCommand(of: second, up: true)?.text == "/bin/true", "any identity finds the server")
        #expect(Set(scheduler.realServerView.map(\.id)) == [first, second])
    }

    @Test func aReloadThatAddsAnEntryKeepsTheStateAndReportsTheNewIdentity() throws {
        var scheduler = HealthScheduler(configuration: try parseConfig(twoEntries), now: start, random: { 0 })
        _ = runDue(&scheduler, .misc(.exited(status: 1, dynamic: false)))
        let third = rsID("192.0.2.3", 80, "198.51.100.1", 80)
        let events = scheduler.reload(try parseConfig(group("192.0.2.1 80\n192.0.2.2 8080\n192.0.2.3 80")), now: start)
        #expect(events == [first, second, third].map { .realServerHealth(RealServerHealth(id: $0, up: false, weight: 1)) })
        #expect(scheduler.checkerState(third, index: 0)?.up == false, "the same checker, still down")
        #expect(scheduler.nextRun(of: .check(first, index: 0)) == start + .seconds(10), "its schedule kept")
    }

    @Test func aReloadThatChangesNothingSaysNothing() throws {
        var scheduler = HealthScheduler(configuration: try parseConfig(twoEntries), now: start, random: { 0 })
        _ = runDue(&scheduler, .success)
        #expect(scheduler.reload(try parseConfig(twoEntries), now: start).isEmpty)
    }

    @Test func aResultInFlightWhenTheFirstEntryGoesIsDroppedAndTheServerStartsAfresh() throws {
        var scheduler = HealthScheduler(configuration: try parseConfig(twoEntries), now: start, random: { 0 })
        let running = scheduler.takeDue(now: start)
        _ = scheduler.reload(try parseConfig(group("192.0.2.2 8080")), now: start)
        #expect(scheduler.complete(running[0], .success, now: start).isEmpty)
        #expect(scheduler.realServerIDs == [second])
        #expect(scheduler.nextRun(of: .check(second, index: 0)) == start, "a new checker, due at once")
    }
}
