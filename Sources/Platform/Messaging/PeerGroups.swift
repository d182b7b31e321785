import Glibc

/// The supplementary groups of a Unix socket's peer: SO_PEERGROUPS (Linux 4.13 and later), else the
/// `Groups:` line of /proc/PID/status (racy against a pid reused after exit, so only the fallback).
public enum PeerGroups {
    /// SO_PEERGROUPS from <asm-generic/socket.h>; Swift's Glibc does not import it.
    static let soPeerGroups: Int32 = 59

    public static func of(_ socket: OwnedDescriptor, pid: pid_t) -> Set<gid_t> {
        if let groups = fromSocket(socket) { return groups }
        return fromProc(pid: pid)
    }

    static func fromSocket(_ socket: OwnedDescriptor) -> Set<gid_t>? {
        var groups = [gid_t](repeating: 0, count: 64)
        while true {
            var length = socklen_t(groups.count * MemoryLayout<gid_t>.size)
            let result = groups.withUnsafeMutableBytes {
                getsockopt(socket.rawValue, SOL_SOCKET, soPeerGroups, $0.baseAddress, &length)
            }
            if result == 0 { return Set(groups.prefix(Int(length) / MemoryLayout<gid_t>.size)) }
            // ERANGE: the kernel says in `length` how much it needs.
            guard errno == ERANGE, Int(length) > groups.count * MemoryLayout<gid_t>.size else { return nil }
            groups = [gid_t](repeating: 0, count: Int(length) / MemoryLayout<gid_t>.size)
        }
    }

    /// Parses the `Groups:` line of a /proc/PID/status text.
    public static func parseProcStatus(_ text: String) -> Set<gid_t> {
        for line in text.split(separator: "\n") where line.hasPrefix("Groups:") {
            return Set(line.dropFirst("Groups:".count).split(whereSeparator: { $0 == " " || $0 == "\t" })
                .compactMap { gid_t($0) })
        }
        return []
    }

    static func fromProc(pid: pid_t) -> Set<gid_t> {
        guard let file = fopen("/proc/\(pid)/status", "r") else { return [] }
        defer { fclose(file) }
        var text = ""
        var buffer = [CChar](repeating: 0, count: 512)
        while fgets(&buffer, Int32(buffer.count), file) != nil {
            text += String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return parseProcStatus(text)
    }
}
