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
    var reporter = DropReporter(interval: .milliseconds(50))
    for _ in 0..<100 { reporter.record(.truncated, from: peer, logger: logger) }
    #expect(reporter.total == 100)
    #expect(captured.entries.count == 1, "a burst logs one line")
    usleep(60_000)
    reporter.record(.badMagic(1), from: peer, logger: logger)
    #expect(captured.entries.count == 2)
    let summary = captured.entries[1].metadata
    #expect(summary["dropped_since_last_report"] == "100", "the summary counts the suppressed ones")
    #expect(summary["dropped_total"] == "101")
    #expect(captured.entries.allSatisfy { $0.level == .warning })
}
