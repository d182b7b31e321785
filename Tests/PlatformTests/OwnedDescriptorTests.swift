import Glibc
import Testing
@testable import Platform

/// The descriptor numbers in `loop`'s epoll set, as the kernel lists them ("tfd: N" lines of its fdinfo).
private func registered(in loop: EventLoop) -> Set<Int32> {
    guard let info = readFile("/proc/self/fdinfo/\(loop.epoll.rawValue)") else { return [] }
    return Set(info.split(separator: "\n").compactMap { line -> Int32? in
        guard line.hasPrefix("tfd:") else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { Int32($0) }
    })
}

/// The inode of the file `fd` refers to, nil when `fd` is not open.
private func inode(_ fd: Int32) -> ino_t? {
    var info = stat()
    return fstat(fd, &info) == 0 ? info.st_ino : nil
}

/// True when the pipe's write end is gone: reading finds the end of the stream.
private func writerIsClosed(_ reader: OwnedDescriptor) -> Bool {
    var byte: UInt8 = 0
    return read(reader.rawValue, &byte, 1) == 0
}

@Test func closeReleasesTheNumberAndASecondCloseDoesNothing() throws {
    let (reader, writer) = try makePipe()
    defer { reader.close() }
    let number = writer.rawValue
    let pipeInode = inode(number)
    writer.close()
    #expect(writerIsClosed(reader))
    #expect(!writer.isOpen && writer.rawValue == -1)
    // F_GETFD fails on the number, unless a test running in parallel has just been given it for another file.
    let result = fcntl(number, F_GETFD)
    let error = errno
    #expect((result == -1 && error == EBADF) || inode(number) != pipeInode)
    // Whatever opens next may get the same number back; closing the old owner again must leave it alone.
    let next = open("/dev/null", O_RDONLY | O_CLOEXEC)
    defer { close(next) }
    writer.close()
    #expect(isOpenDescriptor(next))
}

@Test func aLibraryCloserIsCalledExactlyOnce() throws {
    let (reader, writer) = try makePipe()
    defer { reader.close() }
    let fd = fcntl(writer.rawValue, F_DUPFD_CLOEXEC, 0)
    writer.close()
    var closed: [Int32] = []
    let descriptor = OwnedDescriptor(adopting: fd, closingWith: { closed.append($0); _ = close($0) })
    descriptor.close()
    descriptor.close()
    #expect(closed == [fd])
    #expect(writerIsClosed(reader))
}

@Test func aFailedSystemCallGivesItsErrorInsteadOfADescriptor() {
    #expect(throws: SystemError("open(/nonexistent)", errno: ENOENT)) {
        try OwnedDescriptor(returnedBy: open("/nonexistent/file", O_RDONLY), call: "open(/nonexistent)")
    }
}

@Test func closingAWatchedDescriptorTakesItOutOfTheEpollSetFirst() throws {
    let loop = try EventLoop()
    let (reader, writer) = try makePipe()
    defer { writer.close() }
    // A second descriptor of the same pipe keeps the open file alive: close(2) alone would leave the
    // registration in the epoll set, so only an EPOLL_CTL_DEL before it makes the registration go.
    let copy = try OwnedDescriptor(returnedBy: fcntl(reader.rawValue, F_DUPFD_CLOEXEC, 0), call: "F_DUPFD_CLOEXEC")
    defer { copy.close() }
    var wakeUps = 0
    try loop.watchReadable(reader) { wakeUps += 1 }
    let number = reader.rawValue
    #expect(registered(in: loop).contains(number) && loop.watchedCount == 1)

    reader.close()
    #expect(loop.watchedCount == 0 && reader.watcher == nil)
    #expect(!registered(in: loop).contains(number))
    _ = write(writer.rawValue, [1] as [UInt8], 1)
    try loop.runOnce(maximumWait: .milliseconds(20))
    #expect(wakeUps == 0)
    #expect(throws: SystemError("epoll_ctl", errno: EBADF), "a closed descriptor cannot be watched") {
        try loop.watchReadable(reader) {}
    }
}

@Test func unwatchingLeavesTheDescriptorOpen() throws {
    let loop = try EventLoop()
    let (reader, writer) = try makePipe()
    defer { reader.close(); writer.close() }
    try loop.watchReadable(reader) {}
    loop.unwatch(reader)
    #expect(reader.isOpen && isOpenDescriptor(reader.rawValue))
    #expect(!registered(in: loop).contains(reader.rawValue) && loop.watchedCount == 0)
    // Watched again from scratch: the loop forgot it entirely.
    try loop.watchReadable(reader) {}
    #expect(registered(in: loop).contains(reader.rawValue))
}

@Test func theLoopKeepsAWatchedDescriptorUntilItIsClosed() throws {
    let loop = try EventLoop()
    let (reader, writer) = try makePipe()
    defer { writer.close() }
    weak let watched = reader
    try loop.watchReadable(reader) {}
    let number = reader.rawValue
    _ = consume reader
    #expect(watched != nil && isOpenDescriptor(number), "the loop holds it: the epoll set never names a closed number")
    watched?.close()
    #expect(watched == nil, "closed, unwatched and released")
    #expect(loop.watchedCount == 0)
}

@Test func aDescriptorOutlivesItsLoop() throws {
    let (reader, writer) = try makePipe()
    defer { reader.close(); writer.close() }
    var loop: EventLoop? = try EventLoop()
    try loop?.watchReadable(reader) {}
    weak let gone = loop
    loop = nil
    #expect(gone == nil && reader.watcher == nil)
    #expect(reader.isOpen)
}
