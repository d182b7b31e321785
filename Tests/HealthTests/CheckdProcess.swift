import Foundation
import Glibc

/// The built checkd run as a real process (adapted from DaemonTests' DaemonProcess), optionally through a
/// command that drops privileges first (setpriv), its output going to a file.
final class CheckdProcess {
    /// The directory of the built products: the test runner lives there or below it.
    static let productsDirectory: URL = {
        let runner = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                         ?? CommandLine.arguments[0])
        var directory = runner.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("checkd").path),
              directory.path != "/" {
            directory = directory.deletingLastPathComponent()
        }
        return directory
    }()

    static var binary: String { productsDirectory.appendingPathComponent("checkd").path }

    let process = Process()
    let logFile: String

    /// Starts `prefix + [checkd] + arguments`.
    init(prefix: [String] = [], _ arguments: [String], logFile: String) throws {
        self.logFile = logFile
        _ = FileManager.default.createFile(atPath: logFile, contents: nil)   // opening it below says if this failed
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
        let command = prefix + [Self.binary] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var log: String { (try? String(contentsOfFile: logFile, encoding: .utf8)) ?? "" }
    var pid: Int32 { process.processIdentifier }

    /// A line of /proc/PID/status, e.g. "CapEff".
    func status(_ field: String) -> String? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix(field + ":") }
            .map { $0.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    /// SIGTERM, then the exit status (bounded wait; SIGKILL of this process only if it hangs).
    func terminate(timeout: TimeInterval = 10) -> Int32? {
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }
}
