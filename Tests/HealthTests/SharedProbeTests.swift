import KeepalivedConfig
import Testing
import TestSupport
import Wire
@testable import Health
import Vocabulary

/// One probe per distinct check: checkers that would make the same attempt (the same real server listed by many
/// virtual servers, keepalived issue #2358) share a leader's attempts, and each keeps its own verdict.
@Suite struct SharedProbeTests {
    /// `vips` virtual servers, each listing the same `backends` real servers with the same TCP_CHECK.
    static func config(vips: Int, backends: Int, retry: Int = 1, extra: String = "") -> String {
        (0..<vips).map { vip in
            """
            virtual_server 192.0.2.\(vip + 1) 80 {
                protocol TCP
                delay_loop 10
            \((0..<backends).map { "    real_server 198.51.100.\($0 + 1) 80 {\n        TCP_CHECK { retry \(retry)\n delay_before_retry 2\n warmup 0 }\n    }" }.joined(separator: "\n"))
            }
            """
        }.joined(separator: "\n") + "\n" + extra
    }

    static func checkedTargets(_ tasks: [HealthTask], _ scheduler: HealthScheduler) -> [String] {
        tasks.compactMap { scheduler.checker(for: $0).map { "\($0.target.address)" } }.sorted()
    }

    @Test func aHundredVIPsOfAHundredBackendsMakeAHundredProbes() throws {
        let clock = TestClock()
        var scheduler = HealthScheduler(configuration: try parseConfig(Self.config(vips: 100, backends: 100)),
                                        now: clock.now, random: { 0 })
        #expect(scheduler.checkerCount == 10_000)
        #expect(scheduler.probeCount == 100)
        let due = scheduler.takeDue(now: clock.now)
        #expect(due.count == 100, "one attempt per backend, not per (VIP, backend)")
        var events: [HealthEvent] = []
        for task in due { events += scheduler.complete(task, .success, now: clock.now) }
        let verdicts = events.compactMap { if case .realServerHealth(let health) = $0 { health } else { nil } }
        #expect(verdicts.count == 10_000 && verdicts.allSatisfy(\.up), "every VIP hears of every backend")
        #expect(scheduler.realServerView.count == 10_000)
    }

    @Test func eachVirtualServerKeepsItsOwnRetryBookkeeping() throws {
        let clock = TestClock()
        var scheduler = HealthScheduler(configuration: try parseConfig(Self.config(vips: 3, backends: 1, retry: 2)),
                                        now: clock.now, random: { 0 })
        #expect(scheduler.probeCount == 1)
        var now = clock.now
        func run(_ outcome: CheckOutcome) -> [RealServerHealth] {
            var events: [HealthEvent] = []
            for task in scheduler.takeDue(now: now) { events += scheduler.complete(task, outcome, now: now) }
            return events.compactMap { if case .realServerHealth(let health) = $0 { health } else { nil } }
        }
        #expect(run(.success).count == 3)
        now = now + .seconds(10)
        #expect(run(.failure("refused")).isEmpty, "first failure: a retry, for each")
        let ids = (1...3).map { rsID("192.0.2.\($0)", 80, "198.51.100.1", 80) }
        #expect(ids.allSatisfy { scheduler.checkerState($0, index: 0)?.retriesUsed == 1 })
        now = now + .seconds(2)
        #expect(run(.failure("refused")).isEmpty, "second failure: the second retry")
        now = now + .seconds(2)
        let down = run(.failure("refused"))
        #expect(down.count == 3 && down.allSatisfy { !$0.up }, "the third failure takes all three down together")
    }

    /// A virtual server added by a reload takes the backend's known verdict at once, without a probe of its own.
    @Test func aReloadAddingAVIPJoinsTheProbe() throws {
        var clock = TestClock()
        var scheduler = HealthScheduler(configuration: try parseConfig(Self.config(vips: 2, backends: 2)),
                                        now: clock.now, random: { 0 })
        for task in scheduler.takeDue(now: clock.now) { _ = scheduler.complete(task, .success, now: clock.now) }
        clock.advance(.seconds(3))
        let events = scheduler.reload(try parseConfig(Self.config(vips: 3, backends: 2)), now: clock.now)
        let joined = events.compactMap { if case .realServerHealth(let health) = $0 { health } else { nil } }
        #expect(Set(joined.map(\.id.virtualService.description)) == ["tcp 192.0.2.3:80"] && joined.allSatisfy(\.up))
        #expect(scheduler.probeCount == 2)
        #expect(scheduler.takeDue(now: clock.now).isEmpty, "the probes keep their schedule")
        clock.advance(.seconds(7))
        #expect(scheduler.takeDue(now: clock.now).count == 2)
    }

    /// What differs keeps its own probe: another port, another timing, alpha, a MISC_CHECK program.
    @Test func differentChecksAreNotShared() throws {
        let text = """
        virtual_server 192.0.2.1 80 {
            protocol TCP
            delay_loop 10
            real_server 198.51.100.1 80 {
                TCP_CHECK { }
                MISC_CHECK { misc_path "/bin/true" }
            }
        }
        virtual_server 192.0.2.2 80 {
            protocol TCP
            delay_loop 10
            real_server 198.51.100.1 80 {
                TCP_CHECK { connect_port 81 }
                MISC_CHECK { misc_path "/bin/true" }
            }
        }
        virtual_server 192.0.2.3 80 {
            protocol TCP
            delay_loop 5
            real_server 198.51.100.1 80 {
                TCP_CHECK { }
            }
        }
        virtual_server 192.0.2.4 80 {
            protocol TCP
            delay_loop 10
            alpha
            real_server 198.51.100.1 80 {
                TCP_CHECK { }
            }
        }
        virtual_server 192.0.2.5 80 {
            protocol TCP
            delay_loop 10
            real_server 198.51.100.1 80 {
                TCP_CHECK { connect_timeout 5 }
            }
        }
        """
        let scheduler = HealthScheduler(configuration: try parseConfig(text), now: TestClock().now, random: { 0 })
        #expect(scheduler.checkerCount == 7)
        #expect(scheduler.probeCount == 6, "only the last shares, with the first (connect_timeout 5 is the default)")
    }
}
