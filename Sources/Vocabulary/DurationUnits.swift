// Whole units of Swift's Duration, the one duration type of every module. keepalived computes VRRP timers in
// whole microseconds and VRRPv3 carries intervals in centiseconds, so truncation to those units is explicit here.

extension Duration {
    /// Whole nanoseconds, clamped to Int64.
    public var totalNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds > 0 ? .max : .min }
        let (total, overflow2) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        if overflow2 { return seconds > 0 ? .max : .min }
        return total
    }

    /// Whole microseconds (truncated toward zero).
    public var wholeMicroseconds: Int64 { totalNanoseconds / 1_000 }
    /// Whole centiseconds (truncated toward zero), the unit of the VRRPv3 Max Adver Int field.
    public var wholeCentiseconds: Int64 { totalNanoseconds / 10_000_000 }
    /// Whole seconds (truncated toward zero).
    public var wholeSeconds: Int64 { components.seconds }

    public static func centiseconds<T: BinaryInteger>(_ n: T) -> Duration { .milliseconds(n) * 10 }
}
