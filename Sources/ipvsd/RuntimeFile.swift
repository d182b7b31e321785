// Small state files under ipvsd's runtime directory (/run/tandem): what it must remember across its own
// restarts, and forget at boot.
import Glibc

enum RuntimeFile {
    /// The lines of `path`; none when it is missing, unreadable or absurdly large (over 64 MiB).
    static func lines(at path: String) -> [Substring] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var data: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            data += chunk[0..<n]
            if data.count > 64 << 20 { return [] }
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n")
    }

    /// Replaces `path` with `text`: written to a temporary file and renamed over the old one, so a crash leaves
    /// either the old or the new content. False when it could not be written.
    static func replace(_ path: String, with text: String) -> Bool {
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced else { unlink(temporary); return false }
        return rename(temporary, path) == 0
    }
}
