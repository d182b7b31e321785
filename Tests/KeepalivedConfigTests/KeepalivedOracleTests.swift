import Foundation
import Testing
@testable import KeepalivedConfig

/// Each file of Fixtures/preprocessor uses definitions, repetitions, conditions or includes and has a twin,
/// NAME.expanded.conf, written out by hand. tandem must read a file as its twin; keepalived itself judges both:
/// it must accept each (`keepalived -t`), and, run for a moment, dump the same VRRP configuration for a file and
/// its twin. A `# config-id: ID` line gives the `-i` to read a file with.
@Suite struct KeepalivedOracleTests {
    static let directory = Fixtures.testsDirectory.appendingPathComponent("Fixtures/preprocessor")

    /// The fixtures with a twin, by name without ".conf".
    static var fixtures: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".expanded.conf") }.map { String($0.dropLast(".expanded.conf".count)) }.sorted()
    }

    /// Every file keepalived must accept: the fixtures, their twins, and the seeds that use this syntax.
    static var acceptedFiles: [String] {
        fixtures.flatMap { [directory.appendingPathComponent("\($0).conf").path,
                            directory.appendingPathComponent("\($0).expanded.conf").path] }
            + Fixtures.seedFiles.filter { $0.hasPrefix("1") }.map(Fixtures.seed)
    }

    static func configID(of path: String) -> String? {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").first { $0.hasPrefix("# config-id: ") }.map { String($0.dropFirst(13)) }
    }

    @Test func fixturesArePresent() {
        #expect(Self.fixtures == ["conditionals", "definitions", "forms", "includes", "sequences"])
        #expect(Self.acceptedFiles.count == 13, "\(Self.acceptedFiles)")
    }

    @Test(arguments: fixtures)
    func tandemReadsEachAsItsTwin(_ name: String) throws {
        let path = Self.directory.appendingPathComponent("\(name).conf").path
        let id = Self.configID(of: path) ?? "node"
        let result = ConfigLoader.load(path: path, configID: id)
        let twin = ConfigLoader.load(path: Self.directory.appendingPathComponent("\(name).expanded.conf").path, configID: id)
        let config = try #require(result.configuration, "\(result.printed)")
        let expected = try #require(twin.configuration, "\(twin.printed)")
        #expect(ModelText.of(config) == ModelText.of(expected))
    }

    @Test(arguments: acceptedFiles)
    func keepalivedAcceptsEach(_ path: String) throws {
        if let reason = Keepalived.unavailable {
            print("skipped: \(reason)")
            return
        }
        let (status, output) = try Keepalived.run(["-t", "-l", "-f", path] + Self.idArguments(path), timeout: .seconds(20))
        #expect(status == 0, "keepalived -t -f \(path):\n\(output)")
    }

    @Test(arguments: fixtures)
    func keepalivedReadsEachAsItsTwin(_ name: String) throws {
        if let reason = Keepalived.unavailable {
            print("skipped: \(reason)")
            return
        }
        let path = Self.directory.appendingPathComponent("\(name).conf").path
        let dump = try Keepalived.dump(path, Self.idArguments(path))
        let twinDump = try Keepalived.dump(Self.directory.appendingPathComponent("\(name).expanded.conf").path,
                                           Self.idArguments(path))
        #expect(dump.contains("VRRP Instance ="), "\(dump)")
        #expect(dump == twinDump)
    }

    static func idArguments(_ path: String) -> [String] { configID(of: path).map { ["-i", $0] } ?? [] }
}

/// Debian's keepalived, run in a network namespace of its own that has an eth0 (the interface the fixtures name),
/// so neither its checks nor its VRRP instances touch this machine's network.
enum Keepalived {
    static let binary = "/usr/sbin/keepalived"

    /// Why keepalived cannot be run here; nil when it can.
    static let unavailable: String? = {
        if !FileManager.default.isExecutableFile(atPath: binary) {
            return "\(binary) is not installed (scripts/install-deps installs it)"
        }
        if getuid() != 0 { return "running keepalived in a network namespace of its own needs root" }
        if !FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") { return "unshare(1) is missing" }
        return nil
    }()

    /// Runs keepalived to its end, or for `timeout` then stops it; the exit status and everything it printed.
    static func run(_ arguments: [String], timeout: Duration, until marker: String? = nil) throws -> (status: Int32, output: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-keepalived-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("output")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)   // opening it below says if this failed
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        let network = "ip link set lo up && ip link add eth0 type veth peer name eth1 && ip link set eth0 up && ip link set eth1 up"
        // Its own pid files, so a keepalived running on this machine (or in another test) is no obstacle.
        let pidFiles = ["-p", "keepalived", "-r", "vrrp", "-c", "checkers", "-b", "bfd"].enumerated()
            .map { $0.offset % 2 == 0 ? $0.element : directory.appendingPathComponent("\($0.element).pid").path }
        process.arguments = ["-n", "sh", "-c", "\(network) && exec \"$0\" \"$@\"", binary] + pidFiles + arguments
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var output = ""
        while process.isRunning, clock.now < deadline {
            output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let marker, output.contains(marker) { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? handle.close()
        return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? output)
    }

    /// What `keepalived --config-test` prints for `text` (its exit status is not 0 whenever it warned, so the text
    /// is what tests compare); nil, after saying why in the test's output, where keepalived is not installed.
    /// Needs no root: it only reads the file.
    static func configTest(_ text: String, for test: String) throws -> String? {
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            print("\(test): \(binary) is not installed; the oracle check is skipped")
            return nil
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-oracle-\(UUID().uuidString).conf")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--config-test", "--log-console", "--use-file", file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return output
    }

    /// What keepalived says it read, from its VRRP process's `--dump-conf`: global_defs and every VRRP instance,
    /// without times and without the log lines that come between.
    static func dump(_ path: String, _ arguments: [String]) throws -> String {
        let end = "------< Interfaces >------"
        let (_, output) = try run(["-n", "-l", "-d", "-P", "-f", path] + arguments, timeout: .seconds(15), until: end)
        var lines: [String] = []
        var inDump = false
        for line in output.split(separator: "\n") {
            // "Tue Dec  1 22:58:47 2026: " precedes each line.
            guard let colon = line.range(of: ": ") else { continue }
            let text = line[colon.upperBound...]
            if text.hasPrefix("------< Global definitions") { inDump = true }
            if text.hasPrefix(end) { break }
            // An IPv6 instance's source is the link-local address of eth0, made afresh in each namespace.
            if text.contains("Using src_ip = fe80:") { continue }
            if inDump, text.hasPrefix(" ") || text.hasPrefix("------<") { lines.append(String(text)) }
        }
        return lines.joined(separator: "\n")
    }
}
