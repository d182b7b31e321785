import Foundation
import Glibc
import Platform
import Testing
@testable import Health
import Vocabulary
import TestSupport

/// Runs one program to completion on its own loop.
private func runProgram(_ arguments: [String], timeout: Duration? = .seconds(5))
    throws -> (exit: ProcessExit?, elapsed: Duration, pid: pid_t?) {
    let loop = try EventLoop()
    let runner = ProcessRunner(loop: loop)
    var exit: ProcessExit?
    let start = MonotonicInstant.now
    let pid = runner.run(arguments, timeout: timeout) { exit = $0 }
    try runLoop(loop, timeout: .seconds(10)) { exit != nil && runner.runningCount == 0 }
    return (exit, MonotonicInstant.now - start, pid)
}

@Suite(.serialized) struct ProcessRunnerTests {
    @Test func exitStatusesAreReported() throws {
        #expect(try runProgram(["/bin/true"]).exit == .exited(0))
        #expect(try runProgram(["false"]).exit == .exited(1), "found in the clean PATH")
        #expect(try runProgram(["/bin/sh", "-c", "exit 7"]).exit == .exited(7))
        #expect(try runProgram(["/bin/sh", "-c", "kill -TERM $$"]).exit == .signaled(SIGTERM))
    }

    @Test func missingProgramFailsToStart() throws {
        if case .failedToStart = try runProgram(["/nonexistent/program"]).exit {} else {
            Issue.record("a missing program must not look like a result")
        }
        if case .failedToStart = try runProgram(["no-such-command-anywhere"]).exit {} else {
            Issue.record("a missing program must not look like a result")
        }
    }

    @Test func argumentsAreNotGivenToAShell() throws {
        let directory = try TemporaryDirectory()
        let out = directory.path("args")
        let script = try directory.write("args.sh", "#!/bin/sh\nprintf '%s|' \"$@\" > \"$1.out\"\n", mode: 0o755)
        #expect(try runProgram([script, out, "a b", "$HOME;", "*"]).exit == .exited(0))
        #expect(try String(contentsOfFile: out + ".out", encoding: .utf8) == "\(out)|a b|$HOME;|*|")
    }

    @Test func environmentIsClean() throws {
        let directory = try TemporaryDirectory()
        let out = directory.path("env")
        #expect(try runProgram(["/bin/sh", "-c", "/usr/bin/env > \(out)"]).exit == .exited(0))
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines.contains("PATH=/usr/sbin:/usr/bin:/sbin:/bin"))
        #expect(!lines.contains { $0.hasPrefix("HOME=") || $0.hasPrefix("USER=") })
    }

    @Test func neverEndingScriptIsKilledWithItsGroupAtTheTimeout() throws {
        let directory = try TemporaryDirectory()
        let pidFile = directory.path("grandchild")
        let result = try runProgram(["/bin/sh", "-c", "sleep 300 & echo $! > \(pidFile); wait"],
                                    timeout: .milliseconds(300))
        #expect(result.exit == .timedOut)
        #expect(result.elapsed >= .milliseconds(300) && result.elapsed < .seconds(3))
        let grandchild = try #require(pid_t(try String(contentsOfFile: pidFile, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        // The grandchild got the group's SIGKILL: gone, or a zombie waiting for init.
        var gone = false
        for _ in 0..<100 {
            let state = (try? String(contentsOfFile: "/proc/\(grandchild)/stat", encoding: .utf8))?
                .split(separator: ")").last?.split(separator: " ").first
            if state == nil || state == "Z" { gone = true; break }
            usleep(20_000)
        }
        #expect(gone, "sleep \(grandchild) survived its script's timeout")
    }

    @Test func signalsBlockedByTheLoopAreNotInherited() throws {
        // The loop blocks SIGTERM for its signalfd; a child must still die of SIGTERM.
        let loop = try EventLoop()
        try loop.onSignal(SIGUSR2) {}
        let runner = ProcessRunner(loop: loop)
        var exit: ProcessExit?
        runner.run(["/bin/sh", "-c", "kill -USR2 $$; sleep 5"], timeout: .seconds(3)) { exit = $0 }
        try runLoop(loop) { exit != nil }
        #expect(exit == .signaled(SIGUSR2))
    }
}
