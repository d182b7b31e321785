import KeepalivedConfig
import Testing
@testable import Health

private let timing = CheckerTiming(delayLoop: .seconds(10), connectTimeout: .seconds(2), retry: 2,
                                   delayBeforeRetry: .seconds(3), warmup: .zero)

@Suite struct CheckerStateTests {
    @Test func upCheckerFailureIsRetriedThenGoesDown() {
        var state = CheckerState(alpha: false)
        #expect(state.up && !state.hasVerdict)
        #expect(state.record(.failure("refused"), timing: timing) == .seconds(3))
        #expect(state.up && state.retriesUsed == 1 && !state.hasVerdict)
        #expect(state.record(.failure("refused"), timing: timing) == .seconds(3))
        #expect(state.up && state.retriesUsed == 2)
        #expect(state.record(.failure("refused"), timing: timing) == .seconds(10))
        #expect(!state.up && state.hasVerdict && state.retriesUsed == 0)
        // Down: further failures are not retried.
        #expect(state.record(.failure("refused"), timing: timing) == .seconds(10))
        #expect(!state.up)
    }

    @Test func successDuringRetriesResetsTheSeries() {
        var state = CheckerState(alpha: false)
        _ = state.record(.failure("x"), timing: timing)
        #expect(state.record(.success, timing: timing) == .seconds(10))
        #expect(state.up && state.retriesUsed == 0 && state.hasVerdict)
        #expect(state.record(.failure("x"), timing: timing) == .seconds(3))
    }

    @Test func alphaStartsDownAndFirstFailureIsAVerdict() {
        var state = CheckerState(alpha: true)
        #expect(!state.up)
        #expect(state.record(.failure("x"), timing: timing) == .seconds(10))
        #expect(!state.up && state.hasVerdict)
        #expect(state.record(.success, timing: timing) == .seconds(10))
        #expect(state.up)
    }

    @Test func retryZeroGoesDownAtOnce() {
        var zero = timing
        zero.retry = 0
        var state = CheckerState(alpha: false)
        #expect(state.record(.failure("x"), timing: zero) == .seconds(10))
        #expect(!state.up && state.hasVerdict)
    }
}

@Suite struct TrackScriptStateTests {
    @Test func firstResultDecidesAtOnce() {
        var good = TrackScriptState(rise: 3, fall: 3)
        #expect(good.record(success: true) == true)
        var bad = TrackScriptState(rise: 3, fall: 3)
        #expect(bad.record(success: false) == false)
    }

    @Test func fallConsecutiveFailuresThenRiseConsecutiveSuccesses() {
        var state = TrackScriptState(rise: 2, fall: 3)
        #expect(state.record(success: true) == true)
        #expect(state.record(success: false) == nil)
        #expect(state.record(success: false) == nil)
        #expect(state.ok == true)
        #expect(state.record(success: false) == false)
        #expect(state.record(success: false) == nil)
        #expect(state.record(success: true) == nil)
        #expect(state.ok == false)
        #expect(state.record(success: true) == true)
    }

    @Test func aSuccessResetsThePartialFall() {
        var state = TrackScriptState(rise: 1, fall: 2)
        _ = state.record(success: true)
        #expect(state.record(success: false) == nil)
        #expect(state.record(success: true) == nil)
        #expect(state.record(success: false) == nil)
        #expect(state.record(success: false) == false)
    }

    @Test func aFailureResetsThePartialRise() {
        var state = TrackScriptState(rise: 3, fall: 1)
        _ = state.record(success: false)
        #expect(state.record(success: true) == nil)
        #expect(state.record(success: true) == nil)
        #expect(state.record(success: false) == nil)
        #expect(state.record(success: true) == nil)
        #expect(state.record(success: true) == nil)
        #expect(state.record(success: true) == true)
    }
}

@Suite struct CheckerTimingTests {
    @Test func keepalivedDefaultsPerKind() throws {
        let config = try parseConfig("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            real_server 198.51.100.1 80 {
                TCP_CHECK { }
                HTTP_GET { url { path / } }
                MISC_CHECK { misc_path "/bin/true" }
            }
        }
        """)
        let vs = config.virtualServers[0], rs = vs.realServers[0]
        let tcp = CheckerTiming(check: rs.checks[0], realServer: rs, virtualServer: vs)
        #expect(tcp == CheckerTiming(delayLoop: .seconds(60), connectTimeout: .seconds(5), retry: 1,
                                     delayBeforeRetry: .seconds(1), warmup: .seconds(60)))
        let http = CheckerTiming(check: rs.checks[1], realServer: rs, virtualServer: vs)
        #expect(http.delayBeforeRetry == .seconds(3) && http.retry == 1)
        let misc = CheckerTiming(check: rs.checks[2], realServer: rs, virtualServer: vs)
        #expect(misc.retry == 0 && misc.delayBeforeRetry == .seconds(1))
    }

    /// check_dns.c sets its own defaults (retry 3, delay_before_retry 0 meaning delay_loop); check_udp.c,
    /// check_smtp.c and check_ping.c take check_api.c's (retry 1, delay_before_retry 1 s).
    @Test func keepalivedDefaultsOfTheDatagramAndSMTPCheckers() throws {
        let config = try parseConfig("""
        virtual_server 192.0.2.1 53 {
            protocol UDP
            delay_loop 12
            real_server 198.51.100.1 53 {
                DNS_CHECK { }
                UDP_CHECK { }
                SMTP_CHECK { }
                PING_CHECK { }
                DNS_CHECK { delay_before_retry 2
                    retry 0 }
            }
        }
        """)
        let vs = config.virtualServers[0], rs = vs.realServers[0]
        let timings = rs.checks.map { CheckerTiming(check: $0, realServer: rs, virtualServer: vs) }
        #expect(timings[0].retry == 3 && timings[0].delayBeforeRetry == .seconds(12))
        for timing in timings[1...3] {
            #expect(timing.retry == 1 && timing.delayBeforeRetry == .seconds(1) && timing.connectTimeout == .seconds(5))
        }
        #expect(timings[4].retry == 0 && timings[4].delayBeforeRetry == .seconds(2), "set values win")
    }

    @Test func innermostLevelWins() throws {
        let config = try parseConfig("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            delay_loop 20
            retry 4
            real_server 198.51.100.1 80 {
                connect_timeout 7
                TCP_CHECK { nb_get_retry 2
                    warmup 0 }
            }
        }
        """)
        let vs = config.virtualServers[0], rs = vs.realServers[0]
        let timing = CheckerTiming(check: rs.checks[0], realServer: rs, virtualServer: vs)
        #expect(timing == CheckerTiming(delayLoop: .seconds(20), connectTimeout: .seconds(7), retry: 2,
                                        delayBeforeRetry: .seconds(1), warmup: .zero))
    }
}
