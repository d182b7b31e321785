import Foundation
import Testing
@testable import KeepalivedConfig

/// UDP_CHECK, DNS_CHECK, SMTP_CHECK and PING_CHECK as keepalived 2.2.7 reads them (check_udp.c, check_dns.c,
/// check_smtp.c, check_ping.c): their own keywords, keepalived's defaults, and what keepalived reports and
/// runs on without (a warning here that says what the check does instead).
@Suite struct CheckerSettingsConfigTests {
    private func checks(_ body: String, port: Int = 53) -> (checks: [HealthCheck], result: ConfigLoadResult) {
        let text = "virtual_server 192.0.2.1 \(port) {\n    protocol UDP\n    real_server 198.51.100.1 \(port) {\n\(body)    }\n}\n"
        let result = Fixtures.parse(text)
        return (result.configuration?.virtualServers.first?.realServers.first?.checks ?? [], result)
    }

    @Test func udpCheckDefaults() throws {
        let (checks, result) = checks("        UDP_CHECK {\n        }\n")
        #expect(result.errors.isEmpty && result.warnings.isEmpty, "\(result.printed)")
        guard case .udp(let settings) = try #require(checks.first).kind else { Issue.record("not UDP_CHECK"); return }
        #expect(settings.payload == nil)
        #expect(settings.datagram == Array("keepalived check - keepalived c".utf8) + [UInt8(ascii: "h")],
                "keepalived's 32 octets of filler")
        #expect(!settings.reply.requireReply)
        #expect(settings.reply.minimumLength == 0 && settings.reply.maximumLength == 255)
    }

    @Test func udpCheckPayloadAndReply() throws {
        let body = "        UDP_CHECK {\n            payload de ad be ef\n            require_reply 0102xx\n            min_reply_length 3\n            max_reply_length 600\n        }\n"
        let (checks, result) = checks(body)
        #expect(result.errors.isEmpty, "\(result.printed)")
        guard case .udp(let settings) = try #require(checks.first).kind else { Issue.record("not UDP_CHECK"); return }
        #expect(settings.payload == [0xde, 0xad, 0xbe, 0xef])
        #expect(settings.reply.requireReply)
        #expect(settings.reply.data == [0x01, 0x02, 0x00])
        #expect(settings.reply.mask == [0x00, 0x00, 0xff])
        #expect(settings.reply.minimumLength == 3 && settings.reply.maximumLength == 600)
    }

    @Test func udpRequireReplyAloneWantsAnyReply() throws {
        let (checks, _) = checks("        UDP_CHECK {\n            require_reply\n        }\n")
        guard case .udp(let settings) = try #require(checks.first).kind else { Issue.record("not UDP_CHECK"); return }
        #expect(settings.reply.requireReply && settings.reply.data == nil)
    }

    @Test func udpBadHexAndLengthsAreReported() {
        let (_, bad) = checks("        UDP_CHECK {\n            payload zz\n        }\n")
        #expect(bad.has(.error, at: 5, 21, containing: "not a hex string"), "\(bad.printed)")
        let (_, long) = checks("        UDP_CHECK {\n            max_reply_length 65536\n        }\n")
        #expect(long.has(.error, at: 5, 30, containing: "outside 0–65535"), "\(long.printed)")
        let (_, never) = checks("        UDP_CHECK {\n            min_reply_length 10\n            max_reply_length 5\n        }\n")
        #expect(never.has(.warning, at: 4, 9, containing: "a reply never passes"), "\(never.printed)")
        #expect(never.configuration != nil, "keepalived runs it (and it always fails)")
    }

    @Test func dnsCheckDefaultsAndValues() throws {
        let (defaults, result) = checks("        DNS_CHECK {\n        }\n")
        #expect(result.errors.isEmpty && result.warnings.isEmpty, "\(result.printed)")
        guard case .dns(let settings) = try #require(defaults.first).kind else { Issue.record("not DNS_CHECK"); return }
        #expect(settings.type == 6 && settings.name == ".", "SOA of the root")
        let (given, _) = checks("        DNS_CHECK {\n            type aaaa\n            name www.example.com\n        }\n")
        guard case .dns(let chosen) = try #require(given.first).kind else { Issue.record("not DNS_CHECK"); return }
        #expect(chosen.type == 28, "type names are case-insensitive, as keepalived's strcasecmp")
        #expect(chosen.name == "www.example.com")
    }

    @Test func dnsBadValuesWarnAndKeepKeepalivedsChoice() throws {
        let body = "        DNS_CHECK {\n            type SRV\n            name bad..name\n            name first.example\n            name second.example\n        }\n"
        let (checks, result) = checks(body)
        #expect(result.has(.warning, at: 5, 18, containing: "the check asks for type 6"), "\(result.printed)")
        #expect(result.has(.warning, at: 6, 18, containing: "empty label"), "\(result.printed)")
        #expect(result.has(.warning, at: 8, 13, containing: "the first, as keepalived does"), "\(result.printed)")
        guard case .dns(let settings) = try #require(checks.first).kind else { Issue.record("not DNS_CHECK"); return }
        #expect(settings.type == 6)
        #expect(settings.name == "first.example")
    }

    @Test func smtpCheckHeloName() throws {
        let (defaults, _) = checks("        SMTP_CHECK {\n        }\n", port: 25)
        guard case .smtp(let settings) = try #require(defaults.first).kind else { Issue.record("not SMTP_CHECK"); return }
        #expect(settings.heloName == "smtpchecker.keepalived.org")
        let (named, _) = checks("        SMTP_CHECK {\n            helo_name lb01.example.com\n        }\n", port: 25)
        guard case .smtp(let chosen) = try #require(named.first).kind else { Issue.record("not SMTP_CHECK"); return }
        #expect(chosen.heloName == "lb01.example.com")
    }

    /// keepalived's deprecated host blocks: one checker per host; the block's own connection is a checker only
    /// when one of its connection keywords is set; a host's connect_timeout is its own (else the real server's).
    @Test func smtpHostBlocksAreOneCheckerEach() throws {
        let body = """
                    SMTP_CHECK {
                        helo_name mx.example
                        retry 4
                        host {
                            connect_ip 198.51.100.7
                            connect_port 2525
                            connect_timeout 2
                        }
                        host {
                            connect_ip 198.51.100.8
                            delay_before_retry 7
                        }
                    }

            """
        let (checks, result) = checks(body, port: 25)
        #expect(result.errors.isEmpty, "\(result.printed)")
        #expect(result.has(.warning, at: 7, 13, containing: "each host is checked as its own SMTP_CHECK"), "\(result.printed)")
        #expect(checks.count == 2, "the block itself sets no connection keyword, so it is not a checker")
        #expect(checks.map(\.connectIP?.description) == ["198.51.100.7", "198.51.100.8"])
        #expect(checks.map(\.connectPort) == [2525, nil])
        #expect(checks.map(\.timing.connectTimeout) == [.seconds(2), nil])
        #expect(checks.allSatisfy { $0.timing.retry == 4 && $0.timing.delayBeforeRetry == .seconds(7) },
                "a host's timing keywords set the whole block's, as in keepalived")
        #expect(checks.allSatisfy { if case .smtp(let s) = $0.kind { return s.heloName == "mx.example" }; return false })

        let withOwn = "        SMTP_CHECK {\n            connect_port 587\n            host {\n                connect_ip 198.51.100.9\n            }\n        }\n"
        let (both, _) = self.checks(withOwn, port: 25)
        #expect(both.map(\.connectIP?.description) == [nil, "198.51.100.9"], "the block's own connection is checked too")
        #expect(both.map(\.connectPort) == [587, nil])
    }

    @Test func pingCheckTakesTheCommonKeywords() throws {
        let (checks, result) = checks("        PING_CHECK {\n            connect_ip 198.51.100.20\n            retry 2\n        }\n")
        #expect(result.errors.isEmpty && result.warnings.isEmpty, "\(result.printed)")
        let check = try #require(checks.first)
        #expect(check.kind == .ping && check.name == "PING_CHECK")
        #expect(check.connectIP?.description == "198.51.100.20" && check.timing.retry == 2)
    }

    @Test(arguments: ["UDP_CHECK", "DNS_CHECK", "SMTP_CHECK", "PING_CHECK"])
    func unrunKeywordsAreWarnedOrRefused(_ name: String) {
        let (read, warned) = checks("        \(name) {\n            log_all_failures\n            bind_if eth0\n        }\n")
        #expect(read.first?.logAllFailures == true, "log_all_failures is implemented (LogAllFailuresTests)")
        #expect(!warned.has(.warning, at: 5, 13, containing: "log_all_failures"), "\(warned.printed)")
        #expect(warned.has(.warning, at: 6, 13, containing: "bind_if"), "\(warned.printed)")
        let (_, refused) = checks("        \(name) {\n            alpha\n        }\n")
        #expect(refused.has(.error, at: 5, 13, containing: "alpha is refused"), "\(refused.printed)")
    }

    /// keepalived itself accepts the file these tests read from (`keepalived -t`).
    @Test func keepalivedAcceptsTheCheckers() throws {
        if let reason = Keepalived.unavailable {
            print("skipped: \(reason)")
            return
        }
        let text = """
            virtual_server 192.0.2.1 53 {
                protocol UDP
                lb_algo rr
                lb_kind NAT
                real_server 198.51.100.1 53 {
                    UDP_CHECK {
                        payload de ad be ef
                        require_reply 0102xx
                        min_reply_length 3
                        max_reply_length 600
                    }
                    DNS_CHECK {
                        type aaaa
                        name www.example.com
                    }
                    PING_CHECK {
                        retry 2
                    }
                    SMTP_CHECK {
                        helo_name mx.example
                        host {
                            connect_ip 198.51.100.7
                            connect_port 2525
                        }
                    }
                }
            }

            """
        let result = Fixtures.parse(text)
        #expect(result.errors.isEmpty, "\(result.printed)")
        #expect(result.configuration?.virtualServers.first?.realServers.first?.checks.map(\.name)
                == ["UDP_CHECK", "DNS_CHECK", "PING_CHECK", "SMTP_CHECK"])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("checkers-\(getpid()).conf")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, output) = try Keepalived.run(["-t", "-l", "-f", file.path], timeout: .seconds(20))
        #expect(status == 0, "keepalived -t:\n\(output)")
    }
}
