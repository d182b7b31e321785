#if canImport(Glibc)
import Glibc
#endif

/// One line of a file, without its line end, as UTF-8.
struct RawLine {
    var file: String
    var number: Int
    var bytes: ArraySlice<UInt8>

    var text: Substring { String(decoding: bytes, as: UTF8.self)[...] }
}

/// The files being read, the innermost last, handing out their lines in order: a file named by an include line is
/// read, whole, before the next line of the file that included it. Memory stays proportional to the files' text and
/// the include depth.
struct FileStack {
    /// keepalived limits nesting too; this also stops a file that includes itself.
    static let maximumDepth = 8
    /// Files opened over the whole configuration, a file included several times counted each time. The depth
    /// limit alone does not bound the work: a dozen files that each include `DIR/*.conf` open millions.
    static let maximumFilesRead = 10_000
    /// Bytes read over the whole configuration, for the same reason (each file is already bounded by its source).
    static let maximumBytesRead = 256 << 20

    /// What a whole configuration may read; smaller in tests.
    struct Limits {
        var filesRead = FileStack.maximumFilesRead
        var bytesRead = FileStack.maximumBytesRead
    }

    private struct OpenFile {
        var path: String
        var bytes: [UInt8]
        var position = 0
        var lineNumber = 0
        /// What `${_PWD}` stands for while this file is read.
        var directory: String
        /// Files an include line of this file named that are still to be read.
        var waiting: [(path: String, includedAt: ConfigLocation)] = []

        init(path: String, text: String, directory: String) {
            self.path = path
            bytes = Array(text.utf8)
            self.directory = directory
        }
    }

    let source: ConfigSource
    private(set) var filesRead: [String] = []
    private var open: [OpenFile] = []
    private var filesOpened = 0
    private var bytesRead = 0
    /// Set once a limit on the whole configuration was reached: no include is read after that (one error says so).
    private var exhausted = false
    /// Include lines already reported as looping or too deep, with the file they named: includes of a glob that
    /// matches its own directory are refused on every path through them, and saying so once per line is enough.
    private var refusedIncludes: Set<RefusedInclude> = []

    private struct RefusedInclude: Hashable {
        var at: ConfigLocation
        var path: String
    }

    let limits: Limits

    init(source: ConfigSource, limits: Limits = Limits()) {
        self.source = source
        self.limits = limits
    }

    /// The directory of the file being read.
    var currentDirectory: String { open.last?.directory ?? "/" }

    /// Starts with a file from the source; false (and an error logged) when it cannot be read.
    mutating func start(file path: String, log: inout DiagnosticLog) -> Bool {
        push(path, includedFrom: nil, log: &log)
    }

    /// Starts with text held in memory.
    mutating func start(text: String, named name: String) {
        filesRead.append(name)
        open = [OpenFile(path: name, text: text, directory: source.directory(of: name))]
    }

    /// Files to read before the next line of the file being read, in order.
    mutating func include(_ paths: [(path: String, includedAt: ConfigLocation)]) {
        guard !open.isEmpty else { return }
        open[open.count - 1].waiting += paths
    }

    /// The path of the file being read and those that included it, outermost first.
    var chain: [String] { open.map(\.path) }

    /// The next line of the innermost file, opening waiting includes first; nil at the end of the main file.
    mutating func nextLine(log: inout DiagnosticLog) -> RawLine? {
        while let top = open.indices.last {
            if !open[top].waiting.isEmpty {
                let file = open[top].waiting.removeFirst()
                _ = push(file.path, includedFrom: file.includedAt, log: &log)
                continue
            }
            let bytes = open[top].bytes
            let start = open[top].position
            guard start < bytes.count else {
                open.removeLast()
                continue
            }
            let newline = bytes.withUnsafeBufferPointer { buffer -> Int in
                guard let found = memchr(buffer.baseAddress! + start, Int32(UInt8(ascii: "\n")), buffer.count - start)
                else { return buffer.count }
                return UnsafeRawPointer(buffer.baseAddress!).distance(to: UnsafeRawPointer(found))
            }
            open[top].position = min(newline + 1, bytes.count)
            open[top].lineNumber += 1
            return RawLine(file: open[top].path, number: open[top].lineNumber, bytes: bytes[start..<newline])
        }
        return nil
    }

    /// Opens an included (or the main) file on top of the stack, unless that would loop or nest too deep.
    private mutating func push(_ path: String, includedFrom: ConfigLocation?, log: inout DiagnosticLog) -> Bool {
        if let includedFrom {
            if chain.contains(path) {
                if refusedIncludes.insert(RefusedInclude(at: includedFrom, path: path)).inserted {
                    log.error(includedFrom, "include \(path) includes itself (through \(chain.joined(separator: " → ")))")
                }
                return false
            }
            if chain.count >= Self.maximumDepth {
                if refusedIncludes.insert(RefusedInclude(at: includedFrom, path: path)).inserted {
                    log.error(includedFrom, "include \(path) is nested more than \(Self.maximumDepth) deep")
                }
                return false
            }
            if exhausted { return false }
            if filesOpened >= limits.filesRead {
                exhausted = true
                log.error(includedFrom, "include \(path): more than \(limits.filesRead) files included in all (do includes include each other?); no include is read from here on")
                return false
            }
        }
        switch source.read(path) {
        case .success(let text):
            filesOpened += 1
            bytesRead += text.utf8.count
            if bytesRead > limits.bytesRead, let includedFrom {
                exhausted = true
                log.error(includedFrom, "include \(path): more than \(limits.bytesRead) bytes (\(limits.bytesRead >> 20) MiB) included in all; no include is read from here on")
                return false
            }
            filesRead.append(path)
            open.append(OpenFile(path: path, text: text, directory: source.directory(of: path)))
            return true
        case .failure(let problem):
            log.error(includedFrom ?? ConfigLocation(file: path, line: 0, column: 0), problem.description)
            return false
        }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[...slash])
    }
}
