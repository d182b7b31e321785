import KeepalivedConfig
import Platform
import Wire
import Vocabulary

/// Parses configuration text for tests; fails the test with its diagnostics when it has errors.
func parseConfig(_ text: String) throws -> KeepalivedConfiguration {
    let result = ConfigLoader.parse(text)
    guard let configuration = result.configuration(for: [.vrrp, .virtualServers]) else {
        throw FixtureError.invalid(result.diagnostics(for: [.vrrp, .virtualServers]).map { "\($0)" })
    }
    return configuration
}

enum FixtureError: Error { case invalid([String]) }

/// A clock the tests move by hand.
struct TestClock {
    var now = MonotonicInstant(nanoseconds: 1_000_000_000)
    mutating func advance(_ duration: Duration) { now = now + duration }
}
