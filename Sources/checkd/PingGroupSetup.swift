import Glibc
import Health

/// `checkd --allow-ping-group GROUP`, run by the unit as root before checkd starts (ExecStartPre=+): widens
/// net.ipv4.ping_group_range so GROUP may open the ICMP datagram sockets PING_CHECK uses, and changes nothing
/// when it already may. A range it cannot read or write (a container without /proc/sys) is reported and left:
/// checkd still starts, and a PING_CHECK then says what to set.
enum PingGroupSetup {
    static let path = PingGroupRange.path

    /// Exit status: 0 done or nothing to do or cannot; 1 no such group.
    static func run(group name: String) -> Int32 {
        guard let entry = getgrnam(name) else {
            print("checkd: no group \(name): net.ipv4.ping_group_range left as it is")
            return 1
        }
        let gid = UInt32(entry.pointee.gr_gid)
        guard let text = try? String(contentsOfProcFile: path), let current = PingGroupRange(text) else {
            print("checkd: cannot read \(path): PING_CHECK may fail; set it to include group \(name) (\(gid))")
            return 0
        }
        guard let widened = current.including(gid) else {
            print("checkd: net.ipv4.ping_group_range \(current) already takes in group \(name) (\(gid))")
            return 0
        }
        guard write("\(widened)\n") else {
            print("checkd: cannot write \(path) (\(String(cString: strerror(errno)))): PING_CHECK fails until it includes group \(name) (\(gid))")
            return 0
        }
        print("checkd: net.ipv4.ping_group_range \(current) -> \(widened), so group \(name) (\(gid)) may send PING_CHECK's echo requests")
        return 0
    }

    private static func write(_ text: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } == bytes.count
    }
}
