import Foundation
import KeepalivedConfig
import PairLint
import Testing

/// The text and JSON forms of findings, read back as a consumer of docs/json/lint.md would.
@Suite struct LintReportTests {
    /// The documented object, declared here rather than reused from PairLint so that a renamed field fails.
    struct DocumentedReport: Decodable {
        struct Place: Decodable {
            let file: String
            let line: Int?
            let column: Int?
        }
        struct Finding: Decodable {
            let severity: String
            let code: String
            let subject: String
            let message: String
            let location: Place
            let other: Place?
        }
        struct ReaderDiagnostic: Decodable {
            let severity: String
            let message: String
            let location: Place
        }
        let schema: String
        let files: [String]
        let status: String
        let errors: Int
        let warnings: Int
        let findings: [Finding]
        let diagnostics: [ReaderDiagnostic]
    }

    static func roundTrip(_ report: LintReport) throws -> (DocumentedReport, [String: Any]) {
        let data = try JSONEncoder().encode(report)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (try JSONDecoder().decode(DocumentedReport.self, from: data), object)
    }

    @Test func findingsRoundTrip() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "virtual_router_id 51", "virtual_router_id 61")
        pair.edit(.lb02, "    real_server 198.51.100.123 443 {", "    real_server 198.51.100.200 443 {")
        pair.lb01 += "virtual_server 192.0.2.93 8080 {\n    real_server 198.51.100.123 8080 {\n    }\n}\n"
        let findings = pair.lint()
        let report = LintReport(files: ["lb01.conf", "lb02.conf"], findings: findings)
        let (decoded, object) = try Self.roundTrip(report)
        #expect(decoded.schema == "tandem.lint/1")
        #expect(decoded.files == ["lb01.conf", "lb02.conf"])
        #expect(decoded.status == "errors")
        #expect(decoded.errors == findings.errors.count && decoded.warnings == findings.count - findings.errors.count)
        #expect(decoded.diagnostics.isEmpty)
        #expect(decoded.findings.count == findings.count)
        for (json, finding) in zip(decoded.findings, findings) {
            #expect(json.severity == finding.severity.rawValue)
            #expect(json.code == finding.code.rawValue)
            #expect(json.subject == finding.subject)
            #expect(json.message == finding.message)
            #expect(json.location.file == finding.location.file && json.location.line == finding.location.line
                    && json.location.column == finding.location.column)
            #expect(json.other?.file == finding.other?.file)
            #expect(json.other?.line == finding.other?.location?.line)
            #expect(json.other?.column == finding.other?.location?.column)
        }
        let vrid = try #require(decoded.findings.first { $0.code == "vrid-mismatch" })
        #expect(vrid.other?.line == pair.at(.lb02, "virtual_router_id 61").line)
        // A counterpart the other node does not have: its file, and no line or column at all.
        let missing = try #require(decoded.findings.first { $0.code == "virtual-server-missing" })
        #expect(missing.other?.file == "lb02.conf" && missing.other?.line == nil)
        let rawFindings = try #require(object["findings"] as? [[String: Any]])
        let rawMissing = try #require(rawFindings.first { $0["code"] as? String == "virtual-server-missing" })
        let rawOther = try #require(rawMissing["other"] as? [String: Any])
        #expect(rawOther.keys.sorted() == ["file"], "line and column are left out, not null")
    }

    @Test func aCleanPairIsClean() throws {
        let report = LintReport(files: ["a", "b"], findings: PairFixture().lint())
        let (decoded, _) = try Self.roundTrip(report)
        #expect(decoded.status == "clean" && decoded.findings.isEmpty && decoded.errors == 0)
        #expect(report.status.exitStatus == 0)
    }

    @Test func aSingleFileFindingHasNoOtherSide() throws {
        var pair = PairFixture()
        pair.edit(.lb01, "lb_kind NAT", "lb_kind DR")
        pair.edit(.lb02, "lb_kind NAT", "lb_kind DR")
        pair.edit(.lb01, "real_server 198.51.100.123 80", "real_server 198.51.100.123 8080")
        pair.edit(.lb02, "real_server 198.51.100.123 80", "real_server 198.51.100.123 8080")
        let findings = pair.lint().with(.configWarning)
        #expect(findings.count == 2, "\(findings.printed)")
        let (decoded, object) = try Self.roundTrip(LintReport(files: ["lb01.conf", "lb02.conf"], findings: findings))
        #expect(decoded.findings.allSatisfy { $0.other == nil && $0.code == "config-warning" && $0.severity == "warning" })
        #expect(decoded.status == "clean", "warnings alone are clean")
        #expect((object["findings"] as? [[String: Any]])?.allSatisfy { $0["other"] == nil } == true)
    }

    @Test func anUnreadableFileCarriesTheReadersDiagnostics() throws {
        let result = ConfigLoader.parse("vrrp_instance VI_1 {\n    priority 300\n}\n", name: "bad.conf")
        let report = LintReport(files: ["bad.conf", "lb02.conf"], unreadable: result.diagnostics)
        #expect(report.status.exitStatus == 2)
        let (decoded, _) = try Self.roundTrip(report)
        #expect(decoded.status == "unreadable" && decoded.findings.isEmpty)
        let diagnostic = try #require(decoded.diagnostics.first { $0.message.contains("priority") })
        #expect(diagnostic.severity == "error")
        #expect(diagnostic.location.file == "bad.conf" && diagnostic.location.line == 2 && diagnostic.location.column == 14)
    }

    @Test func theTextLine() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "virtual_router_id 51", "virtual_router_id 61")
        let finding = try #require(pair.lint().first)
        let here = pair.at(.lb01, "virtual_router_id 51")
        let there = pair.at(.lb02, "virtual_router_id 61")
        #expect(finding.description == "\(here): error: [vrid-mismatch] \(finding.message) (other side: \(there))")
        var missing = finding
        missing.other = .init(file: "lb02.conf", location: nil)
        #expect(missing.description.hasSuffix("(other side: lb02.conf: none)"))
        missing.other = nil
        #expect(missing.description.hasSuffix(finding.message))
    }

    @Test func everyCodeIsDocumented() throws {
        let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/json/lint.md")
        let text = try String(contentsOf: document, encoding: .utf8)
        for code in LintCode.allCases {
            #expect(text.contains("`\(code.rawValue)`"), "docs/json/lint.md does not describe \(code.rawValue)")
        }
    }
}
