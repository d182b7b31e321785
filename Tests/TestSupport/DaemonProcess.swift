import Foundation

/// A built daemon run as a real process, its output going to a file the test can poll.
public final class DaemonProcess {
    /// The directory of the built products: the test runner itself lives there.
    public static let productsDirectory: URL = {
        let runner = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
        var directory = runner.deletingLastPathComponent()
        // Under XCTest the runner is inside tandemPackageTests.xctest; the products are next to it.
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("vrrpd").path),
              directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory
    }()

    public static func binary(_ name: String) -> URL { productsDirectory.appendingPathComponent(name) }

    /// Runs to completion; returns the exit status and everything printed.
    public static func run(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = binary(name)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    public let process = Process()
    public let logFile: URL

    /// checkd started as root refuses to run its scripts as root unless told to; the tests run it as root on
    /// purpose (their scripts write into root's temporary directories), so they say so: `--user root` is added
    /// for checkd when the test is root and names no user. A test of that refusal passes `--user` itself or
    /// runs the binary by path.
    public static func asTestRuns(_ name: String, _ arguments: [String]) -> [String] {
        guard name == "checkd", getuid() == 0, !arguments.contains("--user"), !arguments.contains("-t") else { return arguments }
        return arguments + ["--user", "root"]
    }

    /// Starts the built daemon `name` in the background with `arguments`; output goes to `logFile`.
    public convenience init(_ name: String, _ arguments: [String], logFile: URL) throws {
        try self.init(path: Self.binary(name).path, Self.asTestRuns(name, arguments), logFile: logFile)
    }

    /// Starts the built daemon `name` through `prefix` (e.g. setpriv dropping privileges first).
    public convenience init(prefix: [String], _ name: String, _ arguments: [String], logFile: URL) throws {
        // The prefix decides who the daemon runs as (setpriv to nobody): nothing is added.
        let command = prefix + [Self.binary(name).path] + arguments
        try self.init(path: command[0], Array(command.dropFirst()), logFile: logFile)
    }

    /// Starts any program in the background; output goes to `logFile`.
    public init(path: String, _ arguments: [String], logFile: URL) throws {
        self.logFile = logFile
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)   // opening it below says if this failed
        let handle = try FileHandle(forWritingTo: logFile)
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }
    public var pid: Int32 { process.processIdentifier }

    /// Waits until the log contains `text` (at least `count` times), up to `timeout`; true if it did.
    public func waitForLog(_ text: String, count: Int = 1, timeout: Duration = .seconds(10)) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        func found() -> Bool { count == 1 ? log.contains(text) : log.components(separatedBy: text).count > count }
        while clock.now < deadline {
            if found() { return true }
            if !process.isRunning { return found() }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    /// A field of /proc/PID/status, e.g. "CapEff".
    public func status(_ field: String) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix(field + ":") }
            .map { $0.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    public func signal(_ signo: Int32) { kill(process.processIdentifier, signo) }

    /// Sends SIGTERM and waits (bounded) for the exit status; SIGKILLs this process only if it hangs.
    public func terminate(timeout: Duration = .seconds(10)) -> Int32? {
        signal(SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning && clock.now < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            signal(SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}
