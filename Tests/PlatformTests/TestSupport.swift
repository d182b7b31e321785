import Glibc
@testable import Platform

/// True when the tests run as root; tests that change uids or capabilities need it.
let runningAsRoot = getuid() == 0

/// A fresh directory under /tmp, removed with its content by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/tandem-test-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw SystemError.current("mkdtemp")
        }
        path = String(cString: made)
    }

    func remove() {
        // Only sockets and plain files are created inside, one level deep.
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { unlink("\(path)/\(name)") }
            }
            closedir(dir)
        }
        rmdir(path)
    }
}

/// Turns `loop` until `done()` or `timeout`; returns whether `done()` became true.
@discardableResult
func turn(_ loop: EventLoop, until done: () -> Bool, timeout: Duration = .seconds(5)) throws -> Bool {
    let deadline = MonotonicInstant.now + timeout
    while !done() {
        if MonotonicInstant.now >= deadline { return false }
        try loop.runOnce(maximumWait: .milliseconds(20))
    }
    return true
}

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
