import KeepalivedConfig
import PairLint
import Testing

/// Whether the nodes hear each other: unicast sources and peers, or the same multicast group.
@Suite struct UnicastRuleTests {
    @Test func unicastOnOneNodeAndMulticastOnTheOther() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "    unicast_src_ip 192.0.2.64\n    unicast_peer {\n        192.0.2.54\n    }\n", "")
        let finding = try #require(pair.lint().with(.unicastMismatch).first)
        #expect(finding.location == pair.at(.lb01, "unicast_peer {"))
        #expect(finding.otherLocation == pair.at(.lb02, "interface eth0"))
    }

    @Test func aCopiedSourceAddress() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "unicast_src_ip 192.0.2.64", "unicast_src_ip 192.0.2.54")
        let findings = pair.lint()
        let same = try #require(findings.with(.unicastSourceSame).first)
        #expect(same.location == pair.at(.lb01, "unicast_src_ip"))
        #expect(same.otherLocation == pair.at(.lb02, "unicast_src_ip"))
        // lb01 lists .64 as its peer, so lb02's adverts from .54 are dropped too.
        let missing = try #require(findings.with(.unicastPeerMissing).first)
        #expect(missing.location == pair.at(.lb02, "unicast_src_ip"))
        #expect(missing.otherLocation == pair.at(.lb01, "unicast_peer {"))
    }

    @Test func aSourceMissingFromTheOtherPeerList() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "    unicast_peer {\n        192.0.2.54", "    unicast_peer {\n        192.0.2.55")
        let findings = pair.lint()
        #expect(findings.count == 1, "\(findings.printed)")
        let finding = try #require(findings.with(.unicastPeerMissing).first)
        #expect(finding.location == pair.at(.lb01, "unicast_src_ip 192.0.2.54"))
        #expect(finding.otherLocation == pair.at(.lb02, "unicast_peer {"))
        #expect(finding.message.contains("192.0.2.55"))
    }

    @Test func withoutSourceAddressesThereIsNothingToCompare() {
        var pair = PairFixture()
        pair.edit(.lb01, "    unicast_src_ip 192.0.2.54\n", "")
        pair.edit(.lb02, "    unicast_src_ip 192.0.2.64\n", "")
        #expect(pair.lint().isEmpty)
    }

    @Test func anotherMulticastGroup() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "router_id lb02", "router_id lb02\n    vrrp_mcast_group4 224.0.0.19")
        let findings = pair.lint()
        #expect(findings.count == 1, "only LAN_GW is multicast: \(findings.printed)")
        let finding = try #require(findings.with(.multicastGroupMismatch).first)
        #expect(finding.location == pair.at(.lb01, "vrrp_instance LAN_GW"))
        #expect(finding.otherLocation == pair.at(.lb02, "vrrp_mcast_group4"))
    }
}
