import Foundation
import Glibc
import Logging
import Vocabulary
@testable import Platform
import TestSupport
import Testing

/// Answers larger than one SEQPACKET record: split, reassembled by the client, and never blocking the daemon's
/// loop when the peer does not read.
@Suite struct ControlRecordsTests {
    @Test func recordsEndWithOneShorterThanARecord() {
        let size = ControlRecords.recordSize
        for length in [0, 1, size - 1, size, size + 1, 3 * size, 3 * size + 7] {
            let records = ControlRecords.split([UInt8](repeating: 1, count: length))
            #expect(records.dropLast().allSatisfy { $0.count == size }, "length \(length)")
            #expect(records.last!.count < size, "length \(length)")
            #expect(records.reduce(0) { $0 + $1.count } == length)
        }
    }

    /// A listener in this process's own group (no root needed) that answers with `answer(request)`.
    final class Harness {
        let directory: TemporaryDirectory
        let loop: EventLoop
        let log = CapturedLog()
        let listener: ControlListener

        init(answer: @escaping (ArraySlice<UInt8>) -> [UInt8]) throws {
            directory = try TemporaryDirectory()
            loop = try EventLoop()
            listener = try ControlListener(
                path: directory.path("ipvsd.control"), adminGroup: getgid(), loop: loop,
                logger: log.logger(label: "test"), socketMode: 0o600, maxRequestSize: 64
            ) { _, request, _ in answer(request) }
        }

        /// Runs ControlClient.exchange on another thread while this one turns the loop.
        func exchange(_ request: String, trustedServerUIDs: Set<uid_t>? = nil) throws -> [UInt8] {
            final class Outcome: @unchecked Sendable {
                var result: Result<[UInt8], Error>?
                let done = DispatchSemaphore(value: 0)
            }
            let outcome = Outcome()
            let path = listener.path
            Thread.detachNewThread {
                outcome.result = Result {
                    try ControlClient.exchange(path: path, request: Array(request.utf8), maxResponseSize: 64 << 20,
                                               trustedServerUIDs: trustedServerUIDs)
                }
                outcome.done.signal()
            }
            _ = try runLoop(loop, timeout: .seconds(20)) { outcome.done.wait(timeout: .now()) == .success }
            return try #require(outcome.result).get()
        }
    }

    /// tandemctl's side of issue 19's finding 6: a control socket held by a uid that is not a daemon's gets no
    /// request (a switchover sent to an impostor) and its answer is not believed.
    @Test func aServerOfAnUntrustedUIDIsSentNothing() throws {
        final class Requests: @unchecked Sendable { var count = 0 }
        let requests = Requests()
        let harness = try Harness { _ in
            requests.count += 1
            return Array("ok".utf8)
        }
        #expect(try harness.exchange("status", trustedServerUIDs: [geteuid()]) == Array("ok".utf8))
        #expect(throws: SystemError.self) { try harness.exchange("switchover", trustedServerUIDs: [geteuid() &+ 1]) }
        #expect(requests.count == 1, "the untrusted exchange sent nothing")
    }

    @Test func answersOfEverySizeArriveWhole() throws {
        let size = ControlRecords.recordSize
        let harness = try Harness { request in
            let length = Int(String(decoding: request, as: UTF8.self))!
            return (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        }
        for length in [1, size - 1, size, size + 1, 2 * size, 3_000_000] {
            let answer = try harness.exchange("\(length)")
            #expect(answer == (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }, "length \(length)")
        }
    }

    @Test func aPeerThatDoesNotReadIsDroppedWithoutBlockingOthers() throws {
        let harness = try Harness { _ in [UInt8](repeating: 0x7b, count: 4 << 20) }
        harness.listener.sendTimeout = .milliseconds(300)
        // A peer that asks and never reads: 4 MiB cannot fit its socket buffer.
        let stuck = try UnixSocket.make()
        defer { stuck.close() }
        let connected = try UnixSocket.connect(stuck, to: harness.listener.path)
        #expect(connected == 0 || connected == EINPROGRESS || connected == EAGAIN)
        #expect(Array("status".utf8).withUnsafeBytes { send(stuck.rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == 6)
        _ = try runLoop(harness.loop, timeout: .milliseconds(100)) { false }
        // Meanwhile another peer gets its whole answer.
        #expect(try harness.exchange("status").count == 4 << 20)
        #expect(try runLoop(harness.loop, timeout: .seconds(5)) { harness.listener.stalledConnections == 1 })
        // Dropped: what it can still read ends before the whole answer, then the connection is closed.
        var received = 0
        var record = [UInt8](repeating: 0, count: ControlRecords.recordSize)
        while true {
            let count = record.withUnsafeMutableBytes { recv(stuck.rawValue, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count <= 0 { break }
            received += count
        }
        #expect(received < 4 << 20)
    }

    @Test func aSlowReaderThatKeepsTakingRecordsIsNotDropped() throws {
        let size = 1 << 20
        let harness = try Harness { _ in [UInt8](repeating: 0x7b, count: size) }
        // The socket turns writable only once most of its buffer is read (a quarter of SO_SNDBUF free), so the
        // listener moves on every few records: its gaps stay well under 1 s, the whole answer takes longer.
        harness.listener.sendTimeout = .seconds(1)
        let slow = try UnixSocket.make()
        defer { slow.close() }
        _ = try UnixSocket.connect(slow, to: harness.listener.path)
        #expect(Array("status".utf8).withUnsafeBytes { send(slow.rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == 6)
        // One record every 100 ms: 16 records take 1.6 s.
        var received = 0
        var record = [UInt8](repeating: 0, count: ControlRecords.recordSize + 1)
        let deadline = MonotonicInstant.now + .seconds(20)
        while received <= size && MonotonicInstant.now < deadline {
            _ = try runLoop(harness.loop, timeout: .milliseconds(100)) { false }
            let count = record.withUnsafeMutableBytes { recv(slow.rawValue, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count > 0 { received += count }
            if count >= 0 && count < ControlRecords.recordSize { break }
        }
        #expect(received == size && harness.listener.stalledConnections == 0, "received \(received) of \(size)")
    }
}
