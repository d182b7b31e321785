import CShim
import Glibc

/// What the VRRP shell needs to know about one network interface.
public struct NetworkInterface: Sendable, Hashable {
    public let name: String
    public let index: Int32

    /// Looks the interface up by name; nil when it does not exist (now).
    public init?(named name: String) {
        let index = if_nametoindex(name)
        guard index != 0 else { return nil }
        self.name = name
        self.index = Int32(index)
    }

    /// Administratively up and with carrier: what VRRP needs to use the link.
    // ip link show dev eth0: UP among its flags, and state UP or UNKNOWN (IFF_RUNNING); read with SIOCGIFFLAGS
    public var isUsable: Bool {
        var flags: UInt32 = 0
        guard tandem_interface_flags(name, &flags) == 0 else { return false }
        return flags & LinkMonitor.interfaceUp != 0 && flags & LinkMonitor.interfaceRunning != 0
    }

    /// Administratively up (IFF_UP), whatever the carrier: what `ip link set dev NAME up` sets.
    public var isUp: Bool {
        var flags: UInt32 = 0
        guard tandem_interface_flags(name, &flags) == 0 else { return false }
        return flags & LinkMonitor.interfaceUp != 0
    }

    /// Sets the interface administratively up or down (needs CAP_NET_ADMIN; EPERM otherwise).
    // ip link set dev tunl0 up
    public func setUp(_ up: Bool) throws {
        guard tandem_interface_set_up(name, up ? 1 : 0) == 0 else {
            throw SystemError.current("SIOCSIFFLAGS(\(name), \(up ? "up" : "down"))")
        }
    }

    /// One address getifaddrs reports: its interface, family, bytes (network order) and prefix length.
    private struct ListedAddress {
        var interface: String
        var family: Int32
        var bytes: [UInt8]
        var prefixLength: Int
    }

    /// Every IPv4 and IPv6 address of every interface, in the kernel's order (getifaddrs dumps them over
    /// rtnetlink, RTM_GETADDR).
    private static func listedAddresses() -> [ListedAddress] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        var result: [ListedAddress] = []
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, let addressBytes = Self.bytes(address) else { continue }
            let mask = entry.pointee.ifa_netmask.flatMap(Self.bytes) ?? []
            result.append(ListedAddress(interface: String(cString: entry.pointee.ifa_name),
                                        family: Int32(address.pointee.sa_family), bytes: addressBytes,
                                        prefixLength: mask.reduce(0) { $0 + $1.nonzeroBitCount }))
        }
        return result
    }

    /// Every IPv4 and IPv6 address of every interface, as network-order bytes.
    // ip -o addr show
    public static func allAddresses() -> [[UInt8]] {
        listedAddresses().map(\.bytes)
    }

    /// Every address of both families with its prefix length (from the netmask getifaddrs reports), in the
    /// kernel's order: what removing one needs, since the kernel deletes an address only at its own prefix length.
    // ip -o addr show dev lo
    public func addressesWithPrefixLength() -> [(address: [UInt8], prefixLength: Int)] {
        Self.listedAddresses().filter { $0.interface == name }.map { ($0.bytes, $0.prefixLength) }
    }

    /// The address bytes of an AF_INET or AF_INET6 sockaddr; nil for other families (AF_PACKET).
    private static func bytes(_ address: UnsafeMutablePointer<sockaddr>) -> [UInt8]? {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                var raw = $0.pointee.sin_addr
                return withUnsafeBytes(of: &raw) { Array($0) }
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                var raw = $0.pointee.sin6_addr
                return withUnsafeBytes(of: &raw) { Array($0) }
            }
        default:
            return nil
        }
    }

    // ip link show dev eth0: its link/ether address, read with SIOCGIFHWADDR
    public func hardwareAddress() throws -> [UInt8] {
        var mac = [UInt8](repeating: 0, count: 6)
        guard tandem_interface_hwaddr(name, &mac) == 0 else { throw SystemError.current("SIOCGIFHWADDR(\(name))") }
        return mac
    }

    /// The interface's IPv4 addresses in the kernel's order (the first is its primary), as network-order bytes.
    // ip -4 -o addr show dev eth0 (getifaddrs dumps them over rtnetlink, RTM_GETADDR)
    public func ipv4Addresses() -> [[UInt8]] {
        addresses(family: AF_INET)
    }

    /// The interface's IPv6 addresses, link-local first.
    // ip -6 -o addr show dev eth0
    public func ipv6Addresses() -> [[UInt8]] {
        addresses(family: AF_INET6).sorted { ($0[0] == 0xfe && $0[1] & 0xc0 == 0x80) && !($1[0] == 0xfe && $1[1] & 0xc0 == 0x80) }
    }

    private func addresses(family: Int32) -> [[UInt8]] {
        Self.listedAddresses().filter { $0.interface == name && $0.family == family }.map(\.bytes)
    }
}
