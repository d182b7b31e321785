import Foundation
import KeepalivedConfig
import Platform
import Testing
import TestSupport
import Wire
@testable import Health
import Vocabulary

/// Drives a scheduler with a hand-moved clock and scripted outcomes.
/// A misc_dynamic MISC_CHECK's program that exited with `status`.
private func exited(_ status: Int32) -> CheckOutcome { .misc(.exited(status: status, dynamic: true)) }

private struct Harness {
    var clock = TestClock()
    var scheduler: HealthScheduler

    init(_ text: String) throws {
        let start = clock.now
        scheduler = HealthScheduler(configuration: try parseConfig(text), now: start, random: { 0 })
    }

    /// Runs every due task with `outcome(task)` and returns the events.
    mutating func runDue(_ outcome: (HealthTask) -> CheckOutcome) -> [HealthEvent] {
        var events: [HealthEvent] = []
        for task in scheduler.takeDue(now: clock.now) {
            events += scheduler.complete(task, outcome(task), now: clock.now)
        }
        return events
    }

    mutating func runDue(_ outcome: CheckOutcome) -> [HealthEvent] { runDue { _ in outcome } }

    mutating func advance(_ duration: Duration) { clock.advance(duration) }
}

private let oneTCP = """
virtual_server 192.0.2.1 80 {
    protocol TCP
    delay_loop 10
    real_server 198.51.100.1 8080 {
        weight 5
        TCP_CHECK { connect_timeout 2
            retry 2
            delay_before_retry 3
            warmup 0 }
    }
}
"""
private let rs1 = rsID("192.0.2.1", 80, "198.51.100.1", 8080)

@Suite struct HealthSchedulerTests {
    @Test func firstSuccessIsReportedAndRepeatsNothing() throws {
        var h = try Harness(oneTCP)
        #expect(h.scheduler.nextDeadline() == h.clock.now)
        #expect(h.scheduler.realServerView.isEmpty)
        let events = h.runDue(.success)
        #expect(events == [.realServerHealth(RealServerHealth(id: rs1, up: true, weight: 5))])
        #expect(h.scheduler.nextDeadline() == h.clock.now + .seconds(10))
        h.advance(.seconds(10))
        #expect(h.runDue(.success).isEmpty)
        #expect(h.scheduler.realServerView == [RealServerHealth(id: rs1, up: true, weight: 5)])
    }

    @Test func aLimitedTakeLeavesTheRestDueEarliestFirst() throws {
        var h = try Harness("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            delay_loop 10
            real_server 198.51.100.1 8080 { TCP_CHECK { warmup 0 } }
            real_server 198.51.100.2 8080 { TCP_CHECK { warmup 0 } }
            real_server 198.51.100.3 8080 { TCP_CHECK { warmup 0 } }
        }
        """)
        let first = h.scheduler.takeDue(now: h.clock.now, limit: 2)
        #expect(first.count == 2)
        #expect(h.scheduler.nextDeadline() == h.clock.now)
        let rest = h.scheduler.takeDue(now: h.clock.now, limit: 2)
        #expect(rest.count == 1)
        #expect(Set((first + rest).map(\.description)).count == 3)
        #expect(h.scheduler.nextDeadline() == nil)
        #expect(h.scheduler.takeDue(now: h.clock.now, limit: 2).isEmpty)
    }

    @Test func nothingIsDueBeforeItsTime() throws {
        var h = try Harness(oneTCP)
        _ = h.runDue(.success)
        h.advance(.seconds(9))
        #expect(h.scheduler.takeDue(now: h.clock.now).isEmpty)
    }

    @Test func failureOfUpServerRetriesWithDelayBeforeRetryThenDown() throws {
        var h = try Harness(oneTCP)
        _ = h.runDue(.success)
        h.advance(.seconds(10))
        #expect(h.runDue(.failure("refused")).isEmpty)
        #expect(h.scheduler.nextDeadline() == h.clock.now + .seconds(3))
        h.advance(.seconds(3))
        #expect(h.runDue(.failure("refused")).isEmpty)
        h.advance(.seconds(3))
        let events = h.runDue(.failure("refused"))
        #expect(events == [.realServerHealth(RealServerHealth(id: rs1, up: false, weight: 5)),
                           .realServerTransition(rs1, up: false)])
        #expect(h.scheduler.nextDeadline() == h.clock.now + .seconds(10))
        // Down: a failure is not retried, a success brings it up at once.
        h.advance(.seconds(10))
        #expect(h.runDue(.failure("refused")).isEmpty)
        #expect(h.scheduler.nextDeadline() == h.clock.now + .seconds(10))
        h.advance(.seconds(10))
        #expect(h.runDue(.success) == [.realServerHealth(RealServerHealth(id: rs1, up: true, weight: 5)),
                                         .realServerTransition(rs1, up: true)])
    }

    @Test func nonAlphaServerFailingFromStartSaysNothingUntilRetriesAreSpent() throws {
        var h = try Harness(oneTCP)
        #expect(h.runDue(.failure("x")).isEmpty)
        h.advance(.seconds(3))
        #expect(h.runDue(.failure("x")).isEmpty)
        #expect(h.scheduler.realServerView.isEmpty)
        h.advance(.seconds(3))
        #expect(h.runDue(.failure("x")).contains(.realServerHealth(RealServerHealth(id: rs1, up: false, weight: 5))))
    }

    @Test func alphaServerStartsDownWithoutRetriesAndNotifiesUp() throws {
        var h = try Harness(oneTCP.replacingOccurrences(of: "delay_loop 10", with: "delay_loop 10\n alpha"))
        #expect(h.runDue(.failure("x")) == [.realServerHealth(RealServerHealth(id: rs1, up: false, weight: 5))])
        h.advance(.seconds(10))
        #expect(h.runDue(.success) == [.realServerHealth(RealServerHealth(id: rs1, up: true, weight: 5)),
                                         .realServerTransition(rs1, up: true)])
    }

    @Test func allCheckersMustPass() throws {
        var h = try Harness("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            delay_loop 10
            real_server 198.51.100.1 80 {
                TCP_CHECK { retry 0
                    warmup 0 }
                HTTP_GET { url { path / }
                    retry 0
                    warmup 0 }
            }
        }
        """)
        let id = rsID("192.0.2.1", 80, "198.51.100.1", 80)
        // Only the TCP checker has a result: nothing is said yet.
        for task in h.scheduler.takeDue(now: h.clock.now) {
            if case .check(_, index: 0) = task.kind {
                #expect(h.scheduler.complete(task, .success, now: h.clock.now).isEmpty)
            } else {
                #expect(h.scheduler.checker(for: task)?.check.name == "HTTP_GET")
                let events = h.scheduler.complete(task, .failure("503"), now: h.clock.now)
                #expect(events == [.realServerHealth(RealServerHealth(id: id, up: false, weight: 1)),
                                   .realServerTransition(id, up: false)])
            }
        }
        h.advance(.seconds(10))
        #expect(h.runDue(.success) == [.realServerHealth(RealServerHealth(id: id, up: true, weight: 1)),
                                         .realServerTransition(id, up: true)])
    }

    @Test func miscDynamicSetsTheWeight() throws {
        var h = try Harness("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            delay_loop 10
            real_server 198.51.100.1 80 {
                weight 3
                MISC_CHECK { misc_path "/bin/true"
                    misc_dynamic
                    warmup 0 }
            }
        }
        """)
        let id = rsID("192.0.2.1", 80, "198.51.100.1", 80)
        #expect(h.runDue(exited(12)) == [.realServerHealth(RealServerHealth(id: id, up: true, weight: 10))])
        h.advance(.seconds(10))
        #expect(h.runDue(exited(12)).isEmpty, "the same status again changes nothing")
        h.advance(.seconds(10))
        #expect(h.runDue(exited(0)) == [.realServerHealth(RealServerHealth(id: id, up: true, weight: 3))],
                "exit 0 gives back the configured weight")
        h.advance(.seconds(10))
        #expect(h.runDue(exited(22)) == [.realServerHealth(RealServerHealth(id: id, up: true, weight: 20))])
        // MISC_CHECK's retry default is 0: one failure takes it down, and with it the dynamic weight.
        h.advance(.seconds(10))
        #expect(h.runDue(exited(1)).first == .realServerHealth(RealServerHealth(id: id, up: false, weight: 3)))
    }

    @Test func twoDynamicCheckersAddTheirChanges() throws {
        var h = try Harness("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            real_server 198.51.100.1 80 {
                weight 10
                MISC_CHECK { misc_path "/bin/a"
                    misc_dynamic
                    warmup 0 }
                MISC_CHECK { misc_path "/bin/b"
                    misc_dynamic
                    warmup 0 }
            }
        }
        """)
        let events = h.runDue { task in
            if case .check(_, index: 0) = task.kind { return exited(14) }
            return exited(9)
        }
        #expect(events == [.realServerHealth(RealServerHealth(id: rsID("192.0.2.1", 80, "198.51.100.1", 80),
                                                              up: true, weight: 9))])
    }

    @Test func warmupSpreadsTheFirstCheck() throws {
        let config = try parseConfig("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            delay_loop 8
            real_server 198.51.100.1 80 { TCP_CHECK { } }
        }
        """)
        let start = MonotonicInstant(nanoseconds: 0)
        var scheduler = HealthScheduler(configuration: config, now: start, random: { 0.5 })
        #expect(scheduler.nextDeadline() == start + .seconds(4))
    }

    @Test func realServerWithoutPortTakesTheVirtualPort() throws {
        let config = try parseConfig("""
        virtual_server 192.0.2.1 443 {
            protocol TCP
            real_server 198.51.100.1 { TCP_CHECK { } }
        }
        virtual_server fwmark 7 {
            real_server 198.51.100.2 { TCP_CHECK { connect_port 80 } }
        }
        """)
        let scheduler = HealthScheduler(configuration: config, now: MonotonicInstant(nanoseconds: 0))
        #expect(Set(scheduler.realServerIDs) == [
            rsID("192.0.2.1", 443, "198.51.100.1", 443),
            RealServerID(fwmark: 7, realAddress: IPAddress("198.51.100.2")!, realPort: 0),
        ])
    }

    /// A real server without checkers is never reported, so it has no place in the schedule at all.
    @Test func realServersWithoutCheckersAreNotScheduled() throws {
        let config = try parseConfig("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            alpha
            real_server 198.51.100.1 80 { TCP_CHECK { } }
            real_server 198.51.100.2 80 { weight 3 }
        }
        """)
        let scheduler = HealthScheduler(configuration: config, now: MonotonicInstant(nanoseconds: 0))
        #expect(scheduler.realServerIDs == [rsID("192.0.2.1", 80, "198.51.100.1", 80)])
    }

    @Test func checkTargetUsesConnectIPAndPort() throws {
        let config = try parseConfig("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            real_server 198.51.100.1 8080 { TCP_CHECK { connect_ip 203.0.113.9
                connect_port 9000
                bindto 198.51.100.200 } }
        }
        """)
        let vs = config.virtualServers[0], rs = vs.realServers[0]
        let target = CheckTarget(check: rs.checks[0], realServer: rs, virtualServer: vs)
        #expect(target.address == IPAddress("203.0.113.9") && target.port == 9000)
        #expect(target.bindAddress == IPAddress("198.51.100.200"))
    }
}

@Suite struct TrackScriptSchedulingTests {
    private let config = """
    vrrp_script chk {
        script "/bin/true"
        interval 2
        rise 2
        fall 2
    }
    vrrp_script unused {
        script "/bin/true"
    }
    vrrp_instance VI_1 {
        interface lo
        virtual_router_id 51
        priority 100
        virtual_ipaddress { 192.0.2.10 }
        track_script { chk }
    }
    """

    /// A script that only a tandem_announce block follows runs too (vrrpd withdraws the block's addresses until
    /// it has a result).
    @Test func aScriptOnlyATandemAnnounceFollowsRuns() throws {
        let h = try Harness(config.replacingOccurrences(of: "vrrp_script unused", with: "vrrp_script announced")
            + "\ntandem_announce web {\n    address 203.0.113.10\n    track_script {\n        announced\n    }\n}\n")
        #expect(Set(h.scheduler.scriptNames) == ["chk", "announced"])
    }

    @Test func onlyTrackedScriptsRunEveryInterval() throws {
        var h = try Harness(config)
        #expect(h.scheduler.scriptNames == ["chk"])
        #expect(h.runDue(.success) == [.trackScript(name: "chk", ok: true)])
        #expect(h.scheduler.nextDeadline() == h.clock.now + .seconds(2))
        h.advance(.seconds(2))
        #expect(h.runDue(.failure("exit 1")).isEmpty)
        h.advance(.seconds(2))
        #expect(h.runDue(.failure("exit 1")) == [.trackScript(name: "chk", ok: false)])
        h.advance(.seconds(2))
        #expect(h.runDue(.success).isEmpty)
        h.advance(.seconds(2))
        #expect(h.runDue(.success) == [.trackScript(name: "chk", ok: true)])
        #expect(h.scheduler.trackScriptView == ["chk": true])
    }
}

@Suite struct ReloadTests {
    @Test func unchangedServerKeepsStateAndSchedule() throws {
        var h = try Harness(oneTCP)
        _ = h.runDue(.success)
        h.advance(.seconds(4))
        let due = h.scheduler.nextRun(of: .check(rs1, index: 0))
        // The same server written elsewhere in the file, plus a new one.
        let events = h.scheduler.reload(try parseConfig("\n\n" + oneTCP.replacingOccurrences(
            of: "    real_server 198.51.100.1",
            with: "    real_server 198.51.100.2 8080 { TCP_CHECK { warmup 0 } }\n    real_server 198.51.100.1")),
            now: h.clock.now)
        #expect(events.isEmpty)
        #expect(h.scheduler.nextRun(of: .check(rs1, index: 0)) == due)
        #expect(h.scheduler.realServerView == [RealServerHealth(id: rs1, up: true, weight: 5)])
        // The new one runs at once but says nothing until it has a verdict.
        let rs2 = rsID("192.0.2.1", 80, "198.51.100.2", 8080)
        #expect(h.scheduler.nextRun(of: .check(rs2, index: 0)) == h.clock.now)
    }

    @Test func aResultInFlightAcrossAReloadThatMovesItsServerStillCounts() throws {
        // The scheduler keeps servers in slots; a reload that puts a new server first moves rs1 to another slot
        // while its attempt runs. The result must still land on rs1 (and its next run be scheduled).
        var h = try Harness(oneTCP)
        let running = h.scheduler.takeDue(now: h.clock.now)
        #expect(running.count == 1)
        _ = h.scheduler.reload(try parseConfig(oneTCP.replacingOccurrences(
            of: "    real_server 198.51.100.1",
            with: "    real_server 198.51.100.2 8080 { TCP_CHECK { warmup 0 } }\n    real_server 198.51.100.1")),
            now: h.clock.now)
        let events = h.scheduler.complete(running[0], .success, now: h.clock.now)
        #expect(events.contains(.realServerHealth(RealServerHealth(id: rs1, up: true, weight: 5))))
        #expect(h.scheduler.nextRun(of: .check(rs1, index: 0)) == h.clock.now + .seconds(10))
        // The moved server keeps its schedule through later runs too.
        h.advance(.seconds(10))
        let next = h.scheduler.takeDue(now: h.clock.now)
        #expect(next.count == 2, "rs1 again and the new rs2")
        for task in next { _ = h.scheduler.complete(task, .success, now: h.clock.now) }
        #expect(h.scheduler.realServerView.count == 2)
    }

    @Test func removedServerStopsSilentlyAndItsRunningResultIsIgnored() throws {
        var h = try Harness(oneTCP)
        let running = h.scheduler.takeDue(now: h.clock.now)
        #expect(running.count == 1)
        #expect(h.scheduler.reload(try parseConfig("virtual_server 192.0.2.1 80 { }"), now: h.clock.now).isEmpty)
        #expect(h.scheduler.complete(running[0], .success, now: h.clock.now).isEmpty)
        #expect(h.scheduler.nextDeadline() == nil)
        #expect(h.scheduler.realServerView.isEmpty)
    }

    @Test func changedCheckerStartsAfresh() throws {
        var h = try Harness(oneTCP)
        _ = h.runDue(.success)
        _ = h.scheduler.reload(try parseConfig(oneTCP.replacingOccurrences(of: "retry 2", with: "retry 1")),
                               now: h.clock.now)
        #expect(h.scheduler.realServerView.isEmpty)
        #expect(h.scheduler.nextRun(of: .check(rs1, index: 0)) == h.clock.now)
    }

    @Test func weightChangeIsReportedForAKnownServer() throws {
        var h = try Harness(oneTCP)
        _ = h.runDue(.success)
        let events = h.scheduler.reload(try parseConfig(oneTCP.replacingOccurrences(of: "weight 5", with: "weight 9")),
                                        now: h.clock.now)
        #expect(events == [.realServerHealth(RealServerHealth(id: rs1, up: true, weight: 9))])
    }

    @Test func unchangedScriptKeepsItsResult() throws {
        let text = """
        vrrp_script chk { script "/bin/true"
            interval 2 }
        vrrp_instance VI_1 { interface lo
            virtual_router_id 51
            virtual_ipaddress { 192.0.2.10 }
            track_script { chk } }
        """
        var h = try Harness(text)
        _ = h.runDue(.success)
        #expect(h.scheduler.reload(try parseConfig(text), now: h.clock.now).isEmpty)
        #expect(h.scheduler.trackScriptView == ["chk": true])
        _ = h.scheduler.reload(try parseConfig(text.replacingOccurrences(of: "interval 2", with: "interval 3")),
                               now: h.clock.now)
        #expect(h.scheduler.trackScriptView.isEmpty)
    }
}
