// The RFC timer formulas, computed exactly as keepalived does (microsecond resolution) for interop.

import Vocabulary

/// Skew_Time and Master_Down_Interval (RFC 3768 §6.1, RFC 5798 §6.1).
public enum VRRPTimers {
    /// Skew_Time: v2 `(256 − priority) / 256` s; v3 `((256 − priority) × Master_Adver_Interval) / 256`.
    /// Like keepalived, the v3 value is truncated to whole microseconds of a centisecond interval
    /// (`(256 − p) × cs × 625 / 16` µs), so both sides of a pair agree to the microsecond.
    public static func skewTime(version: VRRPVersion, priority: UInt8, masterAdvertInterval: Duration) -> Duration {
        skew(version: version, factor: 256 - UInt64(priority), masterAdvertInterval: masterAdvertInterval)
    }

    /// Master_Down_Interval: `adverts × Master_Adver_Interval + Skew_Time`; `adverts` is 3 unless keepalived's down_timer_adverts.
    public static func masterDownInterval(version: VRRPVersion, priority: UInt8, masterAdvertInterval: Duration,
                                          adverts: UInt64 = 3) -> Duration {
        masterAdvertInterval * adverts + skewTime(version: version, priority: priority, masterAdvertInterval: masterAdvertInterval)
    }

    /// The smallest skew (factor 1): keepalived's wait for a sync-group member that starts wanting MASTER.
    static func minimumSkew(version: VRRPVersion, masterAdvertInterval: Duration) -> Duration {
        skew(version: version, factor: 1, masterAdvertInterval: masterAdvertInterval)
    }

    private static func skew(version: VRRPVersion, factor: UInt64, masterAdvertInterval: Duration) -> Duration {
        switch version {
        case .v2:
            return .microseconds(factor * 1_000_000 / 256)
        case .v3:
            let cs = UInt64(min(max(masterAdvertInterval.wholeCentiseconds, 0), 0x0FFF))
            return .microseconds(factor * cs * 625 / 16)
        }
    }
}
