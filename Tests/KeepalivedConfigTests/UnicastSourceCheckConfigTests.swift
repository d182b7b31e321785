import Testing
@testable import KeepalivedConfig

/// `check_unicast_src` in a vrrp_instance and global_defs' `vrrp_check_unicast_src`: keepalived drops unicast
/// adverts from sources outside `unicast_peer` only when asked (vrrp_check_packet); so does tandem.
@Suite struct UnicastSourceCheckConfigTests {
    @Test func offUnlessAskedForPerInstanceOrGlobally() throws {
        let plain = try #require(Fixtures.parse(instanceText("    unicast_peer {\n        192.0.2.2\n    }\n")).configuration)
        #expect(!plain.vrrpInstances[0].checkUnicastSource && !plain.global.checkUnicastSource)
        let own = try onlyInstance(Fixtures.parse(instanceText("    check_unicast_src\n")))
        #expect(own.checkUnicastSource)
        let global = try #require(Fixtures.parse("global_defs {\n    vrrp_check_unicast_src\n}\n" + instanceText("")).configuration)
        #expect(global.global.checkUnicastSource)
    }

    @Test func takesNoArgument() {
        let result = Fixtures.parse(instanceText("    check_unicast_src yes\n"))
        #expect(result.has(.warning, at: 4, 23, containing: "check_unicast_src takes at most 0 arguments"), "\(result.printed)")
    }
}

/// keepalived's per-peer TTL limits (vrrp_data.c, alloc_unicast_peer) filter who is heard; vrrpd does not read a
/// unicast advert's TTL, so they are refused rather than read and ignored (they were ignored without a word).
@Suite struct UnicastPeerTTLConfigTests {
    @Test func ttlLimitsAreRefusedAtTheirWord() {
        let result = Fixtures.parse(instanceText("""
                unicast_src_ip 192.0.2.1
                unicast_peer {
                    192.0.2.2 min_ttl 250 max_ttl 255
                    192.0.2.3
                }

            """))
        #expect(result.has(.error, at: 6, 19, containing: "unicast_peer min_ttl is refused"), "\(result.printed)")
        #expect(result.has(.error, at: 6, 31, containing: "unicast_peer max_ttl is refused"))
        #expect(result.errors.count == 2)
    }
}
