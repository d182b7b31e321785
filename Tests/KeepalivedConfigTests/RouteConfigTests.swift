import Testing
import Vocabulary
@testable import KeepalivedConfig

/// virtual_routes/virtual_rules of a vrrp_instance and the top-level static_ipaddress/static_routes/static_rules:
/// keepalived's options and defaults (vrrp_iproute.c, vrrp_iprule.c), and an error at the option for anything
/// tandem does not implement.
@Suite struct RouteConfigTests {
    private func routes(_ lines: String) throws -> [RouteDefinition] {
        let result = Fixtures.parse(instanceText("    virtual_ipaddress {\n        192.0.2.10/24\n    }\n    virtual_routes {\n" + lines + "    }\n"))
        return try onlyInstance(result).virtualRoutes
    }

    private func rules(_ lines: String) throws -> [RuleDefinition] {
        let result = Fixtures.parse(instanceText("    virtual_ipaddress {\n        192.0.2.10/24\n    }\n    virtual_rules {\n" + lines + "    }\n"))
        return try onlyInstance(result).virtualRules
    }

    // MARK: routes

    @Test func routeWithEveryImplementedOption() throws {
        let route = try #require(try routes("        src 192.0.2.10 to 198.51.100.0/24 via 192.0.2.1 dev eth0 scope link table 100 metric 5 onlink\n").first)
        #expect(route.destination == IPPrefix(address: IPAddress("198.51.100.0")!, length: 24))
        #expect(route.source == IPAddress("192.0.2.10") && route.via == IPAddress("192.0.2.1"))
        #expect(route.device == "eth0" && route.scope == 253 && route.table == 100 && route.metric == 5 && route.onlink)
        #expect(route.type == .unicast)
        // Tracked (it has a dev and no no_track), so keepalived marks it protocol keepalived.
        #expect(!route.noTrack && route.routingProtocol == RouteDefinition.keepalivedProtocol)
    }

    @Test func keepalivedDefaultsAndSpellings() throws {
        let parsed = try routes("""
                    default gw 192.0.2.1 dev eth0
                    203.0.113.7 dev eth0 no_track protocol static priority 9 table main
                    blackhole 198.51.100.0/24
                    to unreachable 203.0.113.0/25 table local scope host
                    2001:db8::/64 via 2001:db8::1 oif eth0 preference 3

            """)
        #expect(parsed.count == 5)
        #expect(parsed[0].destination == IPPrefix(address: .v4(0), length: 0) && parsed[0].via == IPAddress("192.0.2.1"))
        #expect(parsed[0].table == 254 && parsed[0].scope == 0)
        #expect(parsed[1].destination.length == 32 && parsed[1].noTrack && parsed[1].routingProtocol == 4 && parsed[1].metric == 9)
        // No dev: keepalived cannot track it, and still marks it protocol keepalived.
        #expect(parsed[2].type == .blackhole && parsed[2].noTrack && parsed[2].routingProtocol == 18)
        #expect(parsed[3].type == .unreachable && parsed[3].table == 255 && parsed[3].scope == 254)
        #expect(parsed[4].family == .ipv6 && parsed[4].device == "eth0" && parsed[4].metric == 3)
    }

    @Test func ipv6DefaultTakesTheViaFamily() throws {
        let route = try #require(try routes("        default via 2001:db8::1 dev eth0\n").first)
        #expect(route.destination == IPPrefix(address: .v6(high: 0, low: 0), length: 0))
    }

    @Test func untrackableRouteIsWarned() {
        let result = Fixtures.parse(instanceText("    virtual_routes {\n        198.51.100.0/24 via 192.0.2.1\n    }\n"))
        #expect(result.has(.warning, at: 5, 9, containing: "has no dev, so it cannot be tracked"), "\(result.printed)")
    }

    @Test func aTrackedBlockSaysItIsNotWatched() {
        let result = Fixtures.parse(instanceText("    virtual_routes {\n        198.51.100.0/24 dev eth0\n    }\n    virtual_rules {\n        from 192.0.2.0/24 table 100 preference 100\n    }\n"))
        #expect(result.has(.warning, at: 4, 5, containing: "virtual_routes: vrrpd does not watch tracked routes and rules yet"), "\(result.printed)")
        #expect(result.has(.warning, at: 7, 5, containing: "virtual_rules: vrrpd does not watch"))
        let untracked = Fixtures.parse(instanceText("    virtual_routes {\n        198.51.100.0/24 dev eth0 no_track\n    }\n"))
        #expect(!untracked.printed.contains { $0.contains("does not watch") }, "\(untracked.printed)")
        #expect(!result.printed.contains { $0.contains("is not supported") })
    }

    @Test func malformedAndUnimplementedRouteOptionsAreErrorsAtTheirLocation() {
        // The instance starts on line 1; virtual_routes is line 4, so its lines are 5–12.
        let result = Fixtures.parse(instanceText("""
                virtual_routes {
                    198.51.100.0/24 via 192.0.2.1 dev eth0 mtu 1400
                    198.51.100.0/24 dev
                    198.51.100.0/33 dev eth0
                    198.51.100.0/24 dev eth0 table nosuchtable
                    198.51.100.0/24 via 2001:db8::1 dev eth0
                    dev eth0
                    198.51.100.0/24 dev eth0 proto 4
                    198.51.100.0/24 dev eth0 scope galaxy
                }

            """))
        #expect(result.has(.error, at: 5, 48, containing: "route option 'mtu' is not supported by tandem"), "\(result.printed)")
        #expect(result.has(.error, at: 6, 25, containing: "route option dev needs a value"))
        #expect(result.has(.error, at: 7, 9, containing: "bad destination '198.51.100.0/33'"))
        #expect(result.has(.error, at: 8, 40, containing: "route table 'nosuchtable'"))
        #expect(result.has(.error, at: 9, 9, containing: "route mixes IPv4 and IPv6"))
        #expect(result.has(.error, at: 10, 9, containing: "route must have a destination"))
        // keepalived has no `proto` keyword either.
        #expect(result.has(.error, at: 11, 34, containing: "bad destination 'proto'"))
        #expect(result.has(.error, at: 12, 40, containing: "route scope 'galaxy'"))
        #expect(result.configuration == nil)
    }

    // MARK: rules

    @Test func ruleWithEveryImplementedOption() throws {
        let rule = try #require(try rules("        from 192.0.2.0/24 to 198.51.100.0/24 table 100 priority 100 fwmark 0x10/0xff iif eth0 oif eth1\n").first)
        #expect(rule.from == IPPrefix(address: IPAddress("192.0.2.0")!, length: 24))
        #expect(rule.to == IPPrefix(address: IPAddress("198.51.100.0")!, length: 24))
        #expect(rule.action == .lookup(table: 100) && rule.preference == 100)
        #expect(rule.fwmark == 16 && rule.fwmask == 255)
        #expect(rule.inputInterface == "eth0" && rule.outputInterface == "eth1" && !rule.noTrack)
    }

    @Test func ruleActionsAndSpellings() throws {
        let parsed = try rules("""
                    from all lookup main priority 10 no_track
                    to 203.0.113.0/24 blackhole preference 11
                    fwmark 7 unreachable order 12
                    from 2001:db8::/32 prohibit priority 13
                    dev eth0 goto 100 priority 14
                    nop priority 15

            """)
        #expect(parsed.map(\.action) == [.lookup(table: 254), .blackhole, .unreachable, .prohibit, .goto(preference: 100), .nop])
        #expect(parsed.map(\.preference) == [10, 11, 12, 13, 14, 15])
        #expect(parsed[0].from == nil && parsed[0].noTrack)
        #expect(parsed[2].fwmark == 7 && parsed[2].fwmask == nil)
        #expect(parsed[3].family == .ipv6 && parsed[4].inputInterface == "eth0")
    }

    @Test func ruleWithoutPreferenceIsNumberedDownFrom16384AndWarned() throws {
        let result = Fixtures.parse(instanceText("    virtual_rules {\n        from 192.0.2.0/24 table 100\n        from 192.0.2.128/25 table 101\n        from 2001:db8::/32 table 102\n    }\n"))
        let parsed = try onlyInstance(result).virtualRules
        #expect(parsed.map(\.preference) == [16384, 16383, 16384])
        #expect(result.has(.warning, at: 5, 9, containing: "rule has no preference; it gets 16384"), "\(result.printed)")
    }

    @Test func malformedAndUnimplementedRuleOptionsAreErrorsAtTheirLocation() {
        let result = Fixtures.parse(instanceText("""
                virtual_rules {
                    from 192.0.2.0/24 table 100 priority 1 sport 80
                    from 192.0.2.0/24 priority 2
                    from 192.0.2.0/24 table 100 blackhole priority 3
                    from 192.0.2.0/24 to 2001:db8::/32 table 100 priority 4
                    fwmark 0x1/zz table 100 priority 5
                    from 192.0.2.0/24 table 0 priority 6
                    goto 5 priority 7
                    from 192.0.2.0/24 table 100 frobnicate priority 8
                    from 192.0.2.0/24 table 100 prio 9
                    from 192.0.2.0/24 table 100 priority
                }

            """))
        #expect(result.has(.error, at: 5, 48, containing: "rule option 'sport' is not supported by tandem"), "\(result.printed)")
        #expect(result.has(.error, at: 6, 9, containing: "rule needs an action"))
        #expect(result.has(.error, at: 7, 37, containing: "only one of table, goto"))
        #expect(result.has(.error, at: 8, 30, containing: "rule mixes IPv4 and IPv6"))
        #expect(result.has(.error, at: 9, 16, containing: "rule fwmark '0x1/zz'"))
        #expect(result.has(.error, at: 10, 33, containing: "rule table '0'"))
        #expect(result.has(.error, at: 11, 9, containing: "goto rule needs a preference lower than its target 5"))
        #expect(result.has(.error, at: 12, 37, containing: "unknown rule option 'frobnicate'"))
        // keepalived has no `prio` either.
        #expect(result.has(.error, at: 13, 37, containing: "unknown rule option 'prio'"))
        #expect(result.has(.error, at: 14, 37, containing: "rule option priority needs a value"))
        #expect(result.configuration == nil)
    }

    @Test func invertedRulesAreRefused() {
        // libnl-route-3 has no setter for FIB_RULE_INVERT, so tandem refuses `not` rather than install the opposite.
        let result = Fixtures.parse(instanceText("    virtual_rules {\n        not from 192.0.2.0/24 table 100 priority 1\n    }\n"))
        #expect(result.has(.error, at: 5, 9, containing: "rule option 'not' is not supported by tandem"), "\(result.printed)")
    }

    // MARK: static blocks

    @Test func staticBlocksAreTopLevel() throws {
        let text = """
            static_ipaddress {
                192.0.2.5/24 dev eth0
            }
            static_routes {
                198.51.100.0/24 via 192.0.2.1 dev eth0
            }
            static_rules {
                from 192.0.2.5 table 100 priority 100
            }

            """ + instanceText("")
        let result = Fixtures.parse(text)
        let configuration = try #require(result.configuration, "\(result.printed)")
        #expect(configuration.staticAddresses.map(\.address) == [IPAddress("192.0.2.5")!])
        #expect(configuration.staticAddresses.first?.device == "eth0")
        #expect(configuration.staticRoutes.map(\.destination) == [IPPrefix(address: IPAddress("198.51.100.0")!, length: 24)])
        #expect(configuration.staticRules.first?.from?.length == 32)
    }
}

/// virtual_ipaddress options vrrpd does not apply: refused when ignoring them would change where traffic goes,
/// warned otherwise; `peer` no longer starts a second address.
@Suite struct VirtualAddressOptionTests {
    @Test func peerAndPreferredLifetimeAreRefusedAndStartNoExtraAddress() throws {
        let result = Fixtures.parse(instanceText("""
                virtual_ipaddress {
                    192.0.2.10/32 peer 192.0.2.20/32 dev eth0
                    192.0.2.11/24 preferred_lft 0
                    192.0.2.12/24 preferred_lft forever
                }

            """))
        #expect(result.has(.error, at: 5, 23, containing: "virtual_ipaddress option peer is not supported by tandem"), "\(result.printed)")
        #expect(result.has(.error, at: 6, 23, containing: "virtual_ipaddress option preferred_lft is not supported"))
        #expect(!result.has(.error, at: 7, 23, containing: "preferred_lft"))
        let addresses = result.partialConfiguration?.vrrpInstances.first?.virtualIPAddresses.map(\.address.description)
        #expect(addresses == ["192.0.2.10", "192.0.2.11", "192.0.2.12"])
    }

    /// brd and scope as keepalived 2.2.7's vrrp_ipaddress.c reads them: `+` sets the host bits, `-` clears them,
    /// both only up to a /30; scope by rt_scopes name or number, IPv4 only; a broadcast on IPv6 drops the address
    /// in keepalived, so it is refused.
    @Test func broadcastAndScopeAreReadAsKeepalivedReadsThem() throws {
        let result = Fixtures.parse(instanceText("""
                virtual_ipaddress {
                    192.0.2.10/24 brd 192.0.2.255 scope global
                    192.0.2.11/24 brd + scope link
                    192.0.2.12/28 brd - scope 200
                    192.0.2.13/31 brd + scope planet
                }

            """))
        let addresses = try #require(result.configuration?.vrrpInstances.first?.virtualIPAddresses, "\(result.printed)")
        #expect(addresses.map { $0.broadcast?.description } == ["192.0.2.255", "192.0.2.255", "192.0.2.0", nil])
        #expect(addresses.map(\.scope) == [0, 253, 200, nil])
        #expect(result.has(.warning, at: 8, 27, containing: "brd +: a /31 has no broadcast, so none is set"))
        #expect(result.has(.warning, at: 8, 35, containing: "scope 'planet' is not global, site, link, host, nowhere"))
        let ipv6 = Fixtures.parse(instanceText("""
                virtual_ipaddress {
                    2001:db8::10/64 brd +
                    2001:db8::11/64 scope link
                }

            """))
        #expect(ipv6.has(.error, at: 5, 25, containing: "an IPv6 address has no broadcast"), "\(ipv6.printed)")
        #expect(ipv6.has(.warning, at: 6, 25, containing: "an IPv6 address takes no scope"))
    }
}
