// Injected time for the VRRP core: the state machine never reads a clock itself.

/// A span of time in nanoseconds (never negative).
public struct VRRPDuration: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The length in nanoseconds.
    public var nanoseconds: UInt64

    /// Creates a duration of `nanoseconds`.
    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    /// Zero length.
    public static let zero = VRRPDuration(nanoseconds: 0)
    /// `n` seconds (saturating).
    public static func seconds(_ n: UInt64) -> VRRPDuration { .init(nanoseconds: n.multipliedSaturating(by: 1_000_000_000)) }
    /// `n` milliseconds (saturating).
    public static func milliseconds(_ n: UInt64) -> VRRPDuration { .init(nanoseconds: n.multipliedSaturating(by: 1_000_000)) }
    /// `n` microseconds (saturating).
    public static func microseconds(_ n: UInt64) -> VRRPDuration { .init(nanoseconds: n.multipliedSaturating(by: 1_000)) }
    /// `n` centiseconds, the unit of the VRRPv3 Max Adver Int field (saturating).
    public static func centiseconds(_ n: UInt64) -> VRRPDuration { .init(nanoseconds: n.multipliedSaturating(by: 10_000_000)) }

    /// Whole microseconds (truncated), the resolution keepalived computes timers in.
    public var microseconds: UInt64 { nanoseconds / 1_000 }
    /// Whole centiseconds (truncated).
    public var centiseconds: UInt64 { nanoseconds / 10_000_000 }

    /// Shorter than.
    public static func < (a: VRRPDuration, b: VRRPDuration) -> Bool { a.nanoseconds < b.nanoseconds }
    /// Sum (saturating).
    public static func + (a: VRRPDuration, b: VRRPDuration) -> VRRPDuration {
        .init(nanoseconds: a.nanoseconds.addingSaturating(b.nanoseconds))
    }
    /// Difference clamped at zero.
    public static func - (a: VRRPDuration, b: VRRPDuration) -> VRRPDuration {
        .init(nanoseconds: a.nanoseconds >= b.nanoseconds ? a.nanoseconds - b.nanoseconds : 0)
    }
    /// `n` times as long (saturating).
    public static func * (a: VRRPDuration, n: UInt64) -> VRRPDuration {
        .init(nanoseconds: a.nanoseconds.multipliedSaturating(by: n))
    }

    /// Seconds with nine decimals, e.g. "3.609375000s".
    public var description: String {
        let whole = nanoseconds / 1_000_000_000
        let frac = nanoseconds % 1_000_000_000
        var fracText = String(frac)
        fracText = String(repeating: "0", count: 9 - fracText.count) + fracText
        return "\(whole).\(fracText)s"
    }
}

/// A point on the shell's monotonic clock, in nanoseconds since an arbitrary origin.
public struct VRRPInstant: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Nanoseconds since the clock's origin.
    public var nanoseconds: UInt64

    /// Creates an instant `nanoseconds` after the clock's origin.
    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    /// Earlier than.
    public static func < (a: VRRPInstant, b: VRRPInstant) -> Bool { a.nanoseconds < b.nanoseconds }
    /// The instant `d` later (saturating).
    public static func + (a: VRRPInstant, d: VRRPDuration) -> VRRPInstant {
        .init(nanoseconds: a.nanoseconds.addingSaturating(d.nanoseconds))
    }
    /// The instant `d` earlier, clamped at the clock's origin.
    public static func - (a: VRRPInstant, d: VRRPDuration) -> VRRPInstant {
        .init(nanoseconds: a.nanoseconds >= d.nanoseconds ? a.nanoseconds - d.nanoseconds : 0)
    }
    /// Time from `b` to `a`, clamped at zero when `b` is later.
    public static func - (a: VRRPInstant, b: VRRPInstant) -> VRRPDuration {
        .init(nanoseconds: a.nanoseconds >= b.nanoseconds ? a.nanoseconds - b.nanoseconds : 0)
    }
    /// "@" and the seconds since the origin.
    public var description: String { "@" + VRRPDuration(nanoseconds: nanoseconds).description }
}

extension UInt64 {
    // Timer arithmetic must never trap, whatever a configuration or a packet says.
    @inlinable func addingSaturating(_ o: UInt64) -> UInt64 {
        let (r, overflow) = addingReportingOverflow(o)
        return overflow ? .max : r
    }
    @inlinable func multipliedSaturating(by o: UInt64) -> UInt64 {
        let (r, overflow) = multipliedReportingOverflow(by: o)
        return overflow ? .max : r
    }
}
