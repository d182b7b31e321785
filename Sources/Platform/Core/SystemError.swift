import Glibc

/// A failed system call: which one, and the errno it left.
public struct SystemError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The call that failed, e.g. "epoll_ctl".
    public let call: String
    public let errno: Int32

    /// An error for `call` with the given errno.
    public init(_ call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// An error for `call` with the current thread's errno (read before `call` is built,
    /// since building a string may allocate and clobber errno).
    public static func current(_ call: @autoclosure () -> String) -> SystemError {
        let saved = Glibc.errno
        return SystemError(call(), errno: saved)
    }

    /// "connect: No such file or directory (errno 2)".
    public var description: String {
        "\(call): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// Retries a system call that failed with EINTR; returns its result otherwise.
@inline(__always)
func retryingOnInterrupt<T: SignedInteger>(_ body: () -> T) -> T {
    while true {
        let result = body()
        if result == -1 && errno == EINTR { continue }
        return result
    }
}
