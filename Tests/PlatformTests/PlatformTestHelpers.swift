import Glibc
@testable import Platform
import Vocabulary
import TestSupport

/// True when the tests run as root; tests that change uids or capabilities need it.
let runningAsRoot = getuid() == 0

/// Runs `body` in a forked child and returns its exit status (0 = success), or -1 when it did not
/// exit within `timeout` (then the child is killed by its pid). The child must only make system
/// calls and plain Swift computations: it never returns into the test runner.
func runInChild(timeout: Duration = .seconds(10), _ body: () -> Int32) -> Int32 {
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
