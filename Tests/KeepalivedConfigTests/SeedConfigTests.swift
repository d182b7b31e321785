import Testing
@testable import KeepalivedConfig

/// The seed documents' configurations must read unchanged: they are what our users run today.
@Suite struct SeedConfigTests {
    @Test func fixturesArePresent() {
        #expect(Fixtures.seedFiles.count == 14, "seed fixtures: \(Fixtures.seedFiles)")
    }

    @Test(arguments: Fixtures.seedFiles)
    func everySeedReadsWithoutErrors(_ name: String) {
        let result = Fixtures.load(Fixtures.seed(name))
        #expect(result.errors.isEmpty, "\(name): \(result.printed)")
        #expect(result.configuration != nil)
    }

    @Test func seed000DirectRoutingLB01() throws {
        let config = try #require(Fixtures.load(Fixtures.seed("000-dr-lb01.conf")).configuration)
        let instance = try #require(config.vrrpInstance(named: "VI_1"))
        #expect(instance.initialState == .master)
        #expect(instance.interface == "ens34")
        #expect(instance.virtualRouterID == 51)
        #expect(instance.priority == 100)
        #expect(instance.advertInterval == .seconds(1))
        #expect(instance.authentication == .password("1111"))
        #expect(instance.virtualIPAddresses.map(\.address.description) == ["10.18.14.93", "10.18.14.94"])
        #expect(instance.virtualIPAddresses.allSatisfy { $0.prefixLength == 32 })
        #expect(instance.sourceIP?.description == "10.18.14.54")
        #expect(instance.unicastPeers.map(\.description) == ["10.18.14.64"])
        #expect(config.virtualServers.map(\.address.description) == ["10.18.14.93:80", "10.18.14.94:81", "10.18.14.94:82"])
        let web = config.virtualServers[0]
        #expect(web.scheduler == "rr")
        #expect(web.forwarding == .directRouting)
        #expect(web.persistenceTimeout == nil, "persistence_timeout 0 means no persistence")
        #expect(web.transportProtocol == .tcp)
        #expect(web.timing.delayLoop == .seconds(6))
        #expect(web.realServers.map(\.address.description) == ["10.18.14.72", "10.18.14.80"])
        let retryCheck = web.realServers[0].checks[0]
        let oldNameCheck = web.realServers[1].checks[0]
        #expect(retryCheck.kind == .tcp && retryCheck.timing.retry == 3)
        #expect(oldNameCheck.timing.retry == 3, "nb_get_retry is retry's old name")
        #expect(oldNameCheck.connectPort == 80 && oldNameCheck.timing.connectTimeout == .seconds(2))
        #expect(oldNameCheck.timing.delayBeforeRetry == .seconds(3))
    }

    @Test func seed000PortMismatchUnderDirectRoutingIsExplained() {
        // The seed forwards 10.18.14.94:81 to 10.18.14.72:80 in DR, which the kernel cannot do.
        let result = Fixtures.load(Fixtures.seed("000-dr-lb01.conf"))
        #expect(result.warnings.contains { $0.message.contains("DR cannot change the port") && $0.location.line == 57 })
    }

    @Test func seed000NATBothNodes() throws {
        let lb01 = try #require(Fixtures.load(Fixtures.seed("000-nat-lb01.conf")).configuration)
        let lb02 = try #require(Fixtures.load(Fixtures.seed("000-nat-lb02.conf")).configuration)
        #expect(lb01.vrrpInstances.map(\.name) == ["VI_1", "LAN_GW"])
        #expect(lb01.vrrpInstance(named: "LAN_GW")?.virtualIPAddresses.first?.address.description == "192.168.11.129")
        #expect(lb01.virtualServers.allSatisfy { $0.forwarding == .nat })
        // The seed's lb02 disagrees with lb01 on two services; the parser reads what is written.
        #expect(lb02.virtualServers.map(\.forwarding) == [.nat, .directRouting, .directRouting])
    }

    @Test func seed001TyposAreWarningsWithSuggestions() {
        let result = Fixtures.load(Fixtures.seed("001-dr-lb01.conf"))
        #expect(result.errors.isEmpty, "\(result.printed)")
        #expect(result.has(.warning, at: 28, 5, containing: "did you mean 'persistence_timeout'?"), "\(result.printed)")
        #expect(result.has(.warning, at: 44, 13, containing: "did you mean 'delay_before_retry'?"), "\(result.printed)")
        #expect(result.has(.warning, at: 34, 16, containing: "weight -30 is outside 0–65535"), "\(result.printed)")
        let server = result.configuration?.virtualServers.first
        #expect(server?.scheduler == "wlc")
        #expect(server?.persistenceTimeout == nil, "the misspelt keyword is ignored, as keepalived does")
        #expect(server?.realServers.map(\.weight) == [1, 1])
        #expect(server?.realServers.first?.checks.first?.timing.retry == 2)
        let vip = result.configuration?.vrrpInstances.first?.virtualIPAddresses.first
        #expect(vip?.label == "eth1:0")
    }

    @Test func seed001NginxPairTracksItsScript() throws {
        let result = Fixtures.load(Fixtures.seed("001-nginx-master.conf"))
        let config = try #require(result.configuration)
        let script = try #require(config.vrrpScript(named: "check_http"))
        #expect(script.command?.arguments == ["</dev/tcp/127.0.0.1/8001"])
        #expect(script.interval == .seconds(2))
        #expect(script.weight == -30)
        #expect(script.effectiveTimeout == .seconds(2))
        #expect(result.has(.warning, at: 10, 12, containing: "is shell syntax"), "\(result.printed)")
        let instance = try #require(config.vrrpInstance(named: "VI_1"))
        #expect(instance.trackScripts.map(\.name) == ["check_http"])
        #expect(instance.virtualIPAddresses.first?.prefixLength == 24)
        #expect(instance.virtualIPAddresses.first?.label == "ens33:0")
        let backup = try #require(Fixtures.load(Fixtures.seed("001-nginx-backup.conf")).configuration)
        #expect(backup.vrrpInstances.first?.initialState == .backup)
        #expect(backup.vrrpInstances.first?.priority == 90)
    }

    @Test func seed002NATWithHTTPGet() throws {
        let config = try #require(Fixtures.load(Fixtures.seed("002-lvs-keepalived.conf")).configuration)
        #expect(config.global.smtpServer == "127.0.0.1")
        #expect(config.global.smtpConnectTimeout == .seconds(30))
        #expect(config.global.routerID == "LVS_Server")
        #expect(config.global.notificationEmails == ["root@dlp.srv.world"])
        let instance = try #require(config.vrrpInstance(named: "VI_1"))
        #expect(instance.nopreempt)
        #expect(instance.virtualIPAddresses.map { "\($0.address)/\($0.prefixLength) \($0.device ?? "-")" }
                == ["192.168.0.29/32 eth0", "10.0.0.29/24 eth1"])
        let server = try #require(config.virtualServers.first)
        #expect(server.scheduler == "rr" && server.forwarding == .nat)
        #expect(server.timing.delayLoop == .seconds(3))
        guard case .http(let urls) = server.realServers[0].checks[0].kind else {
            Issue.record("expected HTTP_GET")
            return
        }
        #expect(urls.map(\.path) == ["/"])
        #expect(urls[0].statusCodes == [200...200])
        #expect(server.realServers[0].checks[0].timing.connectTimeout == .seconds(3))
    }

    @Test func seed004SorryServerNotifyAndMulticastGroup() throws {
        let result = Fixtures.load(Fixtures.seed("004-node1.conf"))
        let config = try #require(result.configuration)
        #expect(config.global.vrrpMulticastGroup4.description == "224.1.100.88")
        let instance = try #require(config.vrrpInstance(named: "VI_1"))
        #expect(instance.notifyMaster?.arguments == ["/etc/keepalived/notify.sh", "master"])
        #expect(instance.notifyFault?.arguments == ["/etc/keepalived/notify.sh", "fault"])
        #expect(instance.authentication == .password("IDDf1j+y"), "VRRPv2 carries 8 characters")
        #expect(result.warnings.contains { $0.message.contains("auth_pass has 12 characters") })
        let server = try #require(config.virtualServers.first)
        #expect(server.sorryServer?.address.description == "127.0.0.1")
        #expect(server.sorryServer?.port == 80)
        #expect(server.scheduler == "wrr")
        #expect(server.realServers[0].checks[0].name == "HTTP_GET")
        #expect(server.realServers[1].checks[0].name == "TCP_CHECK")
        #expect(server.realServers[1].checks[0].timing.delayBeforeRetry == .seconds(2))
    }
}

/// The repository's ready-to-use configs must be clean: no error and no warning, except the warnings
/// Configs/checkers carries on purpose: cases of keepalived's rules the lab compares with keepalived itself (a
/// virtual_server written twice, one without a protocol line, a DR real server on another port).
@Suite struct RepositoryConfigTests {
    @Test func configsArePresent() {
        #expect(Fixtures.configFiles.count == 16, "\(Fixtures.configFiles)")
    }

    @Test(arguments: Fixtures.configFiles)
    func everyConfigIsClean(_ name: String) {
        let result = Fixtures.load(Fixtures.configsDirectory.appendingPathComponent(name).path)
        let intendedStarts = ["virtual_server 192.0.2.118:8083 is already defined at",
                              "virtual_server 192.0.2.118:5353: no protocol set, so UDP",
                              "real_server 192.0.2.72 port 9085: DR cannot change the port"]
        let intended = result.diagnostics.filter { diagnostic in
            name.hasPrefix("checkers/") && diagnostic.severity == .warning
                && intendedStarts.contains { diagnostic.message.hasPrefix($0) }
        }
        #expect(intended.count == (name.hasPrefix("checkers/") ? intendedStarts.count : 0), "\(name): \(result.printed)")
        #expect(result.diagnostics.count == intended.count, "\(name): \(result.printed)")
    }

    @Test func natPairMovesTheGatewayWithTheVIPs() throws {
        let config = try #require(Fixtures.load(Fixtures.configsDirectory.appendingPathComponent("nat/lb02.conf").path).configuration)
        #expect(config.syncGroups.first?.members == ["VI_1", "LAN_GW"])
        #expect(config.vrrpInstances.allSatisfy { $0.initialState == .backup && $0.priority == 90 })
        #expect(config.virtualServers.allSatisfy { $0.forwarding == .nat })
    }
}
