/// A point on CLOCK_MONOTONIC in nanoseconds: never jumps with wall-clock changes.
///
/// The cores never read a clock: the shells pass `now` in (Platform's `MonotonicInstant.now`), so tests drive
/// time by hand. Arithmetic saturates instead of trapping, whatever a configuration or a packet says.
public struct MonotonicInstant: Comparable, Hashable, Sendable, CustomStringConvertible {
    /// Nanoseconds since an arbitrary origin (boot, in practice).
    public let nanoseconds: Int64

    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    /// The clock's origin, a convenient start for tests.
    public static let origin = MonotonicInstant(nanoseconds: 0)

    /// Microseconds since the clock's origin (systemd's MONOTONIC_USEC).
    public var microseconds: UInt64 { UInt64(max(0, nanoseconds / 1000)) }

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    public static func + (lhs: MonotonicInstant, rhs: Duration) -> MonotonicInstant {
        let (sum, overflow) = lhs.nanoseconds.addingReportingOverflow(rhs.totalNanoseconds)
        if overflow { return MonotonicInstant(nanoseconds: rhs.totalNanoseconds > 0 ? .max : .min) }
        return MonotonicInstant(nanoseconds: sum)
    }

    public static func - (lhs: MonotonicInstant, rhs: Duration) -> MonotonicInstant {
        lhs + (.zero - rhs)
    }

    /// The time from `rhs` to `lhs`: negative when `rhs` is later.
    public static func - (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Duration {
        let (difference, overflow) = lhs.nanoseconds.subtractingReportingOverflow(rhs.nanoseconds)
        if overflow { return .nanoseconds(lhs > rhs ? Int64.max : Int64.min) }
        return .nanoseconds(difference)
    }

    /// Seconds with nanosecond decimals, for logs.
    public var description: String {
        let sign = nanoseconds < 0 ? "-" : ""
        let magnitude = nanoseconds.magnitude
        return "\(sign)\(magnitude / 1_000_000_000).\(String(magnitude % 1_000_000_000 + 1_000_000_000).dropFirst())"
    }
}
