import Glibc
import KeepalivedConfig
import Logging
import Platform

/// The files FILE_CHECKs follow, watched as keepalived watches them: inotify on each file's directory, so a file
/// that is replaced (written elsewhere and renamed over), deleted or created is seen, not only one written in
/// place. Each change hands the file's current value to `onValue`.
final class TrackedFileWatch {
    private let loop: EventLoop
    private let logger: Logger
    private let onValue: (String, Int64) -> Void
    private var inotify: OwnedDescriptor?
    /// Watch descriptor → directory, and directory → the watched names in it with their full paths.
    private var directories: [Int32: String] = [:]
    private var files: [String: [String: String]] = [:]

    init(loop: EventLoop, logger: Logger, onValue: @escaping (String, Int64) -> Void) {
        self.loop = loop
        self.logger = logger
        self.onValue = onValue
    }

    deinit { inotify?.close() }

    /// Follows exactly `paths` from now on and reads each once (a FILE_CHECK starts from the file's value).
    func follow(_ paths: [String]) {
        stop()
        guard !paths.isEmpty else { return }
        do {
            let fd = try OwnedDescriptor(returnedBy: inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)), call: "inotify_init1")
            inotify = fd
            try loop.watchReadable(fd) { [weak self] in self?.drain() }
        } catch {
            logger.error("FILE_CHECK: cannot watch files (\(error)); each file is read once now and not again")
        }
        for path in paths {
            let (directory, name) = Self.split(path)
            if files[directory] == nil, let fd = inotify {
                // keepalived's mask: written and closed, deleted, moved in or out.
                let mask = UInt32(IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)
                let wd = inotify_add_watch(fd.rawValue, directory, mask)
                if wd < 0 {
                    logger.error("FILE_CHECK: cannot watch \(directory) for \(name) (\(String(cString: strerror(errno)))); its value is read once now")
                } else {
                    directories[wd] = directory
                }
            }
            files[directory, default: [:]][name] = path
            read(path)
        }
    }

    func stop() {
        inotify?.close()
        inotify = nil
        directories = [:]
        files = [:]
    }

    private func drain() {
        guard let fd = inotify else { return }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var changed = Set<String>()
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd.rawValue, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            var offset = 0
            // struct inotify_event { int wd; uint32_t mask, cookie, len; char name[]; }
            while offset + 16 <= count {
                let wd = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Int32.self) }
                let length = Int(buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self) })
                let nameBytes = buffer[(offset + 16)..<min(count, offset + 16 + length)].prefix { $0 != 0 }
                offset += 16 + length
                guard let directory = directories[wd],
                      let path = files[directory]?[String(decoding: nameBytes, as: UTF8.self)] else { continue }
                changed.insert(path)
            }
        }
        for path in changed.sorted() { read(path) }
    }

    /// The file's value now; a missing file is 0, a number out of range keeps the last value (as keepalived).
    private func read(_ path: String) {
        var bytes = [UInt8](repeating: 0, count: 127)
        var length = 0
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        if fd >= 0 {
            length = max(0, bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) })
            close(fd)
        }
        guard let value = TrackedFileValue.parse(bytes[..<length]) else {
            logger.warning("FILE_CHECK: \(path) holds a number outside the 32-bit range; the last value stays (as keepalived)")
            return
        }
        onValue(path, value)
    }

    private static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// keepalived's init_file, done once at start: writes the block's value when the file is missing (or
    /// always, with overwrite, if it is a regular file). checkd may lack the right to write there: then it says
    /// so, and the file reads as 0 until something writes it.
    static func initialise(_ trackFiles: [TrackFile], logger: Logger) {
        for file in trackFiles {
            guard let value = file.initialValue, let path = file.path else { continue }
            var status = stat()
            if stat(path, &status) == 0 {
                guard file.overwrite else { continue }
                guard status.st_mode & S_IFMT == S_IFREG else {
                    logger.warning("track_file \(file.name): \(path) is not a regular file, so init_file does not write it")
                    continue
                }
            }
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
            guard fd >= 0 else {
                logger.warning("track_file \(file.name): init_file cannot write \(path) (\(String(cString: strerror(errno)))); it reads as 0 until something writes it")
                continue
            }
            let text = Array("\(value)\n".utf8)
            _ = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
    }
}
