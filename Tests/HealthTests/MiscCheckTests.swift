import KeepalivedConfig
import Testing
@testable import Health

// keepalived 2.2.7's MISC_CHECK (check/check_misc.c): what each exit status means with and without misc_dynamic,
// and what each transition does to the weight.

private let noRetry = CheckerTiming(delayLoop: .seconds(10), connectTimeout: .seconds(2), retry: 0,
                                    delayBeforeRetry: .seconds(3), warmup: .zero)
private let configured = 3

private func exited(_ status: Int32, dynamic: Bool = true) -> CheckOutcome {
    .misc(.exited(status: status, dynamic: dynamic))
}

/// A checker's state after `outcomes`, each recorded against the configured weight 3.
private func state(after outcomes: [CheckOutcome], timing: CheckerTiming = noRetry) -> CheckerState {
    var state = CheckerState(alpha: false)
    for outcome in outcomes { _ = state.record(outcome, timing: timing, configuredWeight: configured) }
    return state
}

/// The server's weight with this one checker: configured plus its change.
private func weight(_ state: CheckerState) -> Int { configured + state.weightChange(from: configured) }

@Suite struct MiscCheckReadingTests {
    @Test(arguments: 0...255)
    func withoutMiscDynamicOnlyZeroIsUp(status: Int) {
        let after = state(after: [exited(Int32(status), dynamic: false)])
        #expect(after.up == (status == 0))
        #expect(weight(after) == configured, "without misc_dynamic no status touches the weight")
    }

    @Test(arguments: 0...255)
    func withMiscDynamicOneIsDownAndTwoTo255SetTheWeight(status: Int) {
        let after = state(after: [exited(Int32(status))])
        #expect(after.up == (status != 1))
        #expect(weight(after) == (status >= 2 ? status - 2 : configured))
    }

    @Test func howAProgramsEndReads() {
        #expect(MiscCheckEnd(.exited(7), dynamic: true) == .exited(status: 7, dynamic: true))
        #expect(!MiscCheckEnd(.timedOut, dynamic: true).passed)
        #expect(!MiscCheckEnd(.signaled(9), dynamic: false).passed)
        #expect(MiscCheckEnd(.failedToStart("ENOENT"), dynamic: false) == .exited(status: 0, dynamic: false),
                "keepalived's child exits 0 when the exec fails")
        #expect(CheckOutcome.misc(.exited(status: 1, dynamic: true)).failureReason == "exit status 1")
        #expect(CheckOutcome.misc(.exited(status: 9, dynamic: true)).failureReason == nil)
    }

    @Test func timeoutIsMiscTimeoutElseTheVirtualServersDelayLoop() throws {
        let config = try parseConfig("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            delay_loop 7
            real_server 198.51.100.1 80 {
                delay_loop 3
                MISC_CHECK { misc_path /bin/true
                    delay_loop 2 }
                MISC_CHECK { misc_path /bin/true
                    misc_timeout 4 }
                MISC_CHECK { misc_path /bin/true
                    misc_timeout 0 }
            }
        }
        virtual_server 192.0.2.1 81 {
            protocol TCP
            real_server 198.51.100.1 81 { MISC_CHECK { misc_path /bin/true } }
        }
        """)
        let vs = config.virtualServers[0], checks = vs.realServers[0].checks
        #expect(MiscCheckEnd.timeout(of: checks[0], in: vs) == .seconds(7), "checker->vs->delay_loop")
        #expect(MiscCheckEnd.timeout(of: checks[1], in: vs) == .seconds(4))
        #expect(MiscCheckEnd.timeout(of: checks[2], in: vs) == .seconds(7), "misc_timeout 0 is no timeout set")
        let other = config.virtualServers[1]
        #expect(MiscCheckEnd.timeout(of: other.realServers[0].checks[0], in: other) == .seconds(60))
    }
}

@Suite struct MiscCheckTransitionTests {
    @Test func zeroThenDynamicThenFailureThenZero() {
        var s = CheckerState(alpha: false)
        func run(_ outcome: CheckOutcome) -> (up: Bool, weight: Int) {
            _ = s.record(outcome, timing: noRetry, configuredWeight: configured)
            return (s.up, weight(s))
        }
        #expect(run(exited(0)) == (true, 3))
        #expect(run(exited(9)) == (true, 7))
        #expect(run(exited(9)) == (true, 7))
        #expect(run(exited(1)) == (false, 3), "going down on an exit status gives back the configured weight")
        #expect(run(exited(40)) == (true, 38), "up again at the new status's weight")
        #expect(run(exited(5, dynamic: true)) == (true, 3))
        #expect(run(exited(0)) == (true, 3), "0 is the configured weight again")
    }

    @Test func downOnAStatusThenZeroComesBackAtTheConfiguredWeight() {
        #expect(weight(state(after: [exited(9), exited(1), exited(0)])) == configured)
        #expect(state(after: [exited(9), exited(1), exited(0)]).up)
    }

    @Test func aFailureWhileDownChangesNothing() {
        let down = state(after: [exited(9), exited(1)])
        let again = state(after: [exited(9), exited(1), exited(1)])
        #expect(down == again)
        // Without misc_dynamic, 9 is a failure: while down it is not even remembered as the last status, so the
        // next 0 still differs from the 1 that took the checker down.
        let quiet = state(after: [exited(1, dynamic: false), exited(9, dynamic: false)])
        #expect(quiet.lastExitStatus == 1 && !quiet.up)
    }

    @Test func aTimeoutKeepsTheDynamicWeightForGood() {
        let killed = CheckOutcome.misc(.killed("timed out"))
        let down = state(after: [exited(9), killed])
        #expect(!down.up && weight(down) == 7, "keepalived leaves the dynamic weight in place on a kill")
        #expect(weight(state(after: [exited(9), killed, exited(9)])) == 7)
        #expect(weight(state(after: [exited(9), killed, exited(0)])) == 7, "0 does not give the configured weight back")
        #expect(weight(state(after: [exited(9), killed, exited(12)])) == 14, "the new status's change adds to the old")
        #expect(weight(state(after: [exited(9), killed, exited(12), exited(1), exited(0)])) == 7,
                "an exit-status failure later takes out only the current change")
    }

    @Test func aTimeoutWithoutADynamicWeightLeavesTheConfiguredOne() {
        let killed = CheckOutcome.misc(.killed("killed by signal 9"))
        #expect(weight(state(after: [exited(0), killed, exited(0)])) == configured)
        #expect(weight(state(after: [exited(9, dynamic: false), killed])) == configured)
    }

    @Test func retriesKeepTheWeightUntilTheLastOneFails() {
        let oneRetry = CheckerTiming(delayLoop: .seconds(10), connectTimeout: .seconds(2), retry: 1,
                                     delayBeforeRetry: .seconds(3), warmup: .zero)
        let retrying = state(after: [exited(9), exited(1)], timing: oneRetry)
        #expect(retrying.up && weight(retrying) == 7 && retrying.retriesUsed == 1)
        let recovered = state(after: [exited(9), exited(1), exited(9)], timing: oneRetry)
        #expect(recovered.up && weight(recovered) == 7 && recovered.retriesUsed == 0)
        let down = state(after: [exited(9), exited(1), exited(1)], timing: oneRetry)
        #expect(!down.up && weight(down) == configured)
    }

    @Test func alphaFirstFailureSettlesWithoutTouchingTheWeight() {
        var s = CheckerState(alpha: true)
        _ = s.record(exited(1), timing: noRetry, configuredWeight: configured)
        #expect(!s.up && s.hasVerdict && weight(s) == configured && s.lastExitStatus == 1)
    }
}
