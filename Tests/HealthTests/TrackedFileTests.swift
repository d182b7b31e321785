import Foundation
import KeepalivedConfig
import Logging
import Platform
import Testing
import TestSupport
import Wire
@testable import Health
import Vocabulary

/// FILE_CHECK: keepalived's reading of the number (process_track_file: strtol base 0) and what it makes of a
/// real server (update_track_file_status), then the scheduler and the monitor that follows real files.
@Suite struct TrackedFileValueTests {
    @Test(arguments: [("0", 0), ("  12\n", 12), ("-3", -3), ("0x1f", 31), ("010", 8), ("7 apples", 7),
                      ("apples", 0), ("", 0), ("2147483648", 2_147_483_648), ("-2147483648", -2_147_483_648)] as [(String, Int64)])
    func numbersReadAsStrtolReadsThem(text: String, value: Int64) {
        #expect(TrackedFileValue.parse(Array(text.utf8)) == value)
    }

    @Test func numbersBeyondThirtyTwoBitsAreIgnored() {
        #expect(TrackedFileValue.parse(Array("2147483649".utf8)) == nil)
        #expect(TrackedFileValue.parse(Array("-2147483649".utf8)) == nil)
        #expect(TrackedFileValue.parse(Array("99999999999999999999999".utf8)) == nil)
    }

    @Test func onlyTheFirst127BytesCount() {
        let text = String(repeating: " ", count: 126) + "45"
        #expect(TrackedFileValue.parse(Array(text.utf8)) == 4)
    }

    @Test func verdicts() {
        // Weight 0: the value is a switch.
        #expect(TrackedFileValue.verdict(value: 0, weight: 0, reverse: false) == (true, 0))
        #expect(TrackedFileValue.verdict(value: 3, weight: 0, reverse: false) == (false, 0))
        #expect(TrackedFileValue.verdict(value: 0, weight: 0, reverse: true) == (false, 0))
        #expect(TrackedFileValue.verdict(value: -1, weight: 0, reverse: true) == (true, 0))
        // Otherwise value × weight moves the weight, negated under reverse; the bottom of int32 is down.
        #expect(TrackedFileValue.verdict(value: 2, weight: 5, reverse: false) == (true, 10))
        #expect(TrackedFileValue.verdict(value: 2, weight: 5, reverse: true) == (true, -10))
        #expect(TrackedFileValue.verdict(value: -2_147_483_648, weight: 1, reverse: false) == (false, 0))
        #expect(TrackedFileValue.verdict(value: 100_000, weight: -100_000, reverse: false) == (false, 0))
        #expect(TrackedFileValue.verdict(value: 100_000, weight: 100_000, reverse: false) == (true, Int(Int32.max)))
    }
}

private let config = """
track_file drain {
    file /run/tandem-test/drain
    weight 0
}
track_file boost {
    file /run/tandem-test/boost
    weight 2
}
virtual_server 192.0.2.1 80 {
    protocol TCP
    real_server 198.51.100.1 80 {
        weight 10
        alpha
        FILE_CHECK {
            track_file drain
        }
        FILE_CHECK {
            track_file boost
        }
    }
}
"""
private let rs1 = rsID("192.0.2.1", 80, "198.51.100.1", 80)

@Suite struct TrackedFileSchedulerTests {
    @Test func theFilesSetTheVerdictAndTheWeight() throws {
        let clock = TestClock()
        var scheduler = HealthScheduler(configuration: try parseConfig(config), now: clock.now, random: { 0 })
        #expect(scheduler.trackedFilePaths == ["/run/tandem-test/boost", "/run/tandem-test/drain"])
        #expect(scheduler.nextDeadline() == nil, "a FILE_CHECK is never due")
        #expect(scheduler.trackedFileChanged("/run/tandem-test/drain", value: 0, now: clock.now).isEmpty,
                "no verdict until every checker has one")
        #expect(scheduler.trackedFileChanged("/run/tandem-test/boost", value: 3, now: clock.now)
                == [.realServerHealth(RealServerHealth(id: rs1, up: true, weight: 16)), .realServerTransition(rs1, up: true)],
                "alpha does not hold a FILE_CHECK down; weight 10 + 3 × 2")
        #expect(scheduler.trackedFileChanged("/run/tandem-test/boost", value: 3, now: clock.now).isEmpty)
        #expect(scheduler.trackedFileChanged("/run/tandem-test/drain", value: 1, now: clock.now)
                == [.realServerHealth(RealServerHealth(id: rs1, up: false, weight: 16)), .realServerTransition(rs1, up: false)])
        #expect(scheduler.trackedFileChanged("/run/tandem-test/boost", value: -5, now: clock.now)
                == [.realServerHealth(RealServerHealth(id: rs1, up: false, weight: 0))])
        #expect(scheduler.trackedFileChanged("/run/tandem-test/drain", value: 0, now: clock.now)
                == [.realServerHealth(RealServerHealth(id: rs1, up: true, weight: 0)), .realServerTransition(rs1, up: true)])
    }
}

/// The monitor follows real files: written in place, replaced by a rename, deleted.
@Suite(.serialized) struct TrackedFileMonitorTests {
    @Test func changesToTheFileReachIPVSD() throws {
        let directory = try TemporaryDirectory()
        let path = directory.url.appendingPathComponent("state").path
        try "0\n".write(toFile: path, atomically: false, encoding: .utf8)
        let loop = try EventLoop()
        let events = EventBox()
        let monitor = HealthMonitor(configuration: try parseConfig("""
            track_file state {
                file \(path)
                weight 0
            }
            virtual_server 192.0.2.1 80 {
                protocol TCP
                real_server 198.51.100.1 80 {
                    FILE_CHECK {
                        track_file state
                    }
                }
            }
            """), loop: loop, logger: Logger(label: "test.file"), random: { 0 }) { events.all += $0 }
        defer { monitor.shutdown() }
        monitor.start()
        func lastUp() -> Bool? {
            events.all.compactMap { if case .realServerHealth(let health) = $0 { health.up } else { nil } }.last
        }
        #expect(lastUp() == true, "the file is read at start")
        try "1\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(try runLoop(loop, timeout: .seconds(5)) { lastUp() == false }, "written in place")
        try "0\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try runLoop(loop, timeout: .seconds(5)) { lastUp() == true }, "replaced by a rename")
        try "2\n".write(toFile: path, atomically: false, encoding: .utf8)
        #expect(try runLoop(loop, timeout: .seconds(5)) { lastUp() == false })
        try FileManager.default.removeItem(atPath: path)
        #expect(try runLoop(loop, timeout: .seconds(5)) { lastUp() == true }, "a deleted file reads as 0")
    }

    @Test func initFileWritesAMissingFileOnly() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.url.appendingPathComponent("missing").path
        let present = directory.url.appendingPathComponent("present").path
        let overwritten = directory.url.appendingPathComponent("overwritten").path
        try "5\n".write(toFile: present, atomically: false, encoding: .utf8)
        try "5\n".write(toFile: overwritten, atomically: false, encoding: .utf8)
        var files = [TrackFile(name: "m", location: ConfigLocation(file: "t", line: 1, column: 1)),
                     TrackFile(name: "p", location: ConfigLocation(file: "t", line: 1, column: 1)),
                     TrackFile(name: "o", location: ConfigLocation(file: "t", line: 1, column: 1))]
        for (index, path) in [missing, present, overwritten].enumerated() {
            files[index].path = path
            files[index].initialValue = -3
        }
        files[2].overwrite = true
        TrackedFileWatch.initialise(files, logger: Logger(label: "test.file"))
        #expect(try String(contentsOfFile: missing, encoding: .utf8) == "-3\n")
        #expect(try String(contentsOfFile: present, encoding: .utf8) == "5\n")
        #expect(try String(contentsOfFile: overwritten, encoding: .utf8) == "-3\n")
    }
}

private final class EventBox { var all: [HealthEvent] = [] }
