import Glibc
@testable import Platform
import Vocabulary
import TestSupport

/// True when the tests run as root; tests that change uids or capabilities need it.
let runningAsRoot = getuid() == 0

/// Runs `body` in a forked child and returns its exit status (0 = success), or -1 when it did not
/// exit within `timeout` (then the child is killed by its pid). The child must only make system
/// calls and plain Swift computations: it never returns into the test runner.
///
/// The test runner has many threads, and a forked child inherits every lock another thread held at that instant
/// (the Swift runtime's among them) with no thread left to release it: rarely, a child hangs before its first
/// system call. A hang is therefore tried again, twice; a child that fails or hangs every time still fails the test.
func runInChild(timeout: Duration = .seconds(10), attempts: Int = 3, _ body: () -> Int32) -> Int32 {
    var status: Int32 = -1
    for attempt in 1...max(1, attempts) {
        status = runInChildOnce(timeout: timeout, body)
        guard status == -1 else { return status }
        print("runInChild: the child hung (attempt \(attempt) of \(attempts)); a fork of a multi-threaded process can inherit a held lock")
    }
    return status
}

private func runInChildOnce(timeout: Duration, _ body: () -> Int32) -> Int32 {
    let pid = fork()
    if pid == 0 {
        _exit(body())
    }
    guard pid > 0 else { return -2 }
    let deadline = MonotonicInstant.now + timeout
    var status: Int32 = 0
    while true {
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid { break }
        if MonotonicInstant.now >= deadline {
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
            return -1
        }
        usleep(5_000)
    }
    // WIFEXITED / WEXITSTATUS are macros Swift does not import.
    let signaled = status & 0x7f
    return signaled == 0 ? (status >> 8) & 0xff : 128 + signaled
}

/// A close-on-exec pipe (Swift's Glibc has no pipe2): (read end, write end).
func makePipe() throws -> (OwnedDescriptor, OwnedDescriptor) {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { throw SystemError.current("pipe") }
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    return (OwnedDescriptor(adopting: fds[0]), OwnedDescriptor(adopting: fds[1]))
}

/// True while `fd` is an open descriptor of this process.
func isOpenDescriptor(_ fd: Int32) -> Bool {
    fcntl(fd, F_GETFD) != -1
}
