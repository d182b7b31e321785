import Foundation
import XCTest
@testable import KeepalivedConfig
import TestSupport

/// Every keyword keepalived 2.2.7 installs is implemented, refused or warned — exactly one — and
/// docs/compatibility.md is what the tables say.
final class CompatibilityTableTests: XCTestCase {
    static let fixture = Fixtures.testsDirectory.appendingPathComponent("Fixtures/keepalived-2.2.7-keywords.tsv")
    static let document = Fixtures.repositoryRoot.appendingPathComponent("docs/compatibility.md")

    func keepalivedKeywords() throws -> [(block: String, keyword: String)] {
        let keywords = CompatibilityTable.parseKeywordList(try String(contentsOf: Self.fixture, encoding: .utf8))
        XCTAssertGreaterThan(keywords.count, 400, "the fixture lists keepalived 2.2.7's ~500 keywords")
        return keywords
    }

    func testEveryKeepalivedKeywordIsInAClass() throws {
        let unclassified = CompatibilityTable.rows(keepalivedKeywords: try keepalivedKeywords()).filter { $0.kind == nil }
        XCTAssertEqual(unclassified.map { "\($0.block) \($0.keyword)" }, [],
                       "add these to KeywordClasses (refused or warned) or implement them")
    }

    func testNoImplementedKeywordIsAlsoClassified() {
        let implemented = CompatibilityTable.implemented
        let both = KeywordClasses.all.filter { implemented[$0.block]?.contains($0.keyword) == true }
        XCTAssertEqual(both.map { "\($0.block) \($0.keyword)" }, [],
                       "a keyword a reader table implements must not also be refused or warned")
    }

    func testEveryRuleNamesAKeywordKeepalivedHas() throws {
        let known = Set(try keepalivedKeywords().map { "\($0.block) \($0.keyword)" })
        let strays = KeywordClasses.all.map { "\($0.block) \($0.keyword)" }.filter { !known.contains($0) }
        XCTAssertEqual(strays.sorted(), [], "a rule for a keyword keepalived 2.2.7 does not have in that block")
    }

    func testCommittedDocumentIsGenerated() throws {
        let rows = CompatibilityTable.rows(keepalivedKeywords: try keepalivedKeywords())
        let generated = CompatibilityTable.markdown(rows, version: "2.2.7")
        if ProcessInfo.processInfo.environment["TANDEM_UPDATE_DOCS"] == "1" {
            try generated.write(to: Self.document, atomically: true, encoding: .utf8)
        }
        let committed = try? String(contentsOf: Self.document, encoding: .utf8)
        XCTAssertEqual(committed, generated,
                       "docs/compatibility.md is stale: run TANDEM_UPDATE_DOCS=1 swift test --filter CompatibilityTableTests")
    }

    // MARK: refused keywords

    func testRefusedInstanceKeywordIsAnErrorAtItsLocation() {
        let text = """
        vrrp_instance VI_1 {
            interface eth0
            virtual_router_id 51
            priority 100
            virtual_ipaddress {
                192.0.2.10/24
            }
            use_vmac
        }
        """
        let result = Fixtures.parse(text)
        let error = result.errors.first { $0.message.hasPrefix("use_vmac") }
        XCTAssertEqual(error.map { "\($0.location)" }, "t.conf:8:5")
        XCTAssertTrue(error?.message.contains("the peers' switch would learn a different MAC") == true, "\(String(describing: error))")
        XCTAssertThrowsError(try configuration(text, as: [.vrrp])) { error in
            XCTAssertTrue("\(error)".contains(".conf:8:5: error: use_vmac is refused"), "\(error)")
        }
    }

    func testRefusedTopLevelBlockIsAnError() {
        let text = """
        bfd_instance nbr {
            neighbor_ip 192.0.2.1
        }
        """
        let result = Fixtures.parse(text)
        XCTAssertEqual(result.errors.map { "\($0.location)" }, ["t.conf:1:1"])
        XCTAssertTrue(result.errors.first?.message.contains("BFD is not implemented") == true)
        XCTAssertNil(result.configuration)
    }

    func testRealServerWhoseCheckerIsNotImplementedIsRefused() {
        let text = """
        virtual_server 192.0.2.10 53 {
            protocol UDP
            real_server 192.0.2.21 53 {
                BFD_CHECK {
                    name web01
                }
            }
        }
        """
        let result = Fixtures.parse(text)
        let error = result.errors.first { $0.message.hasPrefix("BFD_CHECK") }
        XCTAssertEqual(error.map { "\($0.location)" }, "t.conf:4:9")
        XCTAssertTrue(error?.message.contains("tandem would keep it in service") == true)
        XCTAssertThrowsError(try configuration(text, as: [.virtualServers]))
    }

    func testRefusedTrackerIsAnError() {
        let text = """
        vrrp_track_process nginx {
            process nginx
            weight 10
        }
        """
        let result = Fixtures.parse(text)
        XCTAssertEqual(result.errors.map { "\($0.location)" }, ["t.conf:1:1"])
        XCTAssertTrue(result.errors.first?.message.contains("priorities") == true)
    }

    // MARK: warned keywords

    func testWarnedKeywordLoadsWithItsConsequence() throws {
        let text = """
        global_defs {
            enable_snmp_vrrp
            vrrp_no_swap
            vrrp_garp_extra_if 5
            notify_fifo /run/keepalived.fifo
        }
        """
        let result = Fixtures.parse(text)
        XCTAssertEqual(result.errors.map(\.description), [])
        XCTAssertNotNil(try configuration(text, as: [.global, .vrrp]))
        let warnings = result.warnings.map(\.description)
        XCTAssertTrue(warnings.contains("t.conf:2:5: warning: enable_snmp_vrrp is ignored: no SNMP agent; use tandemctl/journald"), "\(warnings)")
        XCTAssertTrue(warnings.contains { $0.hasPrefix("t.conf:3:5:") && $0.contains("systemd units") }, "\(warnings)")
        XCTAssertTrue(warnings.contains { $0.hasPrefix("t.conf:4:5:") && $0.contains("no periodic GARP/NA") }, "\(warnings)")
        XCTAssertTrue(warnings.contains { $0.hasPrefix("t.conf:5:5:") && $0.contains("no fifo is written") }, "\(warnings)")
    }

    /// A keyword a table reads only to keep its value is warned at each use and listed as warned, not implemented.
    func testKeywordReadWithoutEffectIsWarned() throws {
        let result = Fixtures.parse("global_defs {\n    smtp_server 192.0.2.25\n}\n")
        XCTAssertEqual(result.warnings.map(\.description),
                       ["t.conf:2:5: warning: smtp_server has no effect: no mail is sent; use journald or notify scripts"])
        XCTAssertEqual(result.configuration?.global.smtpServer, "192.0.2.25")
        let rows = CompatibilityTable.rows(keepalivedKeywords: [("global_defs", "smtp_server")])
        XCTAssertEqual(rows.first?.kind, .warned)
        XCTAssertNil(CompatibilityTable.implemented["global_defs"]?.contains("smtp_server") == true ? "" : nil)
    }

    func testKeywordKeepalivedDoesNotKnowStillGetsASuggestion() {
        let result = Fixtures.parse("global_defs {\n    router_idd node1\n}\n")
        XCTAssertTrue(result.warnings.contains { $0.message.contains("did you mean 'router_id'?") },
                      "\(result.warnings.map(\.description))")
    }
}
