import Glibc

/// An rtnetlink socket subscribed to multicast groups: how the kernel tells of link and address changes.
enum RouteNetlinkGroups {
    static let link: UInt32 = 0x1             // RTMGRP_LINK
    static let ipv4Addresses: UInt32 = 0x10   // RTMGRP_IPV4_IFADDR
    static let ipv6Addresses: UInt32 = 0x100  // RTMGRP_IPV6_IFADDR

    /// A non-blocking NETLINK_ROUTE socket bound to `groups` (no privilege needed to listen).
    static func subscribe(_ groups: UInt32) throws -> OwnedDescriptor {
        let fd = try OwnedDescriptor(
            returnedBy: socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                               | Int32(SOCK_CLOEXEC.rawValue), 0 /* NETLINK_ROUTE */),
            call: "socket(AF_NETLINK)")
        // struct sockaddr_nl { sa_family_t nl_family; unsigned short nl_pad; __u32 nl_pid; __u32 nl_groups; }
        var address = [UInt8](repeating: 0, count: 12)
        address.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt16(AF_NETLINK), toByteOffset: 0, as: UInt16.self)
            raw.storeBytes(of: groups, toByteOffset: 8, as: UInt32.self)
        }
        let bound = address.withUnsafeBytes {
            bind(fd.rawValue, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(12))
        }
        guard bound == 0 else {
            let error = SystemError.current("bind(rtnetlink groups 0x\(String(groups, radix: 16)))")
            fd.close()
            throw error
        }
        return fd
    }

    /// Reads every notification waiting on `fd`, handing each datagram to `body`; `overrun` when the kernel
    /// dropped some (ENOBUFS), after which the caller must read the whole state again.
    static func receiveAll(_ fd: OwnedDescriptor, _ body: (ArraySlice<UInt8>) -> Void) -> (received: Bool, overrun: Bool) {
        var received = false
        var overrun = false
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd.rawValue, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == ENOBUFS { overrun = true; continue }
                if errno == EINTR { continue }
                break
            }
            if count == 0 { break }
            received = true
            body(buffer[..<count])
        }
        return (received, overrun)
    }
}
