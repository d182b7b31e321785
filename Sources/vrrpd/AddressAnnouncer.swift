import Platform
import VRRP
import Vocabulary

/// Tells the segment that addresses now live here, so neighbours' caches point at the new master.
protocol AddressAnnouncer: AnyObject {
    /// One announcement of each address on `interface`.
    func announce(_ addresses: [IPAddress], on interface: InterfaceID) throws
}

/// Gratuitous ARP for IPv4 and unsolicited neighbour advertisements for IPv6.
final class GratuitousAnnouncer: AddressAnnouncer {
    private let arp: GratuitousARPSender
    private let neighbourAdverts: NeighbourAdvertSender

    init() throws {
        arp = try GratuitousARPSender()
        neighbourAdverts = try NeighbourAdvertSender()
    }

    func announce(_ addresses: [IPAddress], on interface: InterfaceID) throws {
        let link = try NetworkInterface.current(interface)
        try arp.announce(addresses.filter { $0.family == .ipv4 }.map(\.bytes), on: link)
        try neighbourAdverts.announce(addresses.filter { $0.family == .ipv6 }.map(\.bytes), on: link)
    }
}
