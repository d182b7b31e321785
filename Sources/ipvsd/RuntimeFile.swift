// Small state files under ipvsd's runtime directory (/run/tandem): what it must remember across its own
// restarts, and forget at boot.
//
// The directory is shared: checkd's group may create entries there (mode 1770 root:tandem). Not world-writable, so
// the kernel's protected_symlinks and protected_regular do not cover it, and a process of that group could plant
// a symbolic link where ipvsd is about to write (root truncating the file it points at) or a file of its own for
// ipvsd to believe (services it "managed", to be removed). So a state file is opened without following links,
// without blocking, and believed only when it is a regular file of ipvsd's own uid; the temporary file a
// replacement is written to is created exclusively.
import Glibc

enum RuntimeFile {
    /// The lines of `path`; none when it is missing, unreadable, absurdly large (over 64 MiB), or not a regular
    /// file of this process's uid writable by nobody else (a planted link or file is not believed).
    static func lines(at path: String) -> [Substring] {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, isOwnRegularFile(info) else { return [] }
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

    /// A regular file owned by this process's uid that no other may write.
    static func isOwnRegularFile(_ info: stat) -> Bool {
        info.st_mode & S_IFMT == S_IFREG && info.st_uid == geteuid() && info.st_mode & (S_IWGRP | S_IWOTH) == 0
    }

    /// Replaces `path` with `text`: written to a temporary file and renamed over the old one, so a crash leaves
    /// either the old or the new content. False when it could not be written. The temporary file is created
    /// anew (O_EXCL, O_NOFOLLOW): whatever is at its name first — a stale one, or a link someone planted — is
    /// removed, never written through. rename(2) replaces the name at `path`, a planted link included, and
    /// follows nothing.
    static func replace(_ path: String, with text: String) -> Bool {
        let temporary = path + ".tmp"
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC
        var fd = open(temporary, flags, 0o600)
        if fd < 0 && errno == EEXIST {
            unlink(temporary)
            fd = open(temporary, flags, 0o600)
        }
        guard fd >= 0 else { return false }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced else { unlink(temporary); return false }
        return rename(temporary, path) == 0
    }
}
