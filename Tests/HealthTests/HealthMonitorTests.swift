import Foundation
import Logging
import Platform
import Testing
import Wire
@testable import Health
import Vocabulary
import TestSupport

/// A monitor on its own loop that records every event with the time it arrived.
private final class MonitorHarness {
    let loop: EventLoop
    var events: [(at: MonotonicInstant, event: HealthEvent)] = []
    var monitor: HealthMonitor!

    init(_ text: String) throws {
        loop = try EventLoop()
        monitor = HealthMonitor(configuration: try parseConfig(text), loop: loop,
                                logger: Logger(label: "test.health"), random: { 0 }) { [unowned self] new in
            let now = MonotonicInstant.now
            events += new.map { (now, $0) }
        }
        monitor.start()
    }

    /// Runs the loop until an event matching `predicate` arrives after `since`; returns when it arrived.
    func waitFor(after since: MonotonicInstant = MonotonicInstant(nanoseconds: 0), timeout: Duration = .seconds(10),
                 _ predicate: (HealthEvent) -> Bool) throws -> MonotonicInstant? {
        var found: MonotonicInstant?
        try runLoop(loop, timeout: timeout) {
            found = events.first { $0.at >= since && predicate($0.event) }?.at
            return found != nil
        }
        return found
    }

    deinit { monitor?.shutdown() }  // nil when the configuration did not parse
}

private func isHealth(_ up: Bool) -> (HealthEvent) -> Bool {
    { if case .realServerHealth(let health) = $0 { return health.up == up }; return false }
}

@Suite(.serialized) struct HealthMonitorTests {
    @Test func backendThatStopsIsDownWithinTheBoundAndUpWhenItReturns() throws {
        var listener = try TCPListener()
        let port = listener.port
        // Bound: delay_loop + retry × (connect_timeout + delay_before_retry) = 0.2 + 1 × (0.5 + 0.2) = 0.9 s.
        let harness = try MonitorHarness("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            delay_loop 0.2
            real_server 127.0.0.1 \(port) {
                TCP_CHECK { connect_timeout 0.5
                    retry 1
                    delay_before_retry 0.2
                    warmup 0 }
            }
        }
        """)
        #expect(try harness.waitFor(isHealth(true)) != nil)
        listener.stop()
        let stopped = MonotonicInstant.now
        let down = try #require(try harness.waitFor(after: stopped, isHealth(false)))
        #expect(down - stopped < .milliseconds(900) + .milliseconds(300), "down after \(down - stopped)")
        #expect(harness.events.contains { if case .realServerTransition(_, up: false) = $0.event { true } else { false } })
        listener = try TCPListener(port: port)
        let restarted = MonotonicInstant.now
        let up = try #require(try harness.waitFor(after: restarted, isHealth(true)))
        #expect(up - restarted < .milliseconds(200) + .milliseconds(300), "up after \(up - restarted)")
        // Steady state sends nothing more.
        let count = harness.events.count
        try runLoop(harness.loop, timeout: .milliseconds(700)) { false }
        #expect(harness.events.count == count)
        listener.stop()
    }

    /// A UDP_CHECK through the monitor: up while the server echoes, down within the bound once its port answers
    /// ICMP port unreachable.
    @Test func udpCheckFollowsItsServer() throws {
        let server = try UDPServer { [$0] }
        let port = server.port
        let harness = try MonitorHarness("""
        virtual_server 192.0.2.1 \(port) {
            protocol UDP
            delay_loop 0.2
            real_server 127.0.0.1 \(port) {
                UDP_CHECK { connect_timeout 0.5
                    require_reply
                    retry 1
                    delay_before_retry 0.2
                    warmup 0 }
            }
        }
        """)
        #expect(try harness.waitFor(isHealth(true)) != nil)
        server.stop()
        let stopped = MonotonicInstant.now
        let down = try #require(try harness.waitFor(after: stopped, isHealth(false)))
        #expect(down - stopped < .milliseconds(900) + .milliseconds(300), "down after \(down - stopped)")
    }

    /// Checks that come due together start at most `launchesPerTurn` a turn, with the loop's ready sockets
    /// handled between the batches, so one stall cannot lock thousands of checks into a lasting burst.
    @Test func checksDueTogetherStartInBatchesBetweenTurns() throws {
        let listener = try TCPListener()
        let servers = 300
        // Each its own connect_timeout, so each is a probe of its own (identical ones would share one).
        let realServers = (0..<servers).map { index in
            "    real_server 127.0.0.1 \(20000 + index) { TCP_CHECK { connect_port \(listener.port) connect_timeout 2.\(String(format: "%03d", index)) warmup 0 } }"
        }
        let harness = try MonitorHarness("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            delay_loop 30
        \(realServers.joined(separator: "\n"))
        }
        """)
        func started() -> Int { harness.monitor.completedAttempts + harness.monitor.runningAttempts }
        try harness.loop.runOnce(maximumWait: .zero)
        #expect(started() == HealthMonitor.launchesPerTurn)
        var turns = 1
        while started() < servers && turns < 100 {
            let before = started()
            try harness.loop.runOnce(maximumWait: .zero)
            #expect(started() - before <= HealthMonitor.launchesPerTurn)
            turns += 1
        }
        #expect(started() == servers)
        #expect(turns == (servers + HealthMonitor.launchesPerTurn - 1) / HealthMonitor.launchesPerTurn)
        // Every one of them is reported up.
        try runLoop(harness.loop) { harness.monitor.realServerView.count == servers }
        #expect(harness.monitor.realServerView.allSatisfy { $0.up })
    }

    @Test func httpBackendStatusChangeIsDown() throws {
        let directory = try TemporaryDirectory()
        let backend = try PythonBackend(.normal, in: directory)
        let harness = try MonitorHarness("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            delay_loop 0.2
            real_server 127.0.0.1 \(backend.port) {
                HTTP_GET { url { path /ok }
                    url { path /status/200 }
                    connect_timeout 1
                    retry 0
                    warmup 0 }
            }
            real_server 127.0.0.2 \(backend.port) {
                HTTP_GET { url { path /status/500 }
                    connect_ip 127.0.0.1
                    retry 0
                    warmup 0 }
            }
        }
        """)
        let good = rsID("192.0.2.1", 80, "127.0.0.1", backend.port)
        let bad = rsID("192.0.2.1", 80, "127.0.0.2", backend.port)
        _ = try harness.waitFor { _ in harness.monitor.realServerView.count == 2 }
        #expect(Set(harness.monitor.realServerView) == [RealServerHealth(id: good, up: true, weight: 1),
                                                        RealServerHealth(id: bad, up: false, weight: 1)])
    }

    @Test func miscDynamicWeightFromExitStatus() throws {
        let directory = try TemporaryDirectory()
        let script = try directory.write("weight.sh", "#!/bin/sh\nexit 12\n", mode: 0o755)
        let harness = try MonitorHarness("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            delay_loop 0.2
            real_server 198.51.100.1 80 {
                MISC_CHECK { misc_path "\(script)"
                    misc_timeout 2
                    misc_dynamic
                    warmup 0 }
            }
        }
        """)
        #expect(try harness.waitFor(isHealth(true)) != nil)
        #expect(harness.monitor.realServerView == [RealServerHealth(id: rsID("192.0.2.1", 80, "198.51.100.1", 80),
                                                                    up: true, weight: 10)])
    }

    @Test func miscCheckThatNeverExitsIsDownAtItsTimeout() throws {
        let harness = try MonitorHarness("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            delay_loop 0.2
            real_server 198.51.100.1 80 {
                MISC_CHECK { misc_path "/bin/sleep 100"
                    misc_timeout 0.3
                    warmup 0 }
            }
        }
        """)
        let start = MonotonicInstant.now
        let down = try #require(try harness.waitFor(isHealth(false)))
        #expect(down - start >= .milliseconds(300) && down - start < .seconds(2))
    }

    /// A real script whose exit status (or "hang") is read from a file, through keepalived's transitions:
    /// 0 → dynamic 9 → failure → 0 → dynamic 12 → timeout → 0.
    @Test func miscDynamicTransitionsWithARealScript() throws {
        let directory = try TemporaryDirectory()
        let statusFile = try directory.write("status", "9")
        let script = try directory.write("status.sh", """
            #!/bin/sh
            read s < \(statusFile)
            [ "$s" = hang ] && exec sleep 100
            exit $s

            """, mode: 0o755)
        let harness = try MonitorHarness("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            delay_loop 0.1
            real_server 198.51.100.1 80 {
                weight 3
                MISC_CHECK { misc_path "\(script)"
                    misc_timeout 0.5
                    misc_dynamic
                    warmup 0 }
            }
        }
        """)
        let id = rsID("192.0.2.1", 80, "198.51.100.1", 80)
        var since = MonotonicInstant(nanoseconds: 0)
        for (status, up, weight) in [("9", true, 7), ("1", false, 3), ("0", true, 3), ("12", true, 10),
                                     ("hang", false, 10), ("0", true, 10)] as [(String, Bool, Int32)] {
            _ = try directory.write("status", status)
            let expected = HealthEvent.realServerHealth(RealServerHealth(id: id, up: up, weight: weight))
            let seen = try harness.waitFor(after: since) { $0 == expected }
            #expect(seen != nil, "after \(status): \(harness.events.suffix(3).map(\.event))")
            since = seen ?? MonotonicInstant.now
        }
        // The kill left the dynamic weight in place, so exit 0 brought the server back at 10, not 3: keepalived
        // 2.2.7 does the same (check_misc.c takes a timed-out checker's weight change out of nothing).
    }

    @Test func miscWithoutDynamicIsDownOnAnyNonZeroStatus() throws {
        let directory = try TemporaryDirectory()
        let statusFile = try directory.write("status", "3")
        let script = try directory.write("status.sh", "#!/bin/sh\nread s < \(statusFile)\nexit $s\n", mode: 0o755)
        let harness = try MonitorHarness("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            delay_loop 0.1
            real_server 198.51.100.1 80 {
                MISC_CHECK { misc_path "\(script)"
                    warmup 0 }
            }
        }
        """)
        let down = try #require(try harness.waitFor(isHealth(false)))
        _ = try directory.write("status", "0")
        #expect(try harness.waitFor(after: down, isHealth(true)) != nil)
    }

    @Test func trackScriptRiseAndFall() throws {
        let directory = try TemporaryDirectory()
        let flag = directory.path("ok")
        #expect(FileManager.default.createFile(atPath: flag, contents: nil))
        let harness = try MonitorHarness("""
        vrrp_script chk {
            script "/usr/bin/test -e \(flag)"
            interval 0.1
            timeout 1
            rise 2
            fall 2
        }
        vrrp_instance VI_1 {
            interface lo
            virtual_router_id 51
            virtual_ipaddress { 192.0.2.10 }
            track_script { chk }
        }
        """)
        #expect(try harness.waitFor { $0 == .trackScript(name: "chk", ok: true) } != nil)
        try FileManager.default.removeItem(atPath: flag)
        let removed = MonotonicInstant.now
        let failed = try #require(try harness.waitFor(after: removed) { $0 == .trackScript(name: "chk", ok: false) })
        #expect(failed - removed >= .milliseconds(100), "fall 2 needs two failures")
        #expect(FileManager.default.createFile(atPath: flag, contents: nil))
        #expect(try harness.waitFor(after: failed) { $0 == .trackScript(name: "chk", ok: true) } != nil)
        #expect(harness.monitor.trackScriptView == ["chk": true])
    }

    @Test func reloadKeepsUnchangedServerAndDropsRemovedOne() throws {
        let listener = try TCPListener()
        let text = """
        virtual_server 192.0.2.1 80 {
            protocol TCP
            delay_loop 0.2
            real_server 127.0.0.1 \(listener.port) { TCP_CHECK { warmup 0 } }
        }
        """
        let harness = try MonitorHarness(text)
        #expect(try harness.waitFor(isHealth(true)) != nil)
        let before = harness.events.count
        harness.monitor.reload(try parseConfig(text))
        try runLoop(harness.loop, timeout: .milliseconds(500)) { false }
        #expect(harness.events.count == before, "an unchanged server says nothing after a reload")
        #expect(harness.monitor.realServerView.count == 1)
        harness.monitor.reload(try parseConfig("virtual_server 192.0.2.1 80 { }"))
        #expect(harness.monitor.realServerView.isEmpty)
        #expect(harness.monitor.summary.checkers == 0)
    }
}
