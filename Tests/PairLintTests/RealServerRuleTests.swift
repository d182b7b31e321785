import KeepalivedConfig
import PairLint
import Testing

/// The same real servers with the same weights and checks; Maglev's order; more than two nodes.
@Suite struct RealServerRuleTests {
    @Test func aRealServerOnOneNodeOnly() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "    real_server 198.51.100.124 80 {\n        weight 1\n        HTTP_GET {\n            url {\n                path /health\n                status_code 200\n            }\n            connect_timeout 2\n        }\n    }\n", "")
        let finding = try #require(pair.lint().with(.realServerMissing).first)
        #expect(finding.location == pair.at(.lb01, "real_server 198.51.100.124 80"))
        #expect(finding.otherLocation == pair.at(.lb02, "virtual_server 192.0.2.93 80"), "the virtual server without it")
        #expect(finding.subject == "real_server 198.51.100.124:80 of virtual_server 192.0.2.93:80")
    }

    @Test func aRealServerOnAnotherPortIsAnotherServer() {
        var pair = PairFixture()
        pair.edit(.lb02, "real_server 198.51.100.123 80", "real_server 198.51.100.123 8080")
        let findings = pair.lint().with(.realServerMissing)
        #expect(findings.map(\.location.file) == ["lb01.conf", "lb02.conf"])
    }

    @Test func anotherWeight() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "weight 2", "weight 3")
        let finding = try #require(pair.lint().with(.weightMismatch).first)
        #expect(finding.location == pair.at(.lb01, "weight 2"))
        #expect(finding.otherLocation == pair.at(.lb02, "weight 3"))
    }

    @Test func anotherConnectPort() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "TCP_CHECK {\n            connect_timeout 2", "TCP_CHECK {\n            connect_port 81\n            connect_timeout 2")
        let finding = try #require(pair.lint().with(.checkerMismatch).first)
        #expect(finding.message.contains("connect_port 80 here but 81"), "the real server's own port when none is written")
        #expect(finding.location == pair.at(.lb01, "TCP_CHECK"))
        #expect(finding.otherLocation == pair.at(.lb02, "connect_port 81"))
    }

    @Test func theRealServersPortWrittenAsConnectPortIsTheSameCheck() {
        var pair = PairFixture()
        pair.edit(.lb02, "TCP_CHECK {\n            connect_timeout 2", "TCP_CHECK {\n            connect_port 80\n            connect_timeout 2")
        #expect(pair.lint().isEmpty)
    }

    @Test func anotherKindOfCheck() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "TCP_CHECK {\n            connect_timeout 2", "MISC_CHECK {\n            misc_path /bin/true\n            connect_timeout 2")
        let finding = try #require(pair.lint().with(.checkerMismatch).first)
        #expect(finding.message.contains("TCP_CHECK here but by MISC_CHECK"))
        #expect(finding.otherLocation == pair.at(.lb02, "MISC_CHECK"))
    }

    @Test func anotherURL() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "path /health", "path /status")
        let finding = try #require(pair.lint().with(.checkerMismatch).first)
        #expect(finding.location == pair.at(.lb01, "url {"))
        #expect(finding.otherLocation == pair.at(.lb02, "url {"))
        #expect(finding.message.contains("/status"))
    }

    @Test func anotherTimingIsAWarningWhereTheTimingIsWritten() throws {
        var pair = PairFixture()
        pair.edit(.lb02, "delay_loop 6", "delay_loop 10")
        let findings = pair.lint().with(.checkerTimingMismatch)
        #expect(findings.count == 2, "each checker of the virtual server: \(findings.printed)")
        let finding = try #require(findings.first)
        #expect(finding.severity == .warning)
        #expect(finding.location == pair.at(.lb01, "delay_loop 6"))
        #expect(finding.otherLocation == pair.at(.lb02, "delay_loop 10"))
    }

    @Test func maglevNeedsTheSameOrder() throws {
        var pair = PairFixture()
        pair.edit(.lb01, "lb_algo rr", "lb_algo mh")
        pair.edit(.lb02, "lb_algo rr", "lb_algo mh")
        let second = "    real_server 198.51.100.124 80 {\n        weight 1\n        HTTP_GET {\n            url {\n                path /health\n                status_code 200\n            }\n            connect_timeout 2\n        }\n    }\n"
        pair.edit(.lb02, second, "")
        pair.edit(.lb02, "    real_server 198.51.100.123 80 {", second + "    real_server 198.51.100.123 80 {")
        let finding = try #require(pair.lint().with(.mhOrderMismatch).first, "\(pair.lint().printed)")
        #expect(finding.location == pair.at(.lb01, "real_server 198.51.100.123 80"))
        #expect(finding.otherLocation == pair.at(.lb02, "real_server 198.51.100.124 80"))
        #expect(pair.lint().count == 1)
    }

    @Test func otherSchedulersDoNotCareAboutOrder() {
        var pair = PairFixture()
        let second = "    real_server 198.51.100.124 80 {\n        weight 1\n        HTTP_GET {\n            url {\n                path /health\n                status_code 200\n            }\n            connect_timeout 2\n        }\n    }\n"
        pair.edit(.lb02, second, "")
        pair.edit(.lb02, "    real_server 198.51.100.123 80 {", second + "    real_server 198.51.100.123 80 {")
        #expect(pair.lint().isEmpty)
    }

    @Test func threeNodesAreComparedPairwise() {
        let pair = PairFixture()
        var third = PairFixture.cleanLB02.replacingOccurrences(of: "router_id lb02", with: "router_id lb03")
            .replacingOccurrences(of: "virtual_router_id 52\n    priority 90", with: "virtual_router_id 53\n    priority 80")
        third = third.replacingOccurrences(of: "unicast_src_ip 192.0.2.64", with: "unicast_src_ip 192.0.2.74")
        let nodes = [PairFixture.node(pair.lb01, "lb01.conf"), PairFixture.node(pair.lb02, "lb02.conf"),
                     PairFixture.node(third, "lb03.conf")].compactMap { $0 }
        let findings = PairLint.lint(nodes)
        let vrid = findings.with(.vridMismatch)
        #expect(vrid.map(\.location.file) == ["lb01.conf", "lb02.conf"], "\(findings.printed)")
        #expect(vrid.allSatisfy { $0.other?.file == "lb03.conf" })
        // lb03's source is in nobody's peer list, and lb03 lists only lb01.
        #expect(findings.with(.unicastPeerMissing).count == 3, "\(findings.printed)")
    }

    @Test func activeActiveMaglevNodesNeedIdenticalLists() {
        var texts = [PairFixture.cleanLB01, PairFixture.cleanLB01, PairFixture.cleanLB01].map {
            $0.replacingOccurrences(of: "lb_algo rr", with: "lb_algo mh")
        }
        texts[2] = texts[2].replacingOccurrences(of: "real_server 198.51.100.124 80 {\n        weight 1",
                                                 with: "real_server 198.51.100.124 80 {\n        weight 2")
        let nodes = texts.enumerated().compactMap { PairFixture.node($1, "lb0\($0 + 1).conf") }
        let findings = PairLint.lint(nodes).filter { $0.code != .priorityTie && $0.code != .unicastSourceSame && $0.code != .unicastPeerMissing }
        #expect(findings.map(\.code) == [.weightMismatch, .weightMismatch], "\(findings.printed)")
    }
}
