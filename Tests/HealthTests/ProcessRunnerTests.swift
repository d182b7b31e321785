import Foundation
import Glibc
import Platform
import Testing
@testable import Health
import Vocabulary
import TestSupport

/// Runs one program to completion on its own loop.
private func runProgram(_ arguments: [String], timeout: Duration? = .seconds(5), killingLeftovers: Bool = true)
    throws -> (exit: ProcessExit?, elapsed: Duration, pid: pid_t?) {
    let loop = try EventLoop()
    let runner = ProcessRunner(loop: loop)
    var exit: ProcessExit?
    let start = MonotonicInstant.now
    let pid = runner.run(arguments, timeout: timeout, killingLeftovers: killingLeftovers) { exit = $0 }
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

    /// The processes whose process group is `group` (field 5 of /proc/PID/stat).
    static func members(ofGroup group: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { pid_t($0) }.filter { pid in
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = text.lastIndex(of: ")") else { return false }
            let fields = text[text.index(after: close)...].split(separator: " ")
            return fields.count > 2 && pid_t(fields[2]) == group && fields[0] != "Z"
        }
    }

    /// Issue 19, finding 9: a check script that backgrounds children and exits left them running after every
    /// run. What it leaves in its process group is killed when it exits; a notify script keeps what it started.
    @Test func whatACheckScriptLeavesRunningIsKilledWhenItExits() throws {
        let script = ["/bin/sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do sleep 300 & done; exit 0"]
        let check = try runProgram(script)
        #expect(check.exit == .exited(0))
        let group = try #require(check.pid)
        var left = Self.members(ofGroup: group)
        for _ in 0..<100 where !left.isEmpty {
            usleep(10_000)
            left = Self.members(ofGroup: group)
        }
        #expect(left.isEmpty, "orphans of the check script: \(left)")

        let notify = try runProgram(script, killingLeftovers: false)
        #expect(notify.exit == .exited(0))
        let notifyGroup = try #require(notify.pid)
        let kept = Self.members(ofGroup: notifyGroup)
        kill(-notifyGroup, SIGKILL)
        #expect(kept.count == 10, "a notify script's background processes stay, as under keepalived: \(kept)")
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
