import KeepalivedConfig
import Testing
import TestSupport
@testable import Health
import Vocabulary

/// keepalived's log_all_failures (per checker) and checker_log_all_failures (global_defs): a failure is logged
/// while the checker is up, so the retries before it goes down are seen, not only the change.
@Suite struct LogAllFailuresTests {
    static func text(global: String = "", checker: String = "") -> String {
        """
        global_defs {
        \(global)
        }
        virtual_server 192.0.2.1 80 {
            protocol TCP
            delay_loop 10
            real_server 198.51.100.1 80 {
                TCP_CHECK { retry 2
                    delay_before_retry 1
                    warmup 0
                    \(checker) }
            }
        }
        """
    }

    /// Whether each of four failures in a row is logged.
    static func logged(_ text: String) throws -> [Bool] {
        var now = TestClock().now
        var scheduler = HealthScheduler(configuration: try parseConfig(text), now: now, random: { 0 })
        var result: [Bool] = []
        for _ in 0..<4 {
            let tasks = scheduler.takeDue(now: now)
            for task in tasks {
                result.append(scheduler.logsFailure(of: task))
                _ = scheduler.complete(task, .failure("refused"), now: now)
            }
            now = now + .seconds(10)
        }
        return result
    }

    @Test func failuresWhileUpAreLoggedWhenAsked() throws {
        #expect(try Self.logged(Self.text()) == [false, false, false, false], "not asked: only changes are logged")
        #expect(try Self.logged(Self.text(checker: "log_all_failures")) == [true, true, true, false],
                "the first failure and both retries while up; none once down")
        #expect(try Self.logged(Self.text(global: "    checker_log_all_failures")) == [true, true, true, false])
        #expect(try Self.logged(Self.text(global: "    checker_log_all_failures", checker: "log_all_failures off"))
                == [false, false, false, false], "the checker's own setting wins")
    }
}
