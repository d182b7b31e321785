#if canImport(Glibc)
import Glibc
#endif

/// Where configuration files come from: the disk for the daemons, memory for tests and the fuzzer.
public protocol ConfigSource {
    /// The whole text of a file, or nil when it cannot be read (the reason goes in `error`).
    func read(_ path: String) -> Result<String, ConfigSourceError>
    /// The paths a shell-style pattern matches, sorted; empty when none.
    func glob(_ pattern: String) -> [String]
    /// The absolute directory of a file, which `${_PWD}` stands for while it is read (keepalived changes into the
    /// directory of each file it opens, and into none for a name without a `/`).
    func directory(of path: String) -> String
}

extension ConfigSource {
    /// Without a file system: the directory as written, relative names taken from `/`.
    public func directory(of path: String) -> String {
        Self.absoluteDirectory(of: path, workingDirectory: "/")
    }

    static func absoluteDirectory(of path: String, workingDirectory: String) -> String {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? ""
        if path.hasPrefix("/") { return directory.isEmpty ? "/" : directory }
        let base = workingDirectory.hasSuffix("/") ? String(workingDirectory.dropLast()) : workingDirectory
        return directory.isEmpty ? (base.isEmpty ? "/" : base) : base + "/" + directory
    }
}

public struct ConfigSourceError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Reads configuration files from the file system.
public struct DiskConfigSource: ConfigSource {
    /// Larger than any sane keepalived.conf; a bound so a wrong path (a device, a huge log) is refused.
    public static let maximumFileSize = 16 << 20

    public init() {}

    public func read(_ path: String) -> Result<String, ConfigSourceError> {
        // Non-blocking, so opening a FIFO nobody writes returns at once instead of hanging the reader (on a
        // reload: the daemon's loop); then only a regular file is read.
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard descriptor >= 0 else {
            return .failure(ConfigSourceError("cannot open \(path): \(String(cString: strerror(errno)))"))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            return .failure(ConfigSourceError("cannot read \(path): \(reason)"))
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            return .failure(ConfigSourceError("\(path) is \(Self.kind(of: status.st_mode)), not a regular file"))
        }
        guard let file = fdopen(descriptor, "rb") else {
            close(descriptor)
            return .failure(ConfigSourceError("cannot open \(path): \(String(cString: strerror(errno)))"))
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        // Sized up front when the file says how big it is, so a large file is not regrown by doubling.
        if status.st_size > 0, status.st_size <= Self.maximumFileSize {
            bytes.reserveCapacity(Int(status.st_size) + 1)
        }
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if count > 0 { bytes.append(contentsOf: chunk[0..<count]) }
            if bytes.count > Self.maximumFileSize {
                return .failure(ConfigSourceError("\(path) is larger than \(Self.maximumFileSize) bytes"))
            }
            if count < chunk.count {
                if ferror(file) != 0 {
                    return .failure(ConfigSourceError("cannot read \(path): \(String(cString: strerror(errno)))"))
                }
                break
            }
        }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    static func kind(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        default: return "a special file"
        }
    }

    /// As keepalived's getcwd() after its chdir(): symbolic links resolved.
    public func directory(of path: String) -> String {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        if let resolved = realpath(directory.isEmpty ? "/" : directory, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        var working = "/"
        if let current = getcwd(nil, 0) {
            defer { free(current) }
            working = String(cString: current)
        }
        return Self.absoluteDirectory(of: path, workingDirectory: working)
    }

    public func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        var paths: [String] = []
        for index in 0..<Int(result.gl_pathc) {
            if let path = result.gl_pathv[index] { paths.append(String(cString: path)) }
        }
        return paths.sorted()
    }
}

/// Files held in memory, for tests and fuzzing.
public struct InMemoryConfigSource: ConfigSource {
    public var files: [String: String]

    public init(_ files: [String: String]) { self.files = files }

    public func read(_ path: String) -> Result<String, ConfigSourceError> {
        if let text = files[path] { return .success(text) }
        return .failure(ConfigSourceError("cannot open \(path): No such file or directory"))
    }

    public func glob(_ pattern: String) -> [String] {
        files.keys.filter { fnmatch(pattern, $0, FNM_PATHNAME) == 0 }.sorted()
    }
}
