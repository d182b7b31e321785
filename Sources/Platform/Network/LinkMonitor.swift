import Glibc

/// Tells when interfaces go down or come back, from rtnetlink's link notifications (RTMGRP_LINK), so an instance
/// enters FAULT as soon as its link fails instead of waiting for a timer.
public final class LinkMonitor {
    public let fd: OwnedDescriptor
    private static let newLink: UInt16 = 16           // RTM_NEWLINK
    private static let deleteLink: UInt16 = 17        // RTM_DELLINK
    static let interfaceUp: UInt32 = 0x1              // IFF_UP
    static let interfaceRunning: UInt32 = 0x40        // IFF_RUNNING: carrier present

    // ip monitor link
    public init() throws {
        fd = try RouteNetlinkGroups.subscribe(RouteNetlinkGroups.link)
    }

    deinit { fd.close() }

    /// A link's new state: its index and whether it is up with carrier (nil index: a buffer overrun, so every
    /// interface should be re-read).
    public struct Change: Hashable, Sendable {
        public var interfaceIndex: Int32
        public var usable: Bool
    }

    /// Reads every pending notification; an overrun (ENOBUFS) is reported as `overrun` so the caller re-reads all.
    public func drain() -> (changes: [Change], overrun: Bool) {
        var changes: [Change] = []
        let overrun = RouteNetlinkGroups.receiveAll(fd) { changes += Self.parse($0) }.overrun
        return (changes, overrun)
    }

    /// Parses nlmsghdr + ifinfomsg records; anything malformed ends the parse (a kernel message is trusted in
    /// shape, but a short read must not trap).
    static func parse(_ bytes: ArraySlice<UInt8>) -> [Change] {
        var changes: [Change] = []
        var offset = bytes.startIndex
        func u32(_ at: Int) -> UInt32 { bytes[at..<at + 4].reversed().reduce(0) { $0 << 8 | UInt32($1) } }
        func u16(_ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
        while offset + 32 <= bytes.endIndex {
            let length = Int(u32(offset))
            guard length >= 16, offset + length <= bytes.endIndex else { break }
            let type = u16(offset + 4)
            if (type == newLink || type == deleteLink) && length >= 32 {
                let index = Int32(bitPattern: u32(offset + 20))
                let flags = u32(offset + 24)
                let up = type == newLink && flags & interfaceUp != 0 && flags & interfaceRunning != 0
                changes.append(Change(interfaceIndex: index, usable: up))
            }
            offset += (length + 3) & ~3
        }
        return changes
    }
}
