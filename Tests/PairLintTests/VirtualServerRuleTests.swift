import KeepalivedConfig
import PairLint
import Testing

/// The same services, forwarded, scheduled and kept the same way on both nodes.
@Suite struct VirtualServerRuleTests {
    @Test func aVirtualServerOnOneNodeOnly() throws {
        var pair = PairFixture()
        pair.lb01 += "virtual_server 192.0.2.93 8080 {\n    lb_kind NAT\n    real_server 198.51.100.123 8080 {\n    }\n}\n"
        let finding = try #require(pair.lint().with(.virtualServerMissing).first)
        #expect(finding.location == pair.at(.lb01, "virtual_server 192.0.2.93 8080"))
        #expect(finding.other == .init(file: "lb02.conf", location: nil))
        #expect(finding.subject == "virtual_server 192.0.2.93:8080")
    }

    @Test func aVirtualServerOnTheSecondNodeOnly() throws {
        var pair = PairFixture()
        pair.lb02 += "virtual_server fwmark 7 {\n    lb_kind NAT\n    real_server 198.51.100.123 80 {\n    }\n}\n"
        let finding = try #require(pair.lint().with(.virtualServerMissing).first)
        #expect(finding.location == pair.at(.lb02, "virtual_server fwmark 7"))
        #expect(finding.other?.file == "lb01.conf")
    }

    @Test func anotherProtocol() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "lb_kind NAT\n    protocol TCP", "lb_kind NAT\n    protocol UDP")
        let finding = try #require(pair.lint().with(.protocolMismatch).first)
        #expect(finding.location == pair.at(.lb01, "protocol TCP"))
        #expect(finding.otherLocation == pair.at(.lb02, "protocol UDP"))
    }

    @Test func aGroupWithOtherAddresses() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "    192.0.2.94 443\n", "    192.0.2.94-95 443\n")
        let finding = try #require(pair.lint().with(.virtualServerGroupMismatch).first)
        #expect(finding.location == pair.at(.lb01, "virtual_server_group WEB"))
        #expect(finding.otherLocation == pair.at(.lb02, "virtual_server_group WEB"))
        #expect(finding.message.contains("only there: tcp 192.0.2.95:443"), "\(finding.message)")
    }

    @Test func anotherForwardingMethod() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "lb_kind NAT", "lb_kind DR")
        let findings = pair.lint()
        let finding = try #require(findings.with(.lbKindMismatch).first)
        #expect(finding.location == pair.at(.lb01, "lb_kind NAT"))
        #expect(finding.otherLocation == pair.at(.lb02, "lb_kind DR"))
        #expect(findings.with(.lbKindMismatch).count == 1, "once for the virtual server, not per real server")
    }

    @Test func anotherForwardingMethodForOneRealServer() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "real_server 198.51.100.124 80 {\n        weight 1", "real_server 198.51.100.124 80 {\n        weight 1\n        lvs_method DR")
        let finding = try #require(pair.lint().with(.lbKindMismatch).first)
        #expect(finding.location == pair.at(.lb01, "real_server 198.51.100.124 80"))
        #expect(finding.otherLocation == pair.at(.lb02, "lvs_method DR"))
    }

    @Test func anotherScheduler() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "lb_algo rr", "lvs_sched wlc")
        let finding = try #require(pair.lint().with(.lbAlgoMismatch).first)
        #expect(finding.location == pair.at(.lb01, "lb_algo rr"))
        #expect(finding.otherLocation == pair.at(.lb02, "lvs_sched wlc"))
    }

    @Test func schedulerFlagsCount() throws {
        var pair = PairFixture()
        // ops would not do: keepalived (and tandem) turn it off on a TCP service.
        pair.edit(.lb02, "lb_algo rr", "lb_algo rr\n    flag-2")
        #expect(pair.lint().with(.lbAlgoMismatch).first?.message.contains("lb_algo rr flag-2") == true)
    }

    @Test func anotherPersistence() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "persistence_timeout 300", "persistence_timeout 60")
        let finding = try #require(pair.lint().with(.persistenceMismatch).first)
        #expect(finding.location == pair.at(.lb01, "persistence_timeout 300"))
        #expect(finding.otherLocation == pair.at(.lb02, "persistence_timeout 60"))
        #expect(finding.subject == "virtual_server group WEB")
    }

    @Test func persistenceOnOneNodeOnly() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "    persistence_timeout 300\n", "")
        let finding = try #require(pair.lint().with(.persistenceMismatch).first)
        #expect(finding.message.contains("no persistence"))
        #expect(finding.otherLocation == pair.at(.lb02, "virtual_server group WEB"))
    }

    @Test func persistenceZeroIsNoPersistence() {
        var pair = PairFixture()
        pair.edit(.lb01, "lb_algo rr", "lb_algo rr\n    persistence_timeout 0")
        #expect(pair.lint().isEmpty)
    }

    @Test func aSorryServerOnOneNodeOnly() throws {
        var pair = PairFixture()
        pair.edit(.lb01, "lb_algo rr", "lb_algo rr\n    sorry_server 198.51.100.200 80")
        let finding = try #require(pair.lint().with(.sorryServerMismatch).first)
        #expect(finding.location == pair.at(.lb01, "sorry_server"))
    }

    @Test func anotherQuorumIsAWarning() throws {
        var pair = PairFixture()
        pair.edit(.lb01, "lb_algo rr", "lb_algo rr\n    quorum 2")
        let finding = try #require(pair.lint().with(.quorumMismatch).first)
        #expect(finding.severity == .warning)
        #expect(finding.location == pair.at(.lb01, "quorum 2"))
    }
}
