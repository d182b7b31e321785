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
        var changed = false
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd.rawValue, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == ENOBUFS { changed = true; continue }
                if errno == EINTR { continue }
                break
            }
            if count == 0 { break }
            changed = true
        }
        return changed
    }
}
