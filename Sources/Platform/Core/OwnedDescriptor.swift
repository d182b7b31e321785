import Glibc

/// A file descriptor this process opened, closed exactly once, through this object.
///
/// A final class rather than a `~Copyable` struct, because of the event loop. The loop keeps every descriptor it
/// watches, so the loop and the owner hold one object with one open/closed state: `close()` finds the loop's
/// registration and removes it before the number is given back to the kernel, and a watched descriptor cannot be
/// deinitialised, so the loop never holds a number that has since been reused. A `~Copyable` struct could only be
/// lent to the loop, which would keep a bare number that a close elsewhere could not reach. And the owners here
/// are classes, whose deinit cannot consume a stored noncopyable property: they would hold an Optional and check
/// it at run time all the same.
///
/// Closing twice is harmless: the second call does nothing. Once closed, `rawValue` is -1, so a system call made
/// late fails with EBADF instead of reaching whatever now has the number. Letting the last reference go while it
/// is still open is a bug in the owner (an owner closes in its deinit): debug builds stop there, others close it.
///
/// `close()` takes the descriptor out of the epoll set itself (EPOLL_CTL_DEL) before closing: close(2) would do
/// it only if no other descriptor referred to the same open file, and a forked child's copy does.
public final class OwnedDescriptor {
    private var number: Int32
    /// For a descriptor a C library opened and must close itself (libnl's socket); nil: close(2).
    private let closer: ((Int32) -> Void)?
    /// The loop watching this descriptor; only the loop sets it, and clears it when it stops watching or goes away
    /// (its deinit). Not `weak`: a weak reference gives the loop a side table, which makes every retain and release
    /// of the loop take the runtime's slow path, and the loop is retained and released around each of its calls.
    unowned(unsafe) var watcher: EventLoop?

    /// Takes ownership of `fd`, which nothing else may close.
    public init(adopting fd: Int32) {
        precondition(fd >= 0, "OwnedDescriptor adopts an open descriptor, not \(fd)")
        number = fd
        closer = nil
    }

    /// Takes ownership of a descriptor that `closer` releases (it is called once, with the number).
    public init(adopting fd: Int32, closingWith closer: @escaping (Int32) -> Void) {
        precondition(fd >= 0, "OwnedDescriptor adopts an open descriptor, not \(fd)")
        number = fd
        self.closer = closer
    }

    /// The descriptor a system call returned, or the call's error when it returned -1 (errno read first).
    public convenience init(returnedBy result: Int32, call: @autoclosure () -> String) throws {
        guard result >= 0 else { throw SystemError.current(call()) }
        self.init(adopting: result)
    }

    deinit {
        assert(number < 0, "descriptor \(number) was never closed: its owner must close it")
        close()
    }

    /// False once closed.
    public var isOpen: Bool { number >= 0 }

    /// The number for system calls while open; -1 once closed.
    public var rawValue: Int32 { number }

    /// Takes the descriptor out of the loop watching it, then closes it; does nothing when already closed.
    public func close() {
        guard number >= 0 else { return }
        watcher?.unwatch(self)
        release()
    }

    /// Closes a descriptor that no other descriptor or process refers to, leaving out the EPOLL_CTL_DEL: closing
    /// the last reference to an open file takes it out of every epoll set, so that system call is spent for
    /// nothing. For a socket opened with SOCK_CLOEXEC and never duplicated, which a child started from this thread
    /// by posix_spawn does not keep (this thread waits until the child has run exec, which closes it there). A
    /// health check's socket is one, and opens and closes at every attempt. The loop forgets its watch all the same.
    public func closeUnshared() {
        guard number >= 0 else { return }
        watcher?.forget(self)
        release()
    }

    private func release() {
        let fd = number
        number = -1
        // close(2) gives the number back even when it reports an error (EINTR, EIO): never retried.
        if let closer { closer(fd) } else { _ = Glibc.close(fd) }
    }
}
