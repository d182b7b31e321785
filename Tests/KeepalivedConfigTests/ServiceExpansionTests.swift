import Testing
@testable import KeepalivedConfig
import Vocabulary

// keepalived 2.2.7's rule for the services a virtual_server installs and each real server's destination port in
// them (check/ipvswrapper.c ipvs_group_cmd, ipvs_cmd; check/check_data.c validate_check_config).

private func load(_ text: String) throws -> KeepalivedConfiguration {
    let result = Fixtures.parse(text)
    return try #require(result.configuration(for: [.virtualServers]), "\(result.printed)")
}

private func ip(_ text: String) -> IPAddress { IPAddress(text)! }

/// The services of the first virtual server and the port of each of its real servers, then of its sorry server,
/// in each service.
private func expansion(_ text: String) throws -> (services: [VirtualServiceID], ports: [[UInt16]], sorry: [UInt16]) {
    let config = try load(text)
    let server = try #require(config.virtualServers.first)
    let services = server.services(in: config)
    let ports = server.realServers.map { real in real.identities(in: server, services: services).map(\.realPort) }
    let sorry = server.sorryServer.map { s in services.map { server.destinationPort(of: s).port(in: $0) } } ?? []
    return (services.map(\.id), ports, sorry)
}

@Suite struct ServiceExpansionTests {
    @Test func drUnderAGroupTakesEachEntrysPortWhateverItsOwn() throws {
        let result = try expansion("""
        virtual_server_group G {
            192.0.2.1 80
            192.0.2.2 8080
        }
        virtual_server group G {
            protocol TCP
            lb_kind DR
            real_server 198.51.100.1 { }
            real_server 198.51.100.2 80 { }
            sorry_server 198.51.100.9
        }
        """)
        #expect(result.services == [.address(ip("192.0.2.1"), port: 80, transport: .tcp),
                                    .address(ip("192.0.2.2"), port: 8080, transport: .tcp)])
        #expect(result.ports == [[80, 8080], [80, 8080]])
        #expect(result.sorry == [80, 8080])
    }

    @Test func natUnderAGroupKeepsItsOwnPortOrNone() throws {
        let result = try expansion("""
        virtual_server_group G {
            192.0.2.1 80
            192.0.2.2 8080
            fwmark 5
        }
        virtual_server group G {
            protocol TCP
            lb_kind NAT
            persistence_timeout 60
            real_server 198.51.100.1 { }
            real_server 198.51.100.2 8000 { }
            sorry_server 198.51.100.9 9000
        }
        """)
        #expect(result.ports == [[0, 0, 0], [8000, 8000, 8000]], "port 0: the kernel keeps the client's port")
        #expect(result.sorry == [9000, 9000, 9000])
    }

    @Test func rangesAreInclusiveAndAddressesComeBeforeFwmarks() throws {
        let result = try expansion("""
        virtual_server_group G {
            fwmark 7 inet
            192.0.2.1-3 80
            2001:db8::1fe-200 443
        }
        virtual_server group G {
            lb_kind TUN
            protocol UDP
            real_server 198.51.100.1 80 { }
        }
        """)
        let v4 = (1...3).map { VirtualServiceID.address(ip("192.0.2.\($0)"), port: 80, transport: .udp) }
        let v6 = ["1fe", "1ff", "200"].map { VirtualServiceID.address(ip("2001:db8::\($0)"), port: 443, transport: .udp) }
        #expect(result.services == v4 + v6 + [.fwmark(7)])
        #expect(result.ports == [[80, 80, 80, 443, 443, 443, 0]], "TUN takes each service's port; a fwmark's is 0")
    }

    @Test func aServiceNamedTwiceIsInstalledOnce() throws {
        let result = try expansion("""
        virtual_server_group G {
            192.0.2.1-2 80
            192.0.2.2 80
            fwmark 3
            fwmark 3
        }
        virtual_server group G {
            protocol TCP
            real_server 198.51.100.1 80 { }
        }
        """)
        #expect(result.services.count == 3)
    }

    @Test func plainAddressFillsNATRealServersButNotTheSorryServer() throws {
        let nat = try expansion("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            lb_kind NAT
            real_server 198.51.100.1 { }
            sorry_server 198.51.100.9
        }
        """)
        #expect(nat.ports == [[80]])
        #expect(nat.sorry == [0], "keepalived fills in real servers' ports only")
        let dr = try expansion("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            lb_kind DR
            real_server 198.51.100.1 81 { }
            sorry_server 198.51.100.9
        }
        """)
        #expect(dr.ports == [[80]], "DR cannot change the port: keepalived resets 81 to the service's 80")
        #expect(dr.sorry == [80])
    }

    @Test func fwmarkPortsAndFamilies() throws {
        let dr = try expansion("""
        virtual_server fwmark 9 {
            lb_kind DR
            real_server 2001:db8::5 80 { }
        }
        """)
        #expect(dr.ports == [[0]], "DR under a fwmark: port cleared")
        let config = try load("""
        virtual_server fwmark 9 {
            lb_kind NAT
            real_server 2001:db8::5 8000 { }
        }
        virtual_server fwmark 10 {
            lb_kind TUN
            real_server 2001:db8::6 { }
            real_server 2001:db8::7 { }
        }
        virtual_server fwmark 11 {
            lb_kind TUN
            real_server 2001:db8::6 { }
            real_server 198.51.100.7 { }
        }
        virtual_server_group M {
            fwmark 12
        }
        virtual_server group M {
            protocol TCP
            lb_kind TUN
            real_server 2001:db8::6 { }
        }
        """)
        let servers = config.virtualServers
        #expect(servers[0].services(in: config).map(\.family) == [.ipv6])
        #expect(servers[0].realServers[0].identities(in: servers[0], services: servers[0].services(in: config))
                == [RealServerID(fwmark: 9, realAddress: ip("2001:db8::5"), realPort: 8000)])
        #expect(servers[1].firewallMarkFamily == .ipv6, "all tunnelled, all IPv6")
        #expect(servers[2].firewallMarkFamily == .ipv4, "all tunnelled, mixed families")
        #expect(servers[3].firewallMarkFamily == .ipv4, "a group's tunnelled fwmarks default to IPv4")
    }

    @Test func anUndefinedGroupHasNoServices() {
        let server = VirtualServer(address: .group("nope"), location: ConfigLocation(file: "t.conf", line: 1, column: 1))
        #expect(server.services(in: KeepalivedConfiguration()).isEmpty)
    }
}
