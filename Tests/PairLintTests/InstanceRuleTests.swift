import KeepalivedConfig
import PairLint
import Testing

/// What two copies of one virtual router must agree on: the advert's fields and the addresses it moves.
@Suite struct InstanceRuleTests {
    @Test func theCleanPairHasNoFinding() {
        let findings = PairFixture().lint()
        #expect(findings.isEmpty, "\(findings.printed)")
    }

    @Test func anInstanceOnOneNodeOnlyIsMissing() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "vrrp_instance LAN_GW {", "vrrp_instance LAN_GW_OLD {")
        pair.edit(.lb02, "        LAN_GW\n", "        LAN_GW_OLD\n")
        pair.edit(.lb02, "virtual_router_id 52", "virtual_router_id 53")
        let missing = pair.lint().with(.instanceMissing)
        #expect(missing.count == 2, "\(missing)")
        let onA = try #require(missing.first { $0.location.file == "lb01.conf" })
        #expect(onA.location == pair.at(.lb01, "vrrp_instance LAN_GW"))
        #expect(onA.other == .init(file: "lb02.conf", location: nil))
        let onB = try #require(missing.first { $0.location.file == "lb02.conf" })
        #expect(onB.location == pair.at(.lb02, "vrrp_instance LAN_GW_OLD"))
        #expect(onB.other?.file == "lb01.conf")
    }

    @Test func instancesNamedPerNodeAreMatchedByInterfaceAndVRID() {
        var pair = PairFixture()
        pair.edit(.lb02, "vrrp_instance VI_1 {", "vrrp_instance VI_LB02 {")
        pair.edit(.lb02, "        VI_1\n", "        VI_LB02\n")
        pair.edit(.lb02, "auth_pass secret1", "auth_pass other")
        let findings = pair.lint()
        #expect(findings.with(.instanceMissing).isEmpty, "\(findings.printed)")
        #expect(findings.with(.syncGroupMismatch).isEmpty, "sync group members are compared through the matching")
        #expect(findings.count == 1 && findings[0].code == .authMismatch && findings[0].message.contains("(as VI_LB02)"),
                "\(findings.printed)")
    }

    @Test func instancesMatchedByASharedAddressWhenTheInterfacesAreNamedDifferently() {
        var pair = PairFixture()
        pair.edit(.lb02, "vrrp_instance VI_1 {\n    state BACKUP\n    interface eth0", "vrrp_instance FRONT {\n    state BACKUP\n    interface ens3")
        pair.edit(.lb02, "        VI_1\n", "        FRONT\n")
        let findings = pair.lint()
        #expect(findings.isEmpty, "\(findings.printed)")
    }

    @Test func aDifferentVRIDIsTwoRouters() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "virtual_router_id 51", "virtual_router_id 61")
        let findings = pair.lint()
        let finding = try #require(findings.with(.vridMismatch).first, "\(findings.printed)")
        #expect(finding.severity == .error)
        #expect(finding.location == pair.at(.lb01, "virtual_router_id 51"))
        #expect(finding.otherLocation == pair.at(.lb02, "virtual_router_id 61"))
        #expect(finding.message.contains("51") && finding.message.contains("61"))
    }

    @Test func aDifferentPasswordIsReportedWithoutPrintingIt() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "auth_pass secret1", "auth_pass secret2")
        let finding = try #require(pair.lint().with(.authMismatch).first)
        #expect(finding.location == pair.at(.lb01, "auth_pass"))
        #expect(finding.otherLocation == pair.at(.lb02, "auth_pass"))
        #expect(!finding.message.contains("secret"), "\(finding.message)")
    }

    @Test func authenticationOnOneNodeOnly() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "    authentication {\n        auth_type PASS\n        auth_pass secret1\n    }\n", "")
        let finding = try #require(pair.lint().with(.authMismatch).first)
        #expect(finding.message.contains("auth_type PASS here but nothing"), "\(finding.message)")
        #expect(finding.otherLocation == pair.at(.lb02, "vrrp_instance VI_1"))
    }

    @Test func versionThreeHasNoAuthenticationToCompare() {
        var pair = PairFixture()
        pair.edit(.lb01, "router_id lb01", "router_id lb01\n    vrrp_version 3")
        pair.edit(.lb02, "router_id lb02", "router_id lb02\n    vrrp_version 3")
        pair.edit(.lb02, "auth_pass secret1", "auth_pass secret2")
        #expect(pair.lint().with(.authMismatch).isEmpty)
    }

    @Test func aDifferentAdvertIntervalUnderVersionTwoIsAnError() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "advert_int 1", "advert_int 2")
        let finding = try #require(pair.lint().with(.advertIntMismatch).first)
        #expect(finding.severity == .error)
        #expect(finding.location == pair.at(.lb01, "advert_int"))
        #expect(finding.otherLocation == pair.at(.lb02, "advert_int 2"))
    }

    @Test func aDifferentAdvertIntervalUnderVersionThreeIsAWarning() throws {
        var pair = PairFixture()
        pair.edit(.lb01, "virtual_router_id 51", "virtual_router_id 51\n    version 3")
        pair.edit(.lb02, "virtual_router_id 51", "virtual_router_id 51\n    version 3")
        pair.edit(.lb02, "advert_int 1", "advert_int 0.5")
        let finding = try #require(pair.lint().with(.advertIntMismatch).first)
        #expect(finding.severity == .warning)
        #expect(finding.message.contains("0.5s"))
    }

    @Test func aDifferentVersionPointsAtGlobalDefsWhereItIsSet() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "router_id lb02", "router_id lb02\n    vrrp_version 3")
        let findings = pair.lint().with(.versionMismatch)
        #expect(findings.count == 2, "both instances: \(findings)")
        let first = try #require(findings.first)
        #expect(first.location == pair.at(.lb01, "vrrp_instance VI_1"))
        #expect(first.otherLocation == pair.at(.lb02, "vrrp_version 3"))
    }

    @Test func anAddressOnOneNodeOnly() throws {
        var pair = PairFixture()
        pair.edit(.lb01, "        192.0.2.94\n", "        192.0.2.94\n        192.0.2.95\n")
        let finding = try #require(pair.lint().with(.vipMismatch).first)
        #expect(finding.location == pair.at(.lb01, "192.0.2.95"))
        #expect(finding.otherLocation == pair.at(.lb02, "virtual_ipaddress {"))
        #expect(pair.lint().with(.vipMismatch).count == 1)
    }

    @Test func anAddressOnTheSecondNodeOnlyIsReportedThere() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "        192.0.2.94\n", "        192.0.2.94\n        192.0.2.95\n")
        let finding = try #require(pair.lint().with(.vipMismatch).first)
        #expect(finding.location == pair.at(.lb02, "192.0.2.95"))
        #expect(finding.otherLocation == pair.at(.lb01, "virtual_ipaddress {"))
    }

    @Test func aDifferentPrefixLength() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "        192.0.2.93\n", "        192.0.2.93/24\n")
        let finding = try #require(pair.lint().with(.vipMismatch).first)
        #expect(finding.message.contains("/32 here but /24"), "\(finding.message)")
        #expect(finding.otherLocation == pair.at(.lb02, "192.0.2.93/24"))
    }

    @Test func theSameAddressesInAnotherOrderAreTheSameSet() {
        var pair = PairFixture()
        pair.edit(.lb02, "        192.0.2.93\n        192.0.2.94\n", "        192.0.2.94\n        192.0.2.93\n")
        #expect(pair.lint().isEmpty)
    }

    @Test func excludedAddressesAreComparedToo() throws {
        var pair = PairFixture()
        pair.edit(.lb01, "    unicast_src_ip 192.0.2.54", "    virtual_ipaddress_excluded {\n        192.0.2.200\n    }\n    unicast_src_ip 192.0.2.54")
        let finding = try #require(pair.lint().with(.excludedVIPMismatch).first)
        #expect(finding.location == pair.at(.lb01, "192.0.2.200"))
        #expect(finding.otherLocation == pair.at(.lb02, "vrrp_instance VI_1"), "lb02 has no such block: its instance")
    }
}
