import Testing
@testable import KeepalivedConfig
import Vocabulary

/// Each kind of mistake gives its message at the right line and column, and the rest of the file is still read.
@Suite struct DiagnosticTests {
    static let instanceHead = """
    vrrp_instance VI_1 {
        interface eth0
        virtual_router_id 51

    """

    @Test func unclosedBlockNamesWhereItOpened() {
        let result = Fixtures.parse("global_defs {\n    router_id lb01\n\nvrrp_instance VI_1 {\n    interface eth0\n")
        #expect(result.has(.error, at: 1, 13, containing: "unbalanced brace"), "\(result.printed)")
        #expect(result.configuration == nil)
    }

    @Test func strayClosingBrace() {
        let result = Fixtures.parse("global_defs {\n    router_id lb01\n}\n}\nvrrp_script chk {\n script /bin/true\n}\n")
        #expect(result.has(.error, at: 4, 1, containing: "'}' closes no open block"), "\(result.printed)")
        #expect(result.diagnostics.count == 1, "the rest is still read: \(result.printed)")
    }

    /// keepalived's omega announces a shutdown that never happens here (stopping the daemons leaves the table):
    /// a warning that says so, not silence; the file is still accepted.
    @Test func omegaIsAcceptedWithAWarningThatSaysWhy() {
        let result = Fixtures.parse("virtual_server 192.0.2.1 80 {\n    omega\n    real_server 198.51.100.1 80 {\n    }\n}\n")
        #expect(result.has(.warning, at: 2, 5, containing: "omega has no effect"), "\(result.printed)")
        #expect(result.configuration?.virtualServers.first?.omega == true)
    }

    @Test func badVirtualAddress() {
        let result = Fixtures.parse(Self.instanceHead + "    virtual_ipaddress {\n        192.0.2.300\n        192.0.2.10/33\n        192.0.2.11/24 dev eth0\n    }\n}\n")
        #expect(result.has(.error, at: 5, 9, containing: "'192.0.2.300' is not an IPv4 or IPv6 address"), "\(result.printed)")
        #expect(result.has(.error, at: 6, 9, containing: "bad prefix length: use 0–32"), "\(result.printed)")
        #expect(result.errors.count == 2)
    }

    @Test func routerIDAndPriorityRanges() {
        let result = Fixtures.parse("vrrp_instance A {\n  interface eth0\n  virtual_router_id 256\n  priority 0\n}\nvrrp_instance B {\n  interface eth0\n  virtual_router_id 0\n  priority 256\n}\n")
        #expect(result.has(.error, at: 3, 21, containing: "virtual_router_id 256 is outside 1–255"), "\(result.printed)")
        #expect(result.has(.error, at: 4, 12, containing: "priority 0 is outside 1–255"))
        #expect(result.has(.error, at: 8, 21, containing: "virtual_router_id 0 is outside 1–255"))
        #expect(result.has(.error, at: 9, 12, containing: "priority 256 is outside 1–255"))
    }

    @Test func duplicateRouterIDOnOneInterface() {
        let result = Fixtures.parse("vrrp_instance A {\n interface eth0\n virtual_router_id 7\n virtual_ipaddress {\n 192.0.2.1\n }\n}\nvrrp_instance B {\n interface eth0\n virtual_router_id 7\n virtual_ipaddress {\n 192.0.2.2\n }\n}\n")
        #expect(result.has(.error, at: 8, 1, containing: "uses virtual_router_id 7 on eth0, as A at t.conf:1:1"), "\(result.printed)")
    }

    @Test func kernelForwardingMethodsAndSchedulers() {
        let result = Fixtures.parse("virtual_server 192.0.2.1 80 {\n    lb_algo roundrobin\n    lb_kind FNAT\n    real_server 192.0.2.2 80 {\n    }\n}\n")
        #expect(result.has(.error, at: 2, 13, containing: "'roundrobin' is not a scheduler the kernel has"), "\(result.printed)")
        #expect(result.has(.error, at: 3, 13, containing: "not a forwarding method the kernel has: use NAT, DR or TUN (FULLNAT needs a patched kernel)"))
    }

    @Test func unterminatedQuote() {
        let result = Fixtures.parse("vrrp_script chk {\n    script \"/bin/true\n}\n")
        #expect(result.has(.error, at: 2, 12, containing: "unterminated quoted string"), "\(result.printed)")
    }

    @Test func missingInterfaceAndRouterID() {
        let result = Fixtures.parse("vrrp_instance VI_9 {\n    priority 100\n}\n")
        #expect(result.has(.error, at: 1, 1, containing: "needs an interface"))
        #expect(result.has(.error, at: 1, 1, containing: "needs a virtual_router_id"))
    }

    @Test func unknownKeywordSuggestsTheNearestKnownOne() {
        let result = Fixtures.parse("global_defs {\n    router_idd lb01\n    totally_unrelated_thing 1\n}\n")
        #expect(result.has(.warning, at: 2, 5, containing: "did you mean 'router_id'?"), "\(result.printed)")
        let unrelated = result.diagnostics.first { $0.location.line == 3 }
        #expect(unrelated?.severity == .warning)
        #expect(unrelated?.message.contains("did you mean") == false)
        #expect(result.configuration != nil, "unknown keywords are warnings, as in keepalived")
    }

    @Test func knownButUnsupportedKeywordIsNamedAsSuch() {
        let result = Fixtures.parse("global_defs {\n    vrrp_strict\n}\n")
        #expect(result.has(.warning, at: 2, 5, containing: "vrrp_strict is ignored: RFC strict mode is not enforced"), "\(result.printed)")
    }

    @Test func badNumbersAndDurations() {
        let result = Fixtures.parse(Self.instanceHead + "    advert_int fast\n    priority high\n}\n")
        #expect(result.has(.error, at: 4, 16, containing: "advert_int must be a number of seconds"), "\(result.printed)")
        #expect(result.has(.error, at: 5, 14, containing: "priority must be a whole number, not 'high'"))
    }

    @Test func syncGroupMustNameDefinedInstances() {
        let result = Fixtures.parse("vrrp_sync_group G {\n    group {\n        VI_1\n        NOPE\n    }\n}\n" + Self.instanceHead + "}\n")
        #expect(result.has(.error, at: 1, 1, containing: "names vrrp_instance NOPE, which is not defined"), "\(result.printed)")
    }

    @Test func anIPv6InstanceRunsVersionThreeUnlessItSaysTwo() {
        // keepalived's vrrp_complete_instance: no `version` in an IPv6 instance is version 3, whatever
        // vrrp_version says; an explicit `version 2` would be its non-standard VRRPv2 over IPv6.
        let implicit = Fixtures.parse("global_defs {\n    vrrp_version 2\n}\n" + Self.instanceHead
                                      + "    virtual_ipaddress {\n        2001:db8::1/64\n    }\n}\n")
        #expect(implicit.errors.isEmpty, "\(implicit.printed)")
        let instance = implicit.configuration?.vrrpInstances.first
        #expect(instance.map { $0.effectiveVersion(implicit.configuration!.global) } == 3)
        let result = Fixtures.parse(Self.instanceHead + "    version 2\n    virtual_ipaddress {\n        2001:db8::1/64\n    }\n}\n")
        #expect(result.errors.contains { $0.message.contains("non-standard VRRPv2 over IPv6") }, "\(result.printed)")
        let v3 = Fixtures.parse(Self.instanceHead + "    version 3\n    virtual_ipaddress {\n        2001:db8::1/64\n    }\n}\n")
        #expect(v3.errors.isEmpty, "\(v3.printed)")
        #expect(v3.configuration?.vrrpInstances.first?.virtualIPAddresses.first?.prefixLength == 64)
    }

    @Test func aVirtualAddressOfTheOtherFamilyIsIgnoredAsKeepalivedDoes() throws {
        let result = Fixtures.parse(Self.instanceHead + "    virtual_ipaddress {\n        192.0.2.10/24\n        2001:db8::10/64\n"
                                    + "        192.0.2.11/24\n    }\n}\n")
        #expect(result.errors.isEmpty, "\(result.printed)")
        #expect(result.has(.warning, at: 6, 9, containing: "2001:db8::10 is not of the instance's address family"), "\(result.printed)")
        #expect(result.warnings.contains { $0.message.contains("ignored and never installed, as keepalived does") })
        let instance = try #require(result.configuration?.vrrpInstances.first)
        #expect(instance.virtualIPAddresses.map { "\($0.address)" } == ["192.0.2.10", "192.0.2.11"])
    }

    @Test func fractionalAdvertIntervals() throws {
        let v3 = try #require(Fixtures.parse(Self.instanceHead + "    version 3\n    advert_int 0.1\n}\n").configuration)
        #expect(v3.vrrpInstances[0].advertInterval == .milliseconds(100))
        let v2 = Fixtures.parse(Self.instanceHead + "    advert_int 1.6\n}\n")
        #expect(v2.configuration?.vrrpInstances[0].advertInterval == .seconds(2))
        #expect(v2.warnings.contains { $0.message.contains("rounded to 2") })
    }

    @Test func interfacesAbsentHereAreOnlyWarnings() {
        let host = HostFacts(interfaceExists: { $0 == "eth0" })
        let result = ConfigLoader.parse(Self.instanceHead + "    track_interface {\n        eth9\n    }\n}\n",
                                        name: "t.conf", host: host)
        #expect(result.errors.isEmpty)
        #expect(result.has(.warning, at: 5, 9, containing: "interface eth9 does not exist on this host"), "\(result.printed)")
    }

    @Test func errorsAreReportedInReadingOrder() {
        let result = Fixtures.parse(Self.instanceHead + "    priority 0\n    advert_int x\n}\n")
        #expect(result.diagnostics.map(\.location.line) == result.diagnostics.map(\.location.line).sorted())
    }
}

/// Layouts keepalived accepts: one-line blocks, braces on the next line, comments anywhere a word starts.
@Suite struct LayoutTests {
    @Test func blocksOnOneLine() throws {
        let text = """
        vrrp_instance VI_1 { state MASTER interface eth0 virtual_router_id 9 priority 150 advert_int 1
          authentication { auth_type PASS auth_pass secret } virtual_ipaddress { 192.0.2.5/24 dev eth0 192.0.2.6 }
          unicast_peer { 192.0.2.7 } track_script { chk weight -20 } }
        vrrp_script chk { script "/usr/bin/test -e /run/ok" interval 2 fall 3 rise 2 }
        """
        let result = Fixtures.parse(text)
        let config = try #require(result.configuration, "\(result.printed)")
        let instance = config.vrrpInstances[0]
        #expect(instance.initialState == .master)
        #expect(instance.priority == 150)
        #expect(instance.authentication == .password("secret"))
        #expect(instance.virtualIPAddresses.map(\.address.description) == ["192.0.2.5", "192.0.2.6"])
        #expect(instance.virtualIPAddresses[0].device == "eth0")
        #expect(instance.unicastPeers.map(\.description) == ["192.0.2.7"])
        #expect(instance.trackScripts == [TrackScriptReference(name: "chk", weight: -20, location: instance.trackScripts[0].location)])
        let script = try #require(config.vrrpScript(named: "chk"))
        #expect(script.command?.arguments == ["/usr/bin/test", "-e", "/run/ok"])
        #expect(script.fall == 3 && script.rise == 2)
    }

    @Test func braceOnTheNextLineAndComments() throws {
        let text = "! a comment\nglobal_defs\n{\n    router_id lb01   # trailing comment\n    notification_email { ops@example.com admin@example.com }\n}\n"
        let config = try #require(Fixtures.parse(text).configuration)
        #expect(config.global.routerID == "lb01")
        #expect(config.global.notificationEmails == ["ops@example.com", "admin@example.com"])
    }

    @Test func quotedScriptsKeepTheirQuotingForExec() throws {
        let text = "vrrp_script chk {\n    script \"/bin/sh -c 'exec 3<>/dev/tcp/127.0.0.1/80' \\\"x y\\\"\"\n}\n"
        let result = Fixtures.parse(text)
        let script = try #require(result.configuration?.vrrpScript(named: "chk"), "\(result.printed)")
        #expect(script.command?.arguments == ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/80", "x y"])
    }

    @Test func notifyScriptWithUserAndGroup() throws {
        let text = "vrrp_instance V {\n interface eth0\n virtual_router_id 1\n notify \"/usr/local/bin/notify --all\" nobody nogroup\n}\n"
        let instance = try #require(Fixtures.parse(text).configuration?.vrrpInstances.first)
        #expect(instance.notify?.arguments == ["/usr/local/bin/notify", "--all"])
        #expect(instance.notify?.user == "nobody" && instance.notify?.group == "nogroup")
    }

    @Test func timingIsInheritedFromVirtualToRealServerToCheck() throws {
        let text = """
        virtual_server 192.0.2.1 80 {
            protocol TCP
            delay_loop 2.5
            connect_timeout 4
            real_server 192.0.2.2 80 {
                retry 5
                MISC_CHECK {
                    misc_path "/usr/local/bin/check 192.0.2.2"
                    misc_timeout 3
                    misc_dynamic
                }
                HTTP_GET {
                    url { path /health status_code 200-299 404 digest 9E107D9D372BB6826BD81D3542A419D6 }
                    connect_timeout 1
                }
            }
        }
        """
        let result = Fixtures.parse(text)
        let server = try #require(result.configuration?.virtualServers.first, "\(result.printed)")
        #expect(server.timing.delayLoop == .milliseconds(2500))
        let real = server.realServers[0]
        let misc = real.checks[0]
        #expect(misc.timing.over(real.timing).over(server.timing).connectTimeout == .seconds(4))
        #expect(misc.timing.over(real.timing).over(server.timing).retry == 5)
        guard case .misc(let command, let timeout, let dynamic) = misc.kind else { Issue.record("expected MISC_CHECK"); return }
        #expect(command?.arguments == ["/usr/local/bin/check", "192.0.2.2"])
        #expect(timeout == .seconds(3) && dynamic)
        let http = real.checks[1]
        #expect(http.timing.over(real.timing).over(server.timing).connectTimeout == .seconds(1))
        guard case .http(let urls) = http.kind else { Issue.record("expected HTTP_GET"); return }
        #expect(urls[0].path == "/health")
        #expect(urls[0].statusCodes == [200...299, 404...404])
        #expect(urls[0].digest == "9e107d9d372bb6826bd81d3542a419d6")
        #expect(urls[0].accepts(status: 204) && urls[0].accepts(status: 404) && !urls[0].accepts(status: 500))
    }

    @Test func virtualServerGroupsAndFirewallMarks() throws {
        let text = """
        virtual_server_group WEB {
            192.0.2.10-12 80
            fwmark 7
        }
        virtual_server group WEB {
            protocol TCP
            lb_kind DR
            real_server 192.0.2.20 80 {
            }
        }
        virtual_server fwmark 9 {
            real_server 192.0.2.21 {
                TCP_CHECK {
                    connect_port 443
                }
            }
        }
        """
        let result = Fixtures.parse(text)
        let config = try #require(result.configuration, "\(result.printed)")
        #expect(config.virtualServerGroups[0].entries == [
            .addressRange(first: IPAddress("192.0.2.10")!, count: 3, port: 80), .firewallMark(7),
        ])
        #expect(config.virtualServers.map(\.address) == [.group("WEB"), .firewallMark(9)])
        #expect(config.virtualServers[1].realServers[0].port == nil)
    }

    @Test func persistenceTimeoutForms() throws {
        let config = try #require(Fixtures.parse("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            persistence_timeout
            persistence_granularity 255.255.255.0
        }
        virtual_server 192.0.2.1 81 {
            protocol TCP
            persistence_timeout 50
        }
        """).configuration)
        #expect(config.virtualServers[0].persistenceTimeout == 360, "the keyword alone is keepalived's six minutes")
        #expect(config.virtualServers[0].persistenceGranularity == .ipv4Netmask(IPAddress("255.255.255.0")!))
        #expect(config.virtualServers[1].persistenceTimeout == 50)
    }
}

/// Each daemon reads its own part: an error in another daemon's part does not stop it.
@Suite struct ScopeTests {
    static let text = """
    global_defs {
        router_id lb01
    }
    vrrp_instance VI_1 {
        interface eth0
        virtual_router_id 51
        virtual_ipaddress {
            192.0.2.10
        }
    }
    virtual_server 192.0.2.10 80 {
        protocol TCP
        lb_algo nonsense
        real_server 192.0.2.20 80 {
        }
    }
    """

    @Test func anErrorInTheVirtualServersDoesNotStopTheVRRPPart() {
        let result = Fixtures.parse(Self.text)
        #expect(result.configuration == nil, "the file as a whole has an error")
        #expect(result.errors.map(\.scope) == [.virtualServers])
        #expect(result.configuration(for: [.vrrp])?.vrrpInstances.map(\.name) == ["VI_1"])
        #expect(result.configuration(for: [.virtualServers]) == nil)
        #expect(result.configuration(for: [.vrrp, .virtualServers]) == nil)
    }

    @Test func syntaxAndGlobalErrorsConcernEveryDaemon() {
        let broken = Fixtures.parse("global_defs {\n    vrrp_mcast_group4 192.0.2.1\n}\n" + "vrrp_instance X {\n")
        #expect(Set(broken.errors.map(\.scope)).isSuperset(of: [.global, .syntax]))
        #expect(broken.configuration(for: [.vrrp]) == nil)
        #expect(broken.configuration(for: [.virtualServers]) == nil)
    }
}
