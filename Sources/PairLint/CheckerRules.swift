import KeepalivedConfig
import Vocabulary

/// The health checks of one real server on both nodes: the same checks of the same things, so the real server
/// is up or down whichever node is master. Checkers are compared in the order they are written.
enum CheckerRules {
    typealias Side = (server: VirtualServer, real: RealServer)

    static func check(_ pair: inout NodePair, _ subject: String, _ a: Side, _ b: Side) {
        let checksA = a.real.checks
        let checksB = b.real.checks
        if checksA.map(\.name) != checksB.map(\.name) {
            pair.report(.error, .checkerMismatch, subject,
                        "\(subject) is checked by \(names(checksA)) here but by \(names(checksB)) on the other node: it can be up on one node and down on the other",
                        at: checksA.first?.location ?? a.real.location, other: checksB.first?.location ?? b.real.location)
            return
        }
        for (checkA, checkB) in zip(checksA, checksB) {
            for difference in differences(checkA, a.real, checkB, b.real) {
                pair.report(.error, .checkerMismatch, subject,
                            "\(subject): its \(checkA.name) \(difference.text) on the other node, so it can be up on one node and down on the other",
                            at: pair.a.line(difference.keyword, in: checkA.location),
                            other: pair.b.line(difference.keyword, in: checkB.location))
            }
            compareTiming(&pair, subject, (a.server, a.real, checkA), (b.server, b.real, checkB))
        }
    }

    struct Difference {
        let keyword: String
        let text: String
    }

    /// What the check probes and what it accepts.
    private static func differences(_ a: HealthCheck, _ realA: RealServer,
                                    _ b: HealthCheck, _ realB: RealServer) -> [Difference] {
        var result: [Difference] = []
        func compare<T: Equatable>(_ keyword: String, _ x: T, _ y: T, _ show: (T) -> String) {
            if x != y { result.append(Difference(keyword: keyword, text: "has \(keyword) \(show(x)) here but \(show(y))")) }
        }
        // Without connect_port a check probes the real server's own port.
        compare("connect_port", a.connectPort ?? realA.port, b.connectPort ?? realB.port) { text($0) }
        compare("connect_ip", a.connectIP ?? realA.address, b.connectIP ?? realB.address) { "\($0)" }
        compare("bindto", a.bindTo, b.bindTo) { text($0) }
        compare("bind_port", a.bindPort, b.bindPort) { text($0) }
        compare("virtualhost", a.virtualHost, b.virtualHost) { text($0) }
        compare("verify_cert", a.verifyCertificate, b.verifyCertificate) { $0 ? "on" : "off" }
        switch (a.kind, b.kind) {
        case (.http(let urlsA), .http(let urlsB)), (.ssl(let urlsA), .ssl(let urlsB)):
            if urlsA.map(URLShape.init) != urlsB.map(URLShape.init) {
                result.append(Difference(keyword: "url", text: "has url \(urls(urlsA)) here but \(urls(urlsB))"))
            }
        case (.misc(let commandA, let timeoutA, let dynamicA), .misc(let commandB, let timeoutB, let dynamicB)):
            compare("misc_path", commandA?.text, commandB?.text) { text($0) }
            compare("misc_timeout", timeoutA, timeoutB) { $0.map(seconds) ?? "default" }
            compare("misc_dynamic", dynamicA, dynamicB) { $0 ? "on" : "off" }
        case (.udp(let udpA), .udp(let udpB)):
            compare("payload", udpA.payload, udpB.payload) { $0.map(hex) ?? "default" }
            compare("require_reply", udpA.reply, udpB.reply) { reply in
                guard reply.requireReply else { return "off" }
                guard let data = reply.data else { return "(any reply)" }
                return "\(hex(data)) (\(reply.minimumLength)–\(reply.maximumLength) octets)"
            }
        case (.dns(let dnsA), .dns(let dnsB)):
            compare("type", dnsA.type, dnsB.type) { "\($0)" }
            compare("name", dnsA.name, dnsB.name) { $0 }
        case (.smtp(let smtpA), .smtp(let smtpB)):
            compare("helo_name", smtpA.heloName, smtpB.heloName) { $0 }
        case (.file(let fileA), .file(let fileB)):
            compare("track_file", fileA.path, fileB.path) { text($0) }
            compare("weight", fileA.weight, fileB.weight) { text($0) }
            compare("reverse", fileA.reverse, fileB.reverse) { $0 ? "on" : "off" }
        default:
            break
        }
        return result
    }

    /// Timings differ in when a verdict comes, not in what it is: a warning.
    private static func compareTiming(_ pair: inout NodePair, _ subject: String,
                                      _ a: (VirtualServer, RealServer, HealthCheck),
                                      _ b: (VirtualServer, RealServer, HealthCheck)) {
        let timingA = a.2.timing.over(a.1.timing.over(a.0.timing))
        let timingB = b.2.timing.over(b.1.timing.over(b.0.timing))
        let fields: [(String, (CheckTiming) -> String)] = [
            ("delay_loop", { $0.delayLoop.map(seconds) ?? "default" }),
            ("connect_timeout", { $0.connectTimeout.map(seconds) ?? "default" }),
            ("retry", { $0.retry.map(String.init) ?? "default" }),
            ("delay_before_retry", { $0.delayBeforeRetry.map(seconds) ?? "default" }),
            ("warmup", { $0.warmup.map(seconds) ?? "default" }),
        ]
        for (keyword, value) in fields where value(timingA) != value(timingB) {
            pair.report(.warning, .checkerTimingMismatch, subject,
                        "\(subject): its \(a.2.name) has \(keyword) \(value(timingA)) here but \(value(timingB)) on the other node: a failure is noticed after a different time depending on the master",
                        at: timingLine(pair.a, keyword, a), other: timingLine(pair.b, keyword, b))
        }
    }

    /// Where the timing in force is written: the innermost level that sets it.
    private static func timingLine(_ node: LintNode, _ keyword: String,
                                   _ side: (VirtualServer, RealServer, HealthCheck)) -> ConfigLocation {
        let aliases = keyword == "retry" ? ["retry", "nb_get_retry"] : [keyword]
        for block in [side.2.location, side.1.location, side.0.location] {
            for alias in aliases {
                if let location = node.statements.location(of: alias, inBlockAt: block) { return location }
            }
        }
        return side.2.location
    }

    private struct URLShape: Equatable {
        let path: String
        let statusCodes: [ClosedRange<Int>]
        let digest: String?
        let virtualHost: String?

        init(_ url: HTTPCheckURL) {
            path = url.path
            statusCodes = url.statusCodes
            digest = url.digest
            virtualHost = url.virtualHost
        }
    }

    private static func urls(_ urls: [HTTPCheckURL]) -> String {
        urls.map { url in
            var words = ["path \(url.path)"]
            if !url.statusCodes.isEmpty {
                words.append("status_code " + url.statusCodes.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: " "))
            }
            if let digest = url.digest { words.append("digest \(digest)") }
            if let host = url.virtualHost { words.append("virtualhost \(host)") }
            return "{ " + words.joined(separator: "; ") + " }"
        }.joined(separator: ", ")
    }

    private static func names(_ checks: [HealthCheck]) -> String {
        checks.isEmpty ? "no checker" : checks.map(\.name).joined(separator: ", ")
    }

    private static func text<T>(_ value: T?) -> String { value.map { "\($0)" } ?? "none" }
    private static func hex(_ bytes: [UInt8]) -> String { bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }
}
