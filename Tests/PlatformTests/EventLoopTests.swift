import Glibc
import Testing
import TestSupport
@testable import Platform
import Vocabulary

@Test func timersFireInDeadlineOrderAndCancelWorks() throws {
    let loop = try EventLoop()
    let start = MonotonicInstant.now
    var fired: [String] = []
    loop.schedule(at: start + .milliseconds(30)) { fired.append("30ms") }
    loop.schedule(at: start + .milliseconds(10)) { fired.append("10ms") }
    let cancelled = loop.schedule(at: start + .milliseconds(15)) { fired.append("cancelled") }
    loop.schedule(after: .milliseconds(20)) { fired.append("20ms") }
    // Equal deadlines fire in the order they were scheduled.
    loop.schedule(at: start + .milliseconds(40)) { fired.append("40ms-a") }
    loop.schedule(at: start + .milliseconds(40)) {
        fired.append("40ms-b")
        loop.stop()
    }
    loop.cancel(cancelled)
    let guardTimer = loop.schedule(after: .seconds(5)) { fired.append("timeout"); loop.stop() }
    try loop.run()
    loop.cancel(guardTimer)
    #expect(fired == ["10ms", "20ms", "30ms", "40ms-a", "40ms-b"])
    #expect(MonotonicInstant.now - start >= .milliseconds(40), "no timer fires early")
    #expect(loop.pendingTimerCount == 0)
}

@Test func aTimerScheduledByATimerRunsOnALaterTurn() throws {
    let loop = try EventLoop()
    var turns = 0
    var order: [Int] = []
    loop.onIteration = { turns += 1 }
    loop.schedule(after: .zero) {
        order.append(1)
        loop.schedule(after: .zero) { order.append(2); loop.stop() }
    }
    try loop.run()
    #expect(order == [1, 2])
    #expect(turns >= 2, "onIteration runs once per turn")
}

@Test func manyCancelledTimersAreShed() throws {
    let loop = try EventLoop()
    let ids = (0..<1000).map { _ in loop.schedule(after: .seconds(60)) {} }
    ids.forEach(loop.cancel)
    #expect(loop.pendingTimerCount == 0)
    var fired = false
    loop.schedule(after: .milliseconds(1)) { fired = true }
    try runLoop(loop, until: { fired })
    #expect(fired)
}

@Test func pipeReadinessIsReported() throws {
    let loop = try EventLoop()
    let (reader, writer) = try makePipe()
    defer { reader.close(); writer.close() }
    var received: [UInt8] = []
    try loop.watchReadable(reader) {
        var buffer = [UInt8](repeating: 0, count: 16)
        let count = read(reader.rawValue, &buffer, 16)
        if count > 0 { received += buffer[..<count] }
    }
    var writable = 0
    try loop.watchWritable(writer) {
        writable += 1
        loop.unwatchWritable(writer)
        _ = write(writer.rawValue, [7, 8, 9] as [UInt8], 3)
    }
    #expect(try runLoop(loop, until: { received == [7, 8, 9] }))
    #expect(writable == 1, "unwatchWritable stops further callbacks")
    loop.unwatch(reader)
    _ = write(writer.rawValue, [1] as [UInt8], 1)
    try loop.runOnce(maximumWait: .milliseconds(20))
    #expect(received == [7, 8, 9], "an unwatched fd is not reported")
    #expect(loop.watchedCount == 0)
}

@Test func hangupOfTheWriterWakesTheReader() throws {
    let loop = try EventLoop()
    let (reader, writer) = try makePipe()
    defer { reader.close() }
    var sawEOF = false
    try loop.watchReadable(reader) {
        var byte: UInt8 = 0
        if read(reader.rawValue, &byte, 1) == 0 { sawEOF = true; loop.unwatch(reader) }
    }
    writer.close()
    #expect(try runLoop(loop, until: { sawEOF }))
}

@Test func signalsArriveThroughTheLoop() throws {
    let loop = try EventLoop()
    var usr1 = 0, usr2 = 0
    try loop.onSignal(SIGUSR1) { usr1 += 1 }
    try loop.onSignal(SIGUSR2) { usr2 += 1 }
    // raise() targets this thread, which has the signals blocked: they wait for the signalfd.
    raise(SIGUSR1)
    raise(SIGUSR2)
    #expect(try runLoop(loop, until: { usr1 == 1 && usr2 == 1 }))
    raise(SIGUSR1)
    #expect(try runLoop(loop, until: { usr1 == 2 }))
}

@Test func runOnceWaitsNoLongerThanAsked() throws {
    let loop = try EventLoop()
    let start = MonotonicInstant.now
    try loop.runOnce(maximumWait: .milliseconds(30))
    let waited = MonotonicInstant.now - start
    #expect(waited >= .milliseconds(29) && waited < .seconds(1))
}
