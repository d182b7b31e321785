import Glibc
import Testing
import TestSupport
import Wire
@testable import Platform

/// The inodes of the sockets this process has open, from /proc/self/fd ("socket:[12345]").
private func openSocketInodes() -> Set<UInt64> {
    guard let dir = opendir("/proc/self/fd") else { return [] }
    defer { closedir(dir) }
    var inodes = Set<UInt64>()
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        var target = [CChar](repeating: 0, count: 64)
        let count = readlink("/proc/self/fd/\(name)", &target, target.count - 1)
        guard count > 0 else { continue }
        let link = String(decoding: target[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if link.hasPrefix("socket:["), let inode = UInt64(link.dropFirst(8).dropLast()) { inodes.insert(inode) }
    }
    return inodes
}

private func inode(of descriptor: OwnedDescriptor?) -> UInt64? {
    var info = stat()
    guard let descriptor, fstat(descriptor.rawValue, &info) == 0 else { return nil }
    return UInt64(info.st_ino)
}

/// Other tests of this process open and close sockets at the same time, so a bare count of /proc/self/fd before
/// and after would be flaky: the test follows the three sockets of its own cycle by inode instead.
@Test func aListenerClientAndConnectionCycleLeavesNoSocketBehind() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path + "/cycle.sock"
    var cycle: [UInt64?] = []
    do {
        let loop = try EventLoop()
        var received: [WireMessage] = []
        let listener = try MessageListener(path: path, allowedUIDs: [getuid()], loop: loop,
                                           onMessage: { _, message in received.append(message) })
        let client = MessageClient(path: path, loop: loop, onConnect: { try? $0.send(.hello(role: .checkd, pid: 1)) })
        #expect(try runLoop(loop, until: { received == [.hello(role: .checkd, pid: 1)] }))
        cycle = [inode(of: listener.listeningSocket), inode(of: listener.connections.first?.socket),
                 inode(of: client.connection?.socket)]
        #expect(openSocketInodes().isSuperset(of: cycle.compactMap { $0 }))
        client.close()
        listener.close()
        #expect(loop.watchedCount == 0, "every socket was unwatched as it closed")
    }
    let ours = Set(cycle.compactMap { $0 })
    #expect(ours.count == 3, "listening, accepted and client sockets")
    #expect(openSocketInodes().isDisjoint(with: ours))
}
