import Glibc
import Testing
@testable import Platform
import Vocabulary
import TestSupport

/// Receives one datagram from `fd` as text, waiting at most a second.
private func receiveText(_ fd: Int32) -> String? {
    var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&entry, 1, 1000) == 1 else { return nil }
    var buffer = [UInt8](repeating: 0, count: 4096)
    let count = recv(fd, &buffer, buffer.count, 0)
    return count >= 0 ? String(decoding: buffer[..<count], as: UTF8.self) : nil
}

@Test func payloadJoinsLinesAndFlattensNewlines() {
    #expect(SystemdNotifier.payload(["READY=1", "STATUS=two\nlines"]) == "READY=1\nSTATUS=two lines")
}

/// The environment is process-wide, so this runs in a child: NOTIFY_SOCKET and WATCHDOG_USEC
/// never leak into other tests. Each failed check exits with its own code.
@Test func notificationsReachTheNotifySocket() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path + "/notify"
    let status = runInChild {
        let notifier = SystemdNotifier()
        unsetenv("NOTIFY_SOCKET")
        if notifier.isEnabled { return 10 }
        notifier.ready(status: "not sent")  // no socket: must do nothing, and not crash

        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0, (try? UnixSocket.withAddress(path, { bind(fd, $0, $1) })) == 0 else { return 11 }
        setenv("NOTIFY_SOCKET", path, 1)
        if !notifier.isEnabled { return 12 }

        notifier.ready(status: "serving 2 instances")
        if receiveText(fd) != "READY=1\nSTATUS=serving 2 instances" { return 13 }
        let before = MonotonicInstant.now.microseconds
        notifier.reloading()
        guard let reload = receiveText(fd), reload.hasPrefix("RELOADING=1\nMONOTONIC_USEC="),
              let usec = UInt64(reload.dropFirst("RELOADING=1\nMONOTONIC_USEC=".count)),
              usec >= before, usec <= MonotonicInstant.now.microseconds else { return 14 }
        notifier.stopping()
        if receiveText(fd) != "STOPPING=1" { return 15 }
        notifier.watchdog()
        if receiveText(fd) != "WATCHDOG=1" { return 16 }
        notifier.status("backup")
        if receiveText(fd) != "STATUS=backup" { return 17 }

        unsetenv("WATCHDOG_USEC")
        if notifier.watchdogInterval != nil { return 18 }
        setenv("WATCHDOG_USEC", "2500000", 1)
        if notifier.watchdogInterval != .milliseconds(2500) { return 19 }
        setenv("WATCHDOG_PID", "1", 1)  // meant for another process
        if notifier.watchdogInterval != nil { return 20 }
        return 0
    }
    #expect(status == 0, "child check \(status) failed (see the codes in the test)")
}

@Test func watchdogPingsFollowTheLoop() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path + "/notify"
    let status = runInChild {
        guard let loop = try? EventLoop() else { return 10 }
        let notifier = SystemdNotifier()
        unsetenv("WATCHDOG_PID")
        unsetenv("NOTIFY_SOCKET")
        setenv("WATCHDOG_USEC", "100000", 1)
        if notifier.attachWatchdog(to: loop) { return 11 }  // no NOTIFY_SOCKET: nothing to ping
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0, (try? UnixSocket.withAddress(path, { bind(fd, $0, $1) })) == 0 else { return 12 }
        setenv("NOTIFY_SOCKET", path, 1)
        guard notifier.attachWatchdog(to: loop) else { return 13 }
        // 100 ms interval → a ping every 50 ms: one at once, then about four in 220 ms (3 on a busy machine).
        guard (try? runLoop(loop, timeout: .milliseconds(220), until: { false })) != nil else { return 14 }
        var pings = 0
        var buffer = [UInt8](repeating: 0, count: 64)
        while recv(fd, &buffer, buffer.count, 0) > 0 {
            guard String(decoding: buffer.prefix(10), as: UTF8.self) == "WATCHDOG=1" else { return 15 }
            pings += 1
        }
        guard (3...6).contains(pings) else { return 16 }
        // A loop that does not turn sends nothing.
        usleep(150_000)
        guard recv(fd, &buffer, buffer.count, 0) < 0 else { return 17 }
        return 0
    }
    #expect(status == 0, "child check \(status) failed")
}

@Test func longWorkExtendsTimeoutsAndFeedsTheWatchdogOnlyWhileItAdvances() throws {
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    let path = dir.path + "/notify"
    let status = runInChild {
        unsetenv("WATCHDOG_PID")
        setenv("WATCHDOG_USEC", "200000", 1)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0, (try? UnixSocket.withAddress(path, { bind(fd, $0, $1) })) == 0 else { return 10 }
        setenv("NOTIFY_SOCKET", path, 1)
        let progress = SystemdProgress(notifier: SystemdNotifier())
        func advance(for milliseconds: Int) {
            let end = ContinuousClock.now + .milliseconds(milliseconds)
            while ContinuousClock.now < end { progress.advanced(); usleep(1000) }
        }
        func received() -> [String] {
            var out: [String] = []
            var buffer = [UInt8](repeating: 0, count: 256)
            while true {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n <= 0 { return out }
                out.append(String(decoding: buffer[..<n], as: UTF8.self))
            }
        }
        // 200 ms watchdog → at most one report per 50 ms. Starting: the start timeout extended by 30 s (the
        // floor), no WATCHDOG=1, which would arm the watchdog before the daemon is ready.
        let extend = "EXTEND_TIMEOUT_USEC=30000000"
        advance(for: 230)
        let starting = received()
        guard (3...5).contains(starting.count), starting.allSatisfy({ $0 == extend }) else { return 11 }
        progress.phase = .reloading
        advance(for: 120)
        let reloading = received()
        guard (1...3).contains(reloading.count),
              reloading.allSatisfy({ $0 == "WATCHDOG=1\n" + extend }) else { return 12 }
        progress.phase = .running
        advance(for: 120)
        let running = received()
        guard (1...3).contains(running.count), running.allSatisfy({ $0 == "WATCHDOG=1" }) else { return 13 }
        // Work that stops advancing reports nothing.
        usleep(150_000)
        guard received().isEmpty else { return 14 }
        progress.phase = .stopping
        advance(for: 60)   // the first step after a pause reports at once
        let stopping = received()
        guard (1...2).contains(stopping.count), stopping.allSatisfy({ $0 == extend }) else { return 15 }
        return 0
    }
    #expect(status == 0, "child check \(status) failed (see the codes in the test)")
}
