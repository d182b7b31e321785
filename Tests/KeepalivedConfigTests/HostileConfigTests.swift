import Foundation
import Testing
@testable import KeepalivedConfig
import TestSupport

/// Configurations written to hurt the reader (issue 19): each must be refused or read within bounded time and
/// memory, with a finding at file:line:column, never a crash or a hang, so a reload can never take a daemon down.
@Suite struct HostileConfigTests {
    /// Thousands of nested blocks on one line: the recursion stops at the bound, the rest is skipped without it.
    @Test func deepNestingOnOneLineIsAnErrorAtItsLocation() {
        let text = "vrrp_instance VI_1 " + String(repeating: "{ ", count: 100_000) + String(repeating: "} ", count: 100_000)
            + "\nvrrp_script after {\n script /bin/true\n}\n"
        let result = Fixtures.parse(text)
        let nesting = result.errors.filter { $0.message.contains("blocks are nested more than 32 deep") }
        #expect(nesting.first?.location == ConfigLocation(file: "t.conf", line: 1, column: 20 + 2 * 32),
                "\(result.printed.prefix(3))")
        #expect(result.partialConfiguration?.vrrpScripts.map(\.name) == ["after"], "the file is read to its end")
    }

    /// A dozen files that each include the directory they are in: millions of paths through the graph. The walk
    /// stops at the bound on files read in all, and each looping line is reported once, not once per path.
    @Test func includeGraphsAreBoundedInFilesRead() throws {
        var files = ["/k/main.conf": "include /k/inc/*.conf\n"]
        for index in 1...12 { files["/k/inc/f\(index).conf"] = "include /k/inc/*.conf\n" }
        let started = ContinuousClock.now
        let result = ConfigLoader.load(path: "/k/main.conf", source: InMemoryConfigSource(files))
        #expect(ContinuousClock.now - started < .seconds(60))
        #expect(result.errors.contains { $0.message.contains("more than \(FileStack.maximumFilesRead) files included in all") },
                "\(result.printed.prefix(5))")
        let loops = result.errors.filter { $0.message.contains("includes itself") }
        #expect(loops.count <= 12 * 12, "one finding per include line and file, not per path: \(loops.count)")
        #expect(result.configuration == nil)
    }

    @Test func includeGraphsAreBoundedInBytesRead() {
        let files = ["/k/main.conf": String(repeating: "include /k/part.conf\n", count: 40),
                     "/k/part.conf": String(repeating: "# a comment line\n", count: 64)]
        // The main file counts too: its 840 bytes and 29 parts fit, the 30th part does not.
        let limits = FileStack.Limits(bytesRead: 30 * 64 * 17)
        let result = ConfigLoader.load(path: "/k/main.conf", source: InMemoryConfigSource(files), limits: limits)
        #expect(result.has(.error, at: 30, 9, containing: "more than \(limits.bytesRead) bytes"), "\(result.printed)")
        #expect(result.errors.count == 1, "no include is read after the bound: \(result.printed)")
        #expect(FileStack.Limits().bytesRead == 256 << 20)
    }

    /// Millions of findings cost what the first thousand cost: the rest are counted in one finding, which keeps
    /// the severity (an omitted error still makes the part unusable).
    @Test func findingsAreKeptUpToABoundAndTheRestCounted() {
        let count = DiagnosticLog.maximumKept * 20
        let result = Fixtures.parse(String(repeating: "bogus_keyword x\n", count: count))
        #expect(result.warnings.count == DiagnosticLog.maximumKept + 1)
        #expect(result.warnings.last?.message.hasPrefix("\(count - DiagnosticLog.maximumKept) more warnings from here on are not shown") == true,
                "\(result.warnings.last?.description ?? "")")
        #expect(result.warnings.last?.location.line == DiagnosticLog.maximumKept + 1)
        #expect(result.configuration != nil, "warnings alone leave the configuration usable")

        var log = DiagnosticLog()
        log.scope = .vrrp
        for line in 1...(DiagnosticLog.maximumKept + 5) {
            log.warning(ConfigLocation(file: "a", line: line, column: 1), "w")
        }
        log.scope = .virtualServers
        for line in 1...(DiagnosticLog.maximumKept + 1) {
            log.error(ConfigLocation(file: "a", line: line, column: 1), "e")
        }
        #expect(log.hasErrors)
        #expect(log.omittedCount == 6)
        let omittedError = log.all.last { $0.severity == .error }
        #expect(omittedError?.scope == .virtualServers && omittedError?.message.hasPrefix("1 more error ") == true)
    }

    /// Found by the config-hostile fuzzer: reading was quadratic in two places a hostile (or generated) file
    /// reaches, each split of a long line copying all that followed, and each named block scanning every name
    /// before it. 40,000 words on a line took 22 s and 30,000 instances 95 s (debug build); now both are linear.
    /// The bound here is far above either, a guard against a hang, not a benchmark.
    @Test func longLinesAndManyBlocksAreReadInLinearTime() {
        let started = ContinuousClock.now
        let line = Fixtures.parse(String(repeating: "vrrp_instance x ", count: 40_000) + "\n")
        #expect(line.errors.count == DiagnosticLog.maximumKept + 1, "one finding per statement of the line, capped")
        var blocks = ""
        for index in 0..<30_000 { blocks += "vrrp_instance v\(index) {\n priority 0\n}\n" }
        blocks += "vrrp_instance v7 {\n}\n"
        let many = Fixtures.parse(blocks)
        #expect(many.partialConfiguration?.vrrpInstances.count == 30_000, "every name once, the repeated one refused")
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    /// A FIFO nobody writes (or a directory, a device) named by an include: refused before it is read, at once.
    @Test func specialFilesAreRefusedWithoutBlocking() throws {
        let directory = try TemporaryDirectory()
        let fifo = directory.path("fifo.conf")
        #expect(mkfifo(fifo, 0o644) == 0)
        try FileManager.default.createDirectory(atPath: directory.path("sub.conf"), withIntermediateDirectories: false)
        let main = try directory.write("main.conf", "include \(fifo)\ninclude \(directory.path("sub.conf"))\ninclude /dev/zero\n")
        let started = ContinuousClock.now
        let result = ConfigLoader.load(path: main)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(result.has(.error, at: 1, 9, containing: "\(fifo) is a FIFO, not a regular file"), "\(result.printed)")
        #expect(result.has(.error, at: 2, 9, containing: "is a directory, not a regular file"), "\(result.printed)")
        #expect(result.has(.error, at: 3, 9, containing: "/dev/zero is a character device, not a regular file"), "\(result.printed)")

        let asMain = ConfigLoader.load(path: fifo)
        #expect(asMain.errors.first?.message == "\(fifo) is a FIFO, not a regular file")
    }
}
