import Glibc

/// keepalived's track_file rules (trackers/track_file.c) for FILE_CHECK: the number in the file, and what it
/// makes of a real server. Pure: the monitor reads the file and hands over its bytes.
public enum TrackedFileValue {
    /// What the first 127 bytes of a file say, as keepalived's process_track_file reads them: strtol with base
    /// 0 (leading blanks, a sign, 0x for hex, 0 for octal; what follows the number is ignored; no number is 0).
    /// A missing or empty file is 0. nil: a number outside the 32-bit range, which keepalived logs and ignores
    /// (the last value stays).
    public static func parse(_ bytes: some Collection<UInt8>) -> Int64? {
        var text = Array(bytes.prefix(127))
        text.append(0)
        var end: UnsafeMutablePointer<CChar>?
        errno = 0
        let value = text.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { strtol($0, &end, 0) }
        }
        guard errno == 0, value >= Int(Int32.min), value <= Int(Int32.max) + 1 else { return nil }
        return Int64(value)
    }

    /// The verdict and the weight change a value gives a FILE_CHECK of `weight` (reverse: the opposite way).
    /// Weight 0: up while the value is 0 (reverse: while it is not). Otherwise the change is value × weight
    /// (negated under reverse), and a change at or below -2^31 (keepalived's IPVS_WEIGHT_FAULT) is down.
    /// A down checker changes no weight.
    public static func verdict(value: Int64, weight: Int, reverse: Bool) -> (up: Bool, weightChange: Int) {
        if weight == 0 { return ((value == 0) != reverse, 0) }
        // |value| ≤ 2^31 and |weight| < 2^31: the product fits in 64 bits; keepalived clamps it to 32 (weight_range).
        let change = min(max(value * Int64(weight) * (reverse ? -1 : 1), Int64(Int32.min)), Int64(Int32.max))
        return change == Int64(Int32.min) ? (false, 0) : (true, Int(change))
    }
}
