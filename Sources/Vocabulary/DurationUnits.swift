// Whole units of Swift's Duration, the one duration type of every module. keepalived computes VRRP timers in
// whole microseconds and VRRPv3 carries intervals in centiseconds, so truncation to those units is explicit here.

extension Duration {
    /// Whole nanoseconds (truncated toward zero), clamped to Int64. From the attoseconds the duration holds, in one
    /// division: `components` splits them into seconds and a remainder first, and every timer and due time of the
    /// daemons goes through here.
    public var totalNanoseconds: Int64 {
        Int64(clamping: attoseconds / 1_000_000_000)
    }

    /// Whole microseconds (truncated toward zero).
    public var wholeMicroseconds: Int64 { totalNanoseconds / 1_000 }
    /// Whole centiseconds (truncated toward zero), the unit of the VRRPv3 Max Adver Int field.
    public var wholeCentiseconds: Int64 { totalNanoseconds / 10_000_000 }
    /// Whole seconds (truncated toward zero).
    public var wholeSeconds: Int64 { components.seconds }

    public static func centiseconds<T: BinaryInteger>(_ n: T) -> Duration { .milliseconds(n) * 10 }
}
