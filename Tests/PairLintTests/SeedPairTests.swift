import Foundation
import KeepalivedConfig
import PairLint
import Testing

/// The mistakes seed 000's two nodes made, each found where it is on both nodes; and every corrected pair in
/// Configs/ clean.
@Suite struct SeedPairTests {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = testsDirectory.appendingPathComponent("Fixtures")
    static let configs = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Configs")

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    static func lint(_ paths: [String]) throws -> [LintFinding] {
        let nodes = try paths.map { path in
            guard case .loaded(let node) = LintNode.load(path: path) else {
                throw LintTestError("\(path) does not read")
            }
            return node
        }
        return PairLint.lint(nodes)
    }

    /// A finding as the table below writes it: code, severity, "file:line:column" here and on the other side.
    struct Expected: CustomStringConvertible, Equatable {
        let code: LintCode
        let severity: DiagnosticSeverity
        let here: String
        let other: String?

        init(_ code: LintCode, _ severity: DiagnosticSeverity, _ here: String, _ other: String?) {
            self.code = code
            self.severity = severity
            self.here = here
            self.other = other
        }

        init(_ finding: LintFinding) {
            func short(_ location: ConfigLocation) -> String {
                "\(URL(fileURLWithPath: location.file).lastPathComponent):\(location.line):\(location.column)"
            }
            self.init(finding.code, finding.severity, short(finding.location), finding.other?.location.map(short))
        }

        var description: String { "\(code.rawValue) \(severity) \(here) ↔ \(other ?? "-")" }
    }

    @Test func seed000DirectRoutingPair() throws {
        // §3: lb02 is lb01 copied: MASTER, priority 100 and lb01's unicast_src_ip on both.
        let findings = try Self.lint([Self.fixture("000-dr-lb01.conf"), Self.fixture("000-dr-lb02.conf")])
        #expect(findings.map(Expected.init) == [
            Expected(.priorityTie, .error, "000-dr-lb01.conf:5:5", "000-dr-lb02.conf:5:5"),
            Expected(.unicastPeerMissing, .error, "000-dr-lb01.conf:15:5", "000-dr-lb02.conf:16:5"),
            Expected(.unicastSourceSame, .error, "000-dr-lb01.conf:15:5", "000-dr-lb02.conf:15:5"),
            // DR forwarding .94:81 and .94:82 to port 80, which the kernel cannot do: the reader's own warning.
            Expected(.configWarning, .warning, "000-dr-lb01.conf:57:5", nil),
            Expected(.configWarning, .warning, "000-dr-lb01.conf:75:5", nil),
            Expected(.unicastPeerMissing, .error, "000-dr-lb02.conf:15:5", "000-dr-lb01.conf:16:5"),
            Expected(.configWarning, .warning, "000-dr-lb02.conf:57:5", nil),
            Expected(.configWarning, .warning, "000-dr-lb02.conf:75:5", nil),
        ], "\(findings.printed)")
        #expect(findings[0].message.contains("state MASTER with priority 100 on both nodes"))
        #expect(findings[2].message.contains("10.18.14.54"))
    }

    @Test func seed000NATPair() throws {
        // §4: LAN_GW MASTER 100 on both and synced with nothing; lb02 has DR for two services; lb01 checks
        // 192.168.11.124:82 on port 80.
        let findings = try Self.lint([Self.fixture("000-nat-lb01.conf"), Self.fixture("000-nat-lb02.conf")])
        #expect(findings.map(Expected.init) == [
            Expected(.gatewayNotSynced, .error, "000-nat-lb01.conf:20:1", "000-nat-lb02.conf:20:1"),
            Expected(.priorityTie, .error, "000-nat-lb01.conf:24:5", "000-nat-lb02.conf:24:5"),
            Expected(.lbKindMismatch, .error, "000-nat-lb01.conf:66:5", "000-nat-lb02.conf:66:5"),
            Expected(.lbKindMismatch, .error, "000-nat-lb01.conf:84:5", "000-nat-lb02.conf:84:5"),
            Expected(.checkerMismatch, .error, "000-nat-lb01.conf:91:13", "000-nat-lb02.conf:91:13"),
        ], "\(findings.printed)")
        #expect(findings[0].message.contains("192.168.11.129") && findings[0].message.contains("VI_1"))
        #expect(findings[1].subject == "vrrp_instance LAN_GW")
        #expect(findings[2].subject == "virtual_server 10.18.14.94:81" && findings[2].message.contains("NAT here but DR"))
        #expect(findings[4].message.contains("connect_port 80 here but 82"))
    }

    static var configPairs: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: configs.path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: configs.appendingPathComponent("\($0)/lb01.conf").path) }
            .sorted()
    }

    @Test func everyConfigsDirectoryIsAPairNamedLB01AndLB02() throws {
        #expect(Self.configPairs == ["checkers", "dr", "dr-sorry", "dr-sync", "ecmp", "nat", "nat-http", "nginx-ha"])
        for directory in Self.configPairs {
            let files = try FileManager.default.contentsOfDirectory(atPath: Self.configs.appendingPathComponent(directory).path)
            #expect(files.filter { $0.hasSuffix(".conf") }.sorted() == ["lb01.conf", "lb02.conf"], "\(directory)")
        }
    }

    @Test(arguments: configPairs)
    func theCorrectedPairsLintClean(_ directory: String) throws {
        let base = Self.configs.appendingPathComponent(directory)
        let findings = try Self.lint([base.appendingPathComponent("lb01.conf").path, base.appendingPathComponent("lb02.conf").path])
        #expect(findings.errors.isEmpty, "\(directory): \(findings.printed)")
    }
}

struct LintTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
