import Glibc
import Testing
import TestSupport

/// NetworkLab.sh, which every namespace test runs its commands through: status, both output streams, a signal,
/// large output, and stdin that is never the test's.
@Suite struct NetworkLabShellTests {
    @Test func statusAndBothStreamsInOrder() {
        let result = NetworkLab.sh("echo out; echo err >&2; exit 3")
        #expect(result.status == 3)
        #expect(result.output == "out\nerr\n")
    }

    @Test func aSignalIs128PlusItsNumber() {
        #expect(NetworkLab.sh("kill -9 $$").status == 137)
    }

    /// The command starts with every signal at its default, whatever this process ignores: SIGPIPE ends `yes`.
    @Test func aCommandGetsDefaultSignals() {
        signal(SIGPIPE, SIG_IGN)
        let result = NetworkLab.sh("yes x | head -c 10")
        #expect(result == (0, "x\nx\nx\nx\nx\n"), "\(result)")
    }

    @Test func largeOutputIsReadWhole() {
        let result = NetworkLab.sh("yes x | head -c 300000")
        #expect(result.status == 0)
        #expect(result.output.count == 300_000)
    }

    @Test func stdinIsEmpty() {
        #expect(NetworkLab.sh("cat; echo done") == (0, "done\n"))
    }
}
