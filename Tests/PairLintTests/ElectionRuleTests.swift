import KeepalivedConfig
import PairLint
import Testing

/// One intended MASTER, or distinct priorities.
@Suite struct ElectionRuleTests {
    @Test func bothMasterWithTheSamePriorityIsATie() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "state BACKUP\n    interface eth0", "state MASTER\n    interface eth0")
        pair.edit(.lb02, "virtual_router_id 51\n    priority 90", "virtual_router_id 51\n    priority 100")
        let findings = pair.lint()
        let tie = try #require(findings.with(.priorityTie).first, "\(findings.printed)")
        #expect(tie.severity == .error)
        #expect(tie.location == pair.at(.lb01, "priority 100"))
        #expect(tie.otherLocation == pair.at(.lb02, "priority 100"))
        #expect(tie.message.contains("MASTER with priority 100 on both nodes"))
        #expect(findings.with(.bothMaster).isEmpty, "a tie is reported once, as the tie")
    }

    @Test func bothBackupWithTheSamePriorityIsATie() throws {
        var pair = PairFixture()
        pair.edit(.lb01, "state MASTER\n    interface eth0", "state BACKUP\n    interface eth0")
        pair.edit(.lb02, "virtual_router_id 51\n    priority 90", "virtual_router_id 51\n    priority 100")
        let tie = try #require(pair.lint().with(.priorityTie).first)
        #expect(tie.message.contains("BACKUP with priority 100"))
    }

    @Test func bothBackupWithDistinctPrioritiesIsFine() {
        // The nopreempt setup: no node is MASTER at start, the priorities decide.
        var pair = PairFixture()
        pair.edit(.lb01, "state MASTER\n    interface eth0", "state BACKUP\n    interface eth0")
        #expect(pair.lint().isEmpty)
    }

    @Test func bothMasterWithDistinctPrioritiesSaysWhichWins() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "state BACKUP\n    interface eth0", "state MASTER\n    interface eth0")
        let finding = try #require(pair.lint().with(.bothMaster).first)
        #expect(finding.severity == .warning)
        #expect(finding.message.contains("this node wins"), "\(finding.message)")
        #expect(finding.message.contains("make the other node state BACKUP"))
        #expect(finding.location == pair.at(.lb01, "state MASTER"))
        #expect(finding.otherLocation == pair.at(.lb02, "state MASTER"))
        #expect(pair.lint().errors.isEmpty)
    }

    @Test func aMasterBelowItsBackupDoesNotStayMaster() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "virtual_router_id 51\n    priority 90", "virtual_router_id 51\n    priority 110")
        let finding = try #require(pair.lint().with(.masterNotHighest).first)
        #expect(finding.severity == .warning)
        #expect(finding.message.contains("takes over as soon as it runs"))
        #expect(finding.otherLocation == pair.at(.lb02, "priority 110"))
    }

    @Test func aMasterAndBackupOfEqualPriority() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "virtual_router_id 51\n    priority 90", "virtual_router_id 51\n    priority 100")
        let finding = try #require(pair.lint().with(.priorityEqual).first)
        #expect(finding.severity == .warning)
        #expect(pair.lint().with(.priorityTie).isEmpty)
    }
}
