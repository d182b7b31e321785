import Foundation
import KeepalivedConfig
import PairLint
import Testing

/// Directors behind ECMP routers (tandem_announce): the same addresses announced everywhere, and a consistent
/// scheduler for what is on them. Configs/ecmp, the lab's example, is clean.
@Suite struct AnnouncementRuleTests {
    static let ecmp: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Configs/ecmp/lb01.conf")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }()

    private func lint(_ texts: [String]) -> [LintFinding] {
        let nodes = texts.enumerated().compactMap { PairFixture.node($1, "lb0\($0 + 1).conf") }
        return nodes.count == texts.count ? PairLint.lint(nodes) : []
    }

    @Test func threeDirectorsOnTheLabsConfigAreClean() {
        #expect(Self.ecmp.contains("tandem_announce"))
        #expect(lint([Self.ecmp, Self.ecmp, Self.ecmp]).isEmpty, "\(lint([Self.ecmp, Self.ecmp, Self.ecmp]))")
    }

    @Test func anAddressOneDirectorDoesNotAnnounce() throws {
        let other = Self.ecmp.replacingOccurrences(of: "tandem_announce pages {\n    address 203.0.113.101\n    table 200\n    withdraw_delay 3\n}\n", with: "")
        #expect(other != Self.ecmp)
        let findings = lint([Self.ecmp, other]).filter { $0.code == .announcementMismatch }
        let finding = try #require(findings.first)
        #expect(findings.count == 1)
        #expect(finding.subject == "tandem_announce pages" && finding.location.file == "lb01.conf")
        #expect(finding.message.contains("203.0.113.101 is announced by this node only"), "\(finding.message)")
    }

    @Test func roundRobinOnAnAnnouncedAddressIsWarnedOnEachNode() throws {
        let rr = Self.ecmp.replacingOccurrences(of: "lb_algo mh\n    mh-port\n", with: "lb_algo rr\n")
        let findings = lint([rr, rr]).filter { $0.code == .ecmpScheduler }
        #expect(findings.count == 6, "3 virtual servers on each of two nodes: \(findings)")
        let first = try #require(findings.first)
        #expect(first.other == nil && first.message.contains("lb_algo mh"), "\(first)")
        #expect(lint([rr, rr]).allSatisfy { $0.severity == .warning })
    }

    @Test func withoutAnnouncementsNothingIsSaid() {
        let pair = PairFixture()
        #expect(pair.lint().filter { [.ecmpScheduler, .announcementMismatch].contains($0.code) }.isEmpty)
    }
}
