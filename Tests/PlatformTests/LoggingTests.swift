import Foundation
import Glibc
import Logging
import Testing
@testable import Platform

/// The text each iovec points at, as sd_journal_sendv would read it.
private func iovecContents(_ fields: [String]) -> [String] {
    JournalFields.withIOVecs(fields) { vectors in
        vectors.map { vector in
            let bytes = UnsafeRawBufferPointer(start: vector.iov_base, count: vector.iov_len)
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}

@Test func journalFieldsCarryMessagePriorityIdentifierAndMetadata() {
    let fields = JournalFields.render(
        identifier: "vrrpd", level: .notice, message: "entering MASTER state",
        metadata: ["vrrp_instance": "VI_1", "vrrp_state": "MASTER", "message_id": "5b8c0e0a7a4e4a50b1f2f0b5b1d0c001",
                   "virtual-server": "tcp 192.0.2.1:80", "real.server": "198.51.100.7:80", "check": "HTTP_GET"],
        file: "vrrpd/Instance.swift", function: "becomeMaster()", line: 42)
    #expect(fields == [
        "MESSAGE=entering MASTER state",
        "PRIORITY=5",
        "SYSLOG_IDENTIFIER=vrrpd",
        "CODE_FILE=vrrpd/Instance.swift",
        "CODE_LINE=42",
        "CODE_FUNC=becomeMaster()",
        "CHECK=HTTP_GET",
        "MESSAGE_ID=5b8c0e0a7a4e4a50b1f2f0b5b1d0c001",
        "REAL_SERVER=198.51.100.7:80",
        "VIRTUAL_SERVER=tcp 192.0.2.1:80",
        "VRRP_INSTANCE=VI_1",
        "VRRP_STATE=MASTER",
    ])
    #expect(iovecContents(fields) == fields, "each iovec holds exactly one NAME=value field")
}

@Test func iovecsKeepMultiLineAndNonASCIIValuesIntact() {
    let fields = ["MESSAGE=line one\nline two", "NOTE=prüfung ✓", "EMPTY="]
    #expect(iovecContents(fields) == fields)
    JournalFields.withIOVecs(fields) { vectors in
        #expect(vectors.map(\.iov_len) == fields.map(\.utf8.count))
    }
}

@Test(arguments: [
    ("vrrp_instance", "VRRP_INSTANCE"), ("Real-Server", "REAL_SERVER"), ("_private", "PRIVATE"),
    ("9lives", "F_9LIVES"), ("a.b c", "A_B_C"),
])
func metadataKeysBecomeJournalFieldNames(key: String, field: String) {
    #expect(JournalFields.fieldName(key) == field)
}

@Test func unusableKeysAndReservedNamesAreSkipped() {
    #expect(JournalFields.fieldName("___") == nil)
    let fields = JournalFields.render(identifier: "x", level: .info, message: "m",
                                      metadata: ["priority": "0", "message": "spoof", "ok": "1"],
                                      file: "f", function: "g", line: 1)
    #expect(fields.filter { $0.hasPrefix("PRIORITY=") } == ["PRIORITY=6"])
    #expect(fields.filter { $0.hasPrefix("MESSAGE=") } == ["MESSAGE=m"])
    #expect(fields.last == "OK=1")
}

@Test func priorityFollowsSyslogLevels() {
    let expected: [(Logger.Level, Int)] = [(.trace, 7), (.debug, 7), (.info, 6), (.notice, 5),
                                            (.warning, 4), (.error, 3), (.critical, 2)]
    for (level, priority) in expected { #expect(JournalFields.priority(level) == priority) }
}

@Test func eventMetadataOverridesHandlerMetadataAndCarriesTheError() {
    struct Boom: Error {}
    let provider = Logger.MetadataProvider { ["from_provider": "p", "vrrp_instance": "provider"] }
    let event = LogEvent(level: .error, message: "failed", error: Boom(), metadata: ["vrrp_instance": "VI_2"],
                         source: "s", file: "f", function: "g", line: 3)
    let fields = JournalFields.render(identifier: "vrrpd", event: event,
                                      handlerMetadata: ["vrrp_instance": "VI_1", "daemon": "vrrpd"], provider: provider)
    #expect(fields.contains("VRRP_INSTANCE=VI_2"))
    #expect(fields.contains("DAEMON=vrrpd"))
    #expect(fields.contains("FROM_PROVIDER=p"))
    #expect(fields.contains("ERROR=Boom()"))
    #expect(fields.contains("PRIORITY=3"))
}

@Test func consoleLineShowsMetadataAsKeyValue() {
    let line = ConsoleLogHandler.format(
        time: "12:00:01.250", identifier: "checkd", level: .warning, message: "real server down",
        metadata: ["real_server": "198.51.100.7:80", "check": "HTTP_GET", "reason": "status 503 from server",
                   "empty": ""])
    #expect(line == #"12:00:01.250 warning checkd: real server down check=HTTP_GET empty="" real_server=198.51.100.7:80 reason="status 503 from server""#)
}

@Test func consoleLineStaysOnOneLine() {
    let line = ConsoleLogHandler.format(time: "t", identifier: "x", level: .info, message: "a\nb",
                                        metadata: ["k": "say \"hi\"\nthere"])
    #expect(!line.contains("\n"))
    #expect(line == #"t info x: a\nb k="say \"hi\"\nthere""#)
}

@Test func destinationsFollowJournaldPresenceAndTheConsoleFlag() {
    #expect(LoggingSetup.destinations(console: false, journaldAvailable: true) == [.journald])
    #expect(LoggingSetup.destinations(console: true, journaldAvailable: true) == [.journald, .console])
    #expect(LoggingSetup.destinations(console: true, journaldAvailable: false) == [.console])
    #expect(LoggingSetup.destinations(console: false, journaldAvailable: false) == [.console],
            "with no journald the console is the only place left")
}

@Test func handlersHonourTheChosenLevel() {
    let detailed = LoggingSetup.makeHandler(identifier: "x", destinations: [.console], level: .debug)
    #expect(detailed.logLevel == .debug)
    #expect(detailed is ConsoleLogHandler)
    let both = LoggingSetup.makeHandler(identifier: "x", destinations: [.journald, .console], level: .info)
    #expect(both is MultiplexLogHandler)
    #expect(both.logLevel == .info)
    let journal = LoggingSetup.makeHandler(identifier: "x", destinations: [.journald], level: .info)
    #expect((journal as? JournaldLogHandler)?.identifier == "x")
}

/// Issue 16: logging must never hold a daemon's loop. A journal whose writes block (journald slow or restarting)
/// holds only the writer's thread; the caller queues and goes on, entries beyond the bound are counted, and one
/// entry says how many were lost once the journal takes entries again.
@Test func aBlockedJournalDoesNotBlockTheCaller() throws {
    final class Sink: @unchecked Sendable {
        let gate = DispatchSemaphore(value: 0)
        var lock = pthread_mutex_t()
        var written: [[String]] = []
        init() { pthread_mutex_init(&lock, nil) }
        func take(_ fields: [String]) {
            if fields.contains("MESSAGE=first") { gate.wait() }
            pthread_mutex_lock(&lock)
            written.append(fields)
            pthread_mutex_unlock(&lock)
        }
        var messages: [String] {
            pthread_mutex_lock(&lock)
            defer { pthread_mutex_unlock(&lock) }
            return written.compactMap { $0.first { $0.hasPrefix("MESSAGE=") } }
        }
    }
    let sink = Sink()
    let writer = JournalWriter(identifier: "test", capacity: 10) { sink.take($0) }
    let started = ContinuousClock.now
    writer.enqueue(["MESSAGE=first"])
    usleep(50_000)  // the writer is now inside the blocked write
    for index in 0..<100 { writer.enqueue(["MESSAGE=entry \(index)"]) }
    #expect(ContinuousClock.now - started < .seconds(1), "the caller never waited for the journal")
    #expect(writer.droppedEntries == 90)
    #expect(!writer.flush(timeout: .milliseconds(100)), "nothing drains while the journal blocks")
    sink.gate.signal()
    #expect(writer.flush(timeout: .seconds(5)))
    let messages = sink.messages
    #expect(messages.first == "MESSAGE=first")
    #expect(Array(messages.dropFirst().prefix(10)) == (0..<10).map { "MESSAGE=entry \($0)" }, "in order")
    #expect(messages.last == "MESSAGE=90 log entries were dropped: journald did not take them as fast as they came",
            "\(messages.suffix(2))")
}

/// The writer's thread must never be the one the kernel picks for a signal the loop takes through its signalfd:
/// it starts before the loop blocks them, and SIGHUP's default action would end the daemon (seen in the lab).
@Test func theJournalWritersThreadBlocksEverySignal() throws {
    final class Seen: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var blocked: [Int32: Bool] = [:]
    }
    let seen = Seen()
    // This thread's own mask is left open on purpose: the writer's must not follow it.
    var open = sigset_t()
    sigemptyset(&open)
    var previous = sigset_t()
    pthread_sigmask(SIG_SETMASK, &open, &previous)
    defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
    let writer = JournalWriter(identifier: "test") { _ in
        var mask = sigset_t()
        pthread_sigmask(SIG_BLOCK, nil, &mask)
        for signal in [SIGHUP, SIGTERM, SIGINT, SIGUSR2] { seen.blocked[signal] = sigismember(&mask, signal) == 1 }
        seen.done.signal()
    }
    writer.enqueue(["MESSAGE=x"])
    #expect(seen.done.wait(timeout: .now() + 5) == .success)
    #expect(seen.blocked == [SIGHUP: true, SIGTERM: true, SIGINT: true, SIGUSR2: true])
    var now = sigset_t()
    pthread_sigmask(SIG_BLOCK, nil, &now)
    #expect(sigismember(&now, SIGHUP) == 0, "the caller's mask is as it was")
}
