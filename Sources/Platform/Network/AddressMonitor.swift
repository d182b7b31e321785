import Glibc

/// Tells that the node's addresses changed (rtnetlink's IPv4 and IPv6 address groups), so a reader can take
/// them again with `NetworkInterface.allAddresses()`: an event carries one address, a re-read is always whole,
/// and an overrun loses nothing.
public final class AddressMonitor {
    public let fd: OwnedDescriptor

    // ip monitor address
    public init() throws {
        fd = try RouteNetlinkGroups.subscribe(RouteNetlinkGroups.ipv4Addresses | RouteNetlinkGroups.ipv6Addresses)
    }

    deinit { fd.close() }

    /// Reads every pending notification; true when there was any (or an overrun).
    public func drain() -> Bool {
        let (received, overrun) = RouteNetlinkGroups.receiveAll(fd) { _ in }
        return received || overrun
    }
}
