import Glibc
import Logging
import Testing
import TestSupport
import Wire
@testable import Platform

@Test func malformedMessagesAreLoggedOncePerInterval() {
    let captured = CapturedLog()
    let logger = captured.logger(label: "test")
    let peer = PeerCredentials(pid: 7, uid: 0, gid: 0)
    let reporter = DropReporter(logger: logger, loop: nil, interval: .milliseconds(50))
    for _ in 0..<100 { reporter.record(.truncated, from: peer) }
    #expect(reporter.total == 100)
    #expect(captured.entries.count == 1, "a burst logs one line")
    usleep(60_000)
    reporter.record(.badMagic(1), from: peer)
    #expect(captured.entries.count == 2)
    let summary = captured.entries[1].metadata
    #expect(summary["dropped_since_last_report"] == "100", "the summary counts the suppressed ones")
    #expect(summary["dropped_total"] == "101")
    #expect(captured.entries.allSatisfy { $0.level == .warning })
}

/// Issue 19, finding 11: a burst's count is written an interval after its first line, by the loop's timer, even
/// when nothing else is dropped afterwards (it used to wait for the next drop, however late).
@Test func aBurstsCountIsWrittenByATimerWithoutAnotherDrop() throws {
    let captured = CapturedLog()
    let loop = try EventLoop()
    let peer = PeerCredentials(pid: 7, uid: 0, gid: 0)
    let reporter = DropReporter(logger: captured.logger(label: "test"), loop: loop, interval: .milliseconds(200))
    for _ in 0..<5_032 { reporter.record(.truncated, from: peer) }
    #expect(captured.entries.count == 1)
    let flushed = try runLoop(loop, timeout: .seconds(5)) { captured.entries.count == 2 }
    #expect(flushed, "the rest of the burst is reported without another drop")
    #expect(captured.entries.last?.metadata["dropped_since_last_report"] == "5031")
    #expect(captured.entries.last?.metadata["dropped_total"] == "5032")
    try runLoop(loop, timeout: .milliseconds(500)) { false }
    #expect(captured.entries.count == 2, "nothing more to say, nothing more said")
}

/// A connection that closes before its timer fires still has its count written (the reporter goes with it).
@Test func aBurstsCountIsWrittenWhenItsReporterGoes() throws {
    let captured = CapturedLog()
    let loop = try EventLoop()
    let peer = PeerCredentials(pid: 7, uid: 0, gid: 0)
    var reporter: DropReporter? = DropReporter(logger: captured.logger(label: "test"), loop: loop, interval: .seconds(60))
    for _ in 0..<10 { reporter?.record(.truncated, from: peer) }
    #expect(captured.entries.count == 1)
    reporter = nil
    #expect(captured.entries.count == 2)
    #expect(captured.entries.last?.metadata["dropped_since_last_report"] == "9")
    #expect(loop.pendingTimerCount == 0, "its timer went with it")
}
