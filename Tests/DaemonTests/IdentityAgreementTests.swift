// checkd and ipvsd agree on every real server's identity: what checkd reports (its scheduler's identities) is
// what ipvsd's pools configure and its PoolMap finds, for every shipped configuration and for generated
// virtual_server_group shapes.
import Foundation
@testable import Health
@testable import IPVS
import KeepalivedConfig
import Testing
import Wire
@testable import ipvsd
import Vocabulary

/// Records every disagreement between the two daemons over `config` (`label` names it in failures).
private func expectAgreement(_ config: KeepalivedConfiguration, _ label: String) {
    let reported = HealthScheduler(configuration: config, now: MonotonicInstant(nanoseconds: 0), random: { 0 })
        .realServerIDs
    let map = PoolMap(config)
    #expect(Set(reported).count == reported.count, "\(label): an identity reported twice")

    // Every identity checkd reports is found, at the real server whose destination in that service it names.
    for id in reported {
        guard let (poolName, key) = map.locate(id), let pool = map.pool(named: poolName),
              let service = pool.services.firstIndex(where: { names($0.key, id.virtualService) }),
              let real = pool.realServers.first(where: { $0.destination.key == key }) else {
            Issue.record("\(label): ipvsd does not find \(id)")
            continue
        }
        #expect(real.key(inService: service) == IPVSDestinationKey(address: id.realAddress, port: id.realPort),
                "\(label): \(id) located at \(real.key(inService: service))")
    }

    // Every destination ipvsd configures has exactly one identity checkd reports when its real server is
    // checked, and none when it is not; and ipvsd configures nothing else (all up, so no sorry server).
    let table = desiredState(pools: map.pools, health: [:], previousQuorumUp: [:]).table
    var expected = 0
    let blocks = config.virtualServers.filter { server in
        if case .group(let name) = server.address { return config.virtualServerGroup(named: name) != nil }
        return true
    }
    for (pool, server) in zip(map.pools, blocks) {
        for (index, service) in pool.services.enumerated() {
            let configured = table.servers[service.key]?.destinations ?? [:]
            var keys: Set<IPVSDestinationKey> = []
            for (real, spec) in zip(server.realServers, pool.realServers) {
                let key = spec.key(inService: index)
                keys.insert(key)
                let ids = reported.filter {
                    names(service.key, $0.virtualService) && $0.realAddress == key.address && $0.realPort == key.port
                }
                let checked = !real.checks.isEmpty
                if checked { expected += 1 }
                #expect(ids.count == (checked ? 1 : 0), "\(label): \(service.key) -> \(key) has \(ids.count) identities")
            }
            if let sorry = pool.sorryServer, pool.sorryServerInhibit {
                keys.insert(pool.sorryServerPorts.isEmpty ? sorry.key : sorry.key.withPort(pool.sorryServerPorts[index]))
            }
            #expect(Set(configured.keys) == keys, "\(label): \(service.key) configures \(configured.keys.sorted())")
        }
    }
    #expect(reported.count == expected, "\(label): \(reported.count) identities for \(expected) checked destinations")

    // With every real server down, the sorry server stands in each service where KeepalivedConfig puts it.
    var down: [String: [IPVSDestinationKey: IPVSHealth]] = [:]
    for pool in map.pools {
        for spec in pool.realServers { down[pool.name, default: [:]][spec.destination.key] = IPVSHealth(up: false, weight: 1) }
    }
    let sorryTable = desiredState(pools: map.pools, health: down, previousQuorumUp: [:]).table
    for (pool, server) in zip(map.pools, blocks) {
        guard let sorry = server.sorryServer else { continue }
        for (service, configured) in zip(pool.services, server.services(in: config)) {
            let key = IPVSDestinationKey(address: sorry.address, port: server.destinationPort(of: sorry).port(in: configured))
            #expect(sorryTable.servers[service.key]?.destinations[key] != nil, "\(label): sorry server not at \(key)")
        }
    }
}

/// Whether a kernel service key is the service an identity names (a fwmark identity does not carry the family).
private func names(_ key: IPVSServiceKey, _ id: VirtualServiceID) -> Bool {
    switch (key, id) {
    case (.address(let transport, let ip, let port), .address(let idIP, let idPort, let idTransport)):
        return transport == idTransport && ip == idIP && port == idPort
    case (.firewallMark(_, let mark), .fwmark(let idMark)):
        return mark == idMark
    default:
        return false
    }
}

private func load(_ text: String) -> KeepalivedConfiguration? {
    ConfigLoader.parse(text).configuration(for: [.virtualServers])
}

/// The generated shapes: each a whole configuration, with its description.
private let shapes: [(text: String, label: String)] = {
    let check = "MISC_CHECK { misc_path /bin/true }"
    struct Family {
        var plain: [String]
        var groups: [[String]]
        var reals: (String, String)
        var sorry: String
    }
    let families = [
        Family(plain: ["192.0.2.1 80", "fwmark 4"],
               groups: [["192.0.2.1 80"], ["192.0.2.1-3 80", "192.0.2.10 8080"], ["192.0.2.1-2 80", "fwmark 7"],
                        ["fwmark 7", "fwmark 8"]],
               reals: ("198.51.100.1", "198.51.100.2"), sorry: "203.0.113.9"),
        Family(plain: ["2001:db8::1 443", "fwmark 4"],
               groups: [["2001:db8::1-3 443", "2001:db8::10 8443"], ["2001:db8::1 80", "fwmark 9"], ["fwmark 9"]],
               reals: ("2001:db8:1::1", "2001:db8:1::2"), sorry: "2001:db8:2::9"),
    ]
    var shapes: [(String, String)] = []
    for family in families {
        let addresses = family.plain.map { (head: "virtual_server \($0)", group: "") }
            + family.groups.map { (head: "virtual_server group G", group: "virtual_server_group G {\n\($0.joined(separator: "\n"))\n}\n") }
        for (head, group) in addresses {
            for method in ["NAT", "DR", "TUN"] {
                for port in ["", " 80", " 8443"] {
                    for sorry in ["", "sorry_server \(family.sorry)", "sorry_server \(family.sorry) 9000"] {
                        for proto in ["TCP", "UDP"] {
                            // Under NAT one address may serve twice, on two ports; DR and TUN would give both one
                            // destination (keepalived too), so they get one.
                            let twin = method == "NAT" ? "real_server \(family.reals.0) 8081 { \(check) }" : ""
                            let text = """
                            \(group)\(head) {
                                lb_kind \(method)
                                protocol \(proto)
                                persistence_timeout 60
                                \(sorry)
                                real_server \(family.reals.0)\(port) { \(check) }
                                \(twin)
                                real_server \(family.reals.1) { }
                            }
                            """
                            shapes.append((text, "\(head) [\(group.split(separator: "\n").dropFirst().dropLast().joined(separator: "; "))] \(method) rs\(port) \(sorry) \(proto)"))
                        }
                    }
                }
            }
        }
    }
    return shapes
}()

@Suite struct IdentityAgreementTests {
    @Test(arguments: Inputs.files)
    func everyShippedConfiguration(_ file: String) throws {
        let path = Inputs.repository.appendingPathComponent(file).path
        let config = try #require(ConfigLoader.load(path: path).configuration(for: [.virtualServers]))
        expectAgreement(config, file)
    }

    @Test func theShippedConfigurationsHaveCheckedRealServers() throws {
        var reported = 0
        for file in Inputs.files {
            let path = Inputs.repository.appendingPathComponent(file).path
            guard let config = ConfigLoader.load(path: path).configuration(for: [.virtualServers]) else { continue }
            reported += HealthScheduler(configuration: config, now: MonotonicInstant(nanoseconds: 0)).realServerIDs.count
        }
        #expect(reported > 20, "the agreement above compared real identities, not empty lists")
    }

    @Test func everyGeneratedGroupShape() {
        #expect(shapes.count > 300)
        for (text, label) in shapes {
            guard let config = load(text) else {
                Issue.record("\(label) does not load:\n\(ConfigLoader.parse(text).diagnostics)")
                continue
            }
            expectAgreement(config, label)
        }
    }

    /// A report about a group's real server names one service; ipvsd takes it for the whole real server, as
    /// keepalived runs one checker for every service of the group.
    @Test func aReportForAnyEntryIsAboutTheSameRealServer() throws {
        let config = try #require(load("""
        virtual_server_group G {
            192.0.2.1 80
            192.0.2.2 8080
        }
        virtual_server group G {
            protocol TCP
            lb_kind DR
            real_server 198.51.100.1 { MISC_CHECK { misc_path /bin/true } }
        }
        """))
        let ids = HealthScheduler(configuration: config, now: MonotonicInstant(nanoseconds: 0)).realServerIDs
        #expect(ids == [RealServerID(protocol: .tcp, virtualAddress: IPAddress("192.0.2.1")!, virtualPort: 80,
                                     realAddress: IPAddress("198.51.100.1")!, realPort: 80),
                        RealServerID(protocol: .tcp, virtualAddress: IPAddress("192.0.2.2")!, virtualPort: 8080,
                                     realAddress: IPAddress("198.51.100.1")!, realPort: 8080)])
        let map = PoolMap(config)
        #expect(Set(ids.compactMap { map.locate($0)?.destination })
                == [IPVSDestinationKey(address: IPAddress("198.51.100.1")!, port: 0)])
    }
}
