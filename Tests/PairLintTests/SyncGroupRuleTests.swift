import KeepalivedConfig
import PairLint
import Testing

/// Instances that must fail over together, and the connection sync daemon.
@Suite struct SyncGroupRuleTests {
    static let syncGroup = "vrrp_sync_group VG_1 {\n    group {\n        VI_1\n        LAN_GW\n    }\n}\n"

    @Test func aGroupOnOneNodeOnly() throws {
        var pair = PairFixture()
        pair.edit(.lb02, Self.syncGroup, "")
        let findings = pair.lint().with(.syncGroupMismatch)
        #expect(findings.count == 2, "\(findings.printed)")
        let first = try #require(findings.first)
        #expect(first.location == pair.at(.lb01, "VI_1", after: "group {"))
        #expect(first.otherLocation == pair.at(.lb02, "vrrp_instance VI_1"))
        #expect(first.message.contains("without LAN_GW"))
        #expect(findings.last?.location == pair.at(.lb01, "LAN_GW", after: "group {"))
        #expect(pair.lint().with(.gatewayNotSynced).isEmpty, "lb01 syncs them; the difference is the finding")
    }

    @Test func aGroupOnTheSecondNodeOnlyIsReportedThere() throws {
        var pair = PairFixture()
        pair.edit(.lb01, Self.syncGroup, "")
        let finding = try #require(pair.lint().with(.syncGroupMismatch).first)
        #expect(finding.location == pair.at(.lb02, "VI_1", after: "group {"))
        #expect(finding.other?.file == "lb01.conf")
    }

    @Test func aGroupWithOtherMembers() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "vrrp_sync_group VG_1 {\n    group {\n        VI_1\n        LAN_GW\n    }\n}\n",
                  "vrrp_sync_group VG_1 {\n    group {\n        VI_1\n    }\n}\nvrrp_sync_group VG_2 {\n    group {\n        LAN_GW\n    }\n}\n")
        let findings = pair.lint().with(.syncGroupMismatch)
        let finding = try #require(findings.first)
        #expect(finding.location == pair.at(.lb01, "vrrp_sync_group VG_1"))
        #expect(finding.otherLocation == pair.at(.lb02, "vrrp_sync_group VG_1"))
        #expect(finding.message.contains("{LAN_GW, VI_1}") && finding.message.contains("{VI_1}"))
    }

    @Test func groupNamesAreNotCompared() {
        var pair = PairFixture()
        pair.edit(.lb02, "vrrp_sync_group VG_1", "vrrp_sync_group LB02_GROUP")
        #expect(pair.lint().isEmpty)
    }

    @Test func aNATGatewayInNoGroupWithTheVirtualServersAddresses() throws {
        var pair = PairFixture()
        pair.edit(.lb01, Self.syncGroup, "")
        pair.edit(.lb02, Self.syncGroup, "")
        let findings = pair.lint()
        #expect(findings.count == 1, "\(findings.printed)")
        let finding = try #require(findings.with(.gatewayNotSynced).first)
        #expect(finding.location == pair.at(.lb01, "vrrp_instance LAN_GW"))
        #expect(finding.otherLocation == pair.at(.lb02, "vrrp_instance LAN_GW"))
        #expect(finding.message.contains("198.51.100.129") && finding.message.contains("VI_1"))
    }

    @Test func underDirectRoutingThereIsNoGatewayToSync() {
        var pair = PairFixture()
        for node in [PairFixture.Node.lb01, .lb02] {
            pair.edit(node, Self.syncGroup, "")
            pair.edit(node, "lb_kind NAT", "lb_kind DR")
            pair.edit(node, "lb_kind NAT", "lb_kind DR")
        }
        #expect(pair.lint().errors.isEmpty, "\(pair.lint().printed)")
    }

    @Test func anAddressOffTheRealServersSubnetIsNoGateway() {
        var pair = PairFixture()
        for node in [PairFixture.Node.lb01, .lb02] {
            pair.edit(node, Self.syncGroup, "")
            pair.edit(node, "198.51.100.129", "203.0.113.129")
        }
        #expect(pair.lint().isEmpty, "\(pair.lint().printed)")
    }

    @Test func aSyncDaemonWithAnotherID() throws {
        var pair = PairFixture()
        pair.edit(.lb01, "router_id lb01", "router_id lb01\n    lvs_sync_daemon eth1 VI_1 id 51")
        pair.edit(.lb02, "router_id lb02", "router_id lb02\n    lvs_sync_daemon eth1 VI_1 id 52")
        let finding = try #require(pair.lint().with(.syncDaemonMismatch).first)
        #expect(finding.severity == .error)
        #expect(finding.location == pair.at(.lb01, "lvs_sync_daemon"))
        #expect(finding.otherLocation == pair.at(.lb02, "lvs_sync_daemon"))
        #expect(finding.message.contains("id 51 here, 52 there"))
    }

    @Test func aSyncDaemonOnOneNodeOnly() throws {
        var pair = PairFixture()
        pair.edit(.lb01, "router_id lb01", "router_id lb01\n    lvs_sync_daemon eth1 VI_1 id 51")
        let finding = try #require(pair.lint().with(.syncDaemonMismatch).first)
        #expect(finding.severity == .warning)
        #expect(finding.other == .init(file: "lb02.conf", location: nil))
    }

    @Test func theSameSyncDaemonIsFine() {
        var pair = PairFixture()
        pair.edit(.lb01, "router_id lb01", "router_id lb01\n    lvs_sync_daemon eth1 VI_1 id 51")
        pair.edit(.lb02, "router_id lb02", "router_id lb02\n    lvs_sync_daemon ens4 VI_1 id 51")
        #expect(pair.lint().isEmpty)
    }
}
