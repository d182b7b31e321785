import CShim
import Glibc
import Logging
import Testing
@testable import Platform

/// The fields of one journald native-protocol datagram ("NAME=value\n", or "NAME\n" + 64-bit
/// little-endian length + value + "\n" for values holding a newline).
private func parseNativeDatagram(_ bytes: [UInt8]) -> [String: String]? {
    var fields: [String: String] = [:]
    var index = 0
    while index < bytes.count {
        guard let newline = bytes[index...].firstIndex(of: 10) else { return nil }
        let line = bytes[index..<newline]
        if let equals = line.firstIndex(of: 61) {
            fields[String(decoding: line[..<equals], as: UTF8.self)] =
                String(decoding: line[(equals + 1)...], as: UTF8.self)
            index = newline + 1
        } else {
            let lengthStart = newline + 1
            guard lengthStart + 8 <= bytes.count else { return nil }
            let length = bytes[lengthStart..<(lengthStart + 8)].reversed().reduce(0) { $0 << 8 | Int($1) }
            let valueStart = lengthStart + 8
            guard length >= 0, valueStart + length < bytes.count else { return nil }
            fields[String(decoding: line, as: UTF8.self)] =
                String(decoding: bytes[valueStart..<(valueStart + length)], as: UTF8.self)
            index = valueStart + length + 1
        }
    }
    return fields
}

/// In a child with its own mount namespace (a tmpfs over /run/systemd, invisible to the host),
/// a fake journald socket receives what `LoggingSetup.bootstrap` + a Logger send.
@Test(.enabled(if: runningAsRoot, "needs root: a private mount namespace hides the fake journald socket from the host"))
func bootstrappedLoggerDeliversStructuredEntriesToJournald() {
    let status = runInChild {
        guard tandem_private_tmpfs("/run/systemd") == 0 else { return 10 }
        guard mkdir("/run/systemd/journal", 0o755) == 0 else { return 11 }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0, (try? UnixSocket.withAddress(LoggingSetup.journaldSocketPath, { bind(fd, $0, $1) })) == 0
        else { return 12 }
        guard LoggingSetup.bootstrap(identifier: "vrrpd", console: false, detail: false) == [.journald] else { return 13 }

        var logger = Logger(label: "vrrp")
        logger[metadataKey: "vrrp_instance"] = "VI_1"
        logger.debug("not sent: below info")
        logger.notice("entering MASTER state", metadata: ["vrrp_state": "MASTER", "reason": "line 1\nline 2"])

        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, 2000) == 1 else { return 14 }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
        guard count > 0, let fields = parseNativeDatagram(Array(buffer[..<count])) else { return 15 }
        guard fields["MESSAGE"] == "entering MASTER state", fields["PRIORITY"] == "5",
              fields["SYSLOG_IDENTIFIER"] == "vrrpd" else { return 16 }
        guard fields["VRRP_INSTANCE"] == "VI_1", fields["VRRP_STATE"] == "MASTER" else { return 17 }
        guard fields["REASON"] == "line 1\nline 2" else { return 18 }
        // The debug line was filtered: nothing else is queued.
        guard recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT)) < 0 else { return 19 }
        return 0
    }
    #expect(status == 0, "child check \(status) failed")
}
