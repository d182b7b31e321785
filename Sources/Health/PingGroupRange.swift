/// net.ipv4.ping_group_range: the groups the kernel lets open ICMP datagram sockets, which PING_CHECK needs
/// (the kernel's default, "1 0", is no group). keepalived, as root, sets it to every group; checkd has no
/// privilege, so its unit widens it, as root, just enough to take in checkd's own group. Pure.
public struct PingGroupRange: Equatable, Sendable, CustomStringConvertible {
    /// Where the kernel keeps it, per network namespace.
    public static let path = "/proc/sys/net/ipv4/ping_group_range"

    public var low: UInt32
    public var high: UInt32

    public init(low: UInt32, high: UInt32) {
        self.low = low
        self.high = high
    }

    /// The file's text: two numbers separated by a tab or spaces.
    public init?(_ text: String) {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        guard fields.count == 2, let low = UInt32(fields[0]), let high = UInt32(fields[1]) else { return nil }
        self.init(low: low, high: high)
    }

    public var isEmpty: Bool { low > high }
    public func contains(_ group: UInt32) -> Bool { low <= group && group <= high }

    /// The range that also takes in `group`; nil when it already does. An empty range becomes that group alone;
    /// otherwise the range grows to reach it (the kernel has one range, so groups between come in too).
    public func including(_ group: UInt32) -> PingGroupRange? {
        if contains(group) { return nil }
        if isEmpty { return PingGroupRange(low: group, high: group) }
        return PingGroupRange(low: min(low, group), high: max(high, group))
    }

    public var description: String { "\(low)\t\(high)" }
}
