import VRRP
import Vocabulary

/// keepalived's per-interface garp_delay (`vrrp_garp_interval`, `vrrp_gna_interval`, `garp_group`): at most one
/// gratuitous ARP, and separately one unsolicited NA, per interval on an interface. An address asked for while
/// its interface must wait is marked pending once — asking again while it is pending adds nothing, as keepalived's
/// per-address pending flag does — and pending addresses go out one per interval in keepalived's order (its
/// vrrp_arp_thread walks the instances in configuration order and each one's addresses in order), not in the
/// order they were asked for. Pure: the engine gives it the time and sends what it returns.
struct AnnouncementPacer {
    struct Channel: Hashable {
        var interface: String
        var family: IPAddressFamily
    }

    struct Announcement: Equatable {
        var address: IPAddress
        var interface: String
        /// The instance whose address it is, so its pending ones go when it stops holding them.
        var owner: String
        /// Where keepalived would come to it: the instance's place in the configuration, then the address's
        /// place in the instance (VIPs, then excluded addresses).
        var rank: Rank
    }

    struct Rank: Comparable {
        var instance: Int
        var address: Int
        static func < (a: Rank, b: Rank) -> Bool { (a.instance, a.address) < (b.instance, b.address) }
    }

    private var nextAllowed: [Channel: MonotonicInstant] = [:]
    private var pending: [Channel: [Announcement]] = [:]
    private var intervals: [Channel: Duration] = [:]

    /// Whether `announcement` may go out now; if not, it is pending (once) until `due(at:)` returns it.
    mutating func request(_ announcement: Announcement, interval: Duration, at now: MonotonicInstant) -> Bool {
        let channel = Channel(interface: announcement.interface, family: announcement.address.family)
        intervals[channel] = interval
        if let allowed = nextAllowed[channel], now < allowed {
            var queue = pending[channel] ?? []
            if !queue.contains(announcement) {
                queue.insert(announcement, at: queue.firstIndex { announcement.rank < $0.rank } ?? queue.endIndex)
                pending[channel] = queue
            }
            return false
        }
        nextAllowed[channel] = now + interval
        return true
    }

    /// The pending announcements whose interface may send again, at most one per interface and family, first in
    /// rank.
    mutating func due(at now: MonotonicInstant) -> [Announcement] {
        var ready: [Announcement] = []
        for (channel, queue) in pending where !queue.isEmpty {
            guard let allowed = nextAllowed[channel], now >= allowed else { continue }
            ready.append(queue[0])
            pending[channel] = Array(queue.dropFirst())
            nextAllowed[channel] = now + (intervals[channel] ?? .zero)
        }
        pending = pending.filter { !$0.value.isEmpty }
        return ready
    }

    /// When `due(at:)` has something next; nil when nothing is pending.
    var nextDeadline: MonotonicInstant? {
        pending.keys.compactMap { nextAllowed[$0] }.min()
    }

    /// Forgets pending announcements of addresses `owner` no longer holds (keepalived's vrrp_remove_delayed_arp
    /// on leaving MASTER).
    mutating func drop(owner: String, addresses: [IPAddress]) {
        for (channel, queue) in pending {
            pending[channel] = queue.filter { !($0.owner == owner && addresses.contains($0.address)) }
        }
        pending = pending.filter { !$0.value.isEmpty }
    }
}
