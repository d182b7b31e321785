import Glibc

/// The directory of the daemons' sockets (/run/tandem), checked before anything is bound in it or connected to
/// in it. Whoever may write there may bind a daemon's socket name first: a directory another user owns, or one
/// anyone may write, would let that user stand in for a daemon. The design's directory is root's, mode 1770,
/// group tandem (tmpfiles.d): group members may create only their own entries and, the sticky bit, remove only
/// those; a listener found at a daemon's own name that runs as an untrusted uid is removed at bind
/// (`UnixSocket.listening`), and every client checks its server's uid.
public enum RuntimeDirectory {
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Makes `path` (mode 0755, parents too) when it is missing, then checks it: a real directory (not a
    /// symbolic link), owned by one of `trustedOwners` (root and the daemon's own uid), not writable by others,
    /// and writable by its group only with the sticky bit set. Throws why not.
    public static func prepare(_ path: String, trustedOwners: Set<uid_t>) throws {
        var info = stat()
        if lstat(path, &info) != 0 {
            guard errno == ENOENT else { throw SystemError.current("lstat(\(path))") }
            try MessageListener.makeDirectory(parentOf: path + "/x", mode: 0o755)
            guard lstat(path, &info) == 0 else { throw SystemError.current("lstat(\(path))") }
        }
        if let problem = problem(mode: info.st_mode, owner: info.st_uid, trustedOwners: trustedOwners) {
            throw Refusal(description: "\(path) \(problem); its sockets could be bound by another user first")
        }
    }

    /// What is wrong with a directory of this mode and owner, nil when nothing is. Pure, for tests.
    public static func problem(mode: mode_t, owner: uid_t, trustedOwners: Set<uid_t>) -> String? {
        if mode & S_IFMT == S_IFLNK { return "is a symbolic link" }
        guard mode & S_IFMT == S_IFDIR else { return "is not a directory" }
        guard trustedOwners.contains(owner) else {
            return "is owned by uid \(owner), not by root or this daemon's user"
        }
        let permissions = String(mode & 0o7777, radix: 8)
        if mode & S_IWOTH != 0 { return "is writable by every user (mode \(permissions))" }
        if mode & S_IWGRP != 0 && mode & S_ISVTX == 0 {
            return "is writable by its group without the sticky bit (mode \(permissions)): a member could remove a daemon's socket"
        }
        return nil
    }
}
