// The desired table from pools and health: keepalived's rules for alpha, inhibit_on_failure,
// the sorry server and quorum with hysteresis, checked one rule at a time.
import IPVS
import Testing
import Vocabulary

private let vip = IPAddress("192.0.2.10")!
private let web: IPVSServiceKey = .address(.tcp, vip, port: 80)

private func rs(_ last: UInt8, weight: Int32 = 1, inhibit: Bool = false, alpha: Bool = false,
                forwarding: IPVSForwarding = .route) -> IPVSRealServerSpec {
    IPVSRealServerSpec(destination: IPVSDestination(key: key(last), forwarding: forwarding, weight: weight),
                       inhibitOnFailure: inhibit, startsUp: !alpha)
}

private func key(_ last: UInt8) -> IPVSDestinationKey {
    IPVSDestinationKey(address: IPAddress("198.51.100.\(last)")!, port: 80)
}

private func pool(_ servers: [IPVSRealServerSpec], sorry: IPVSDestination? = nil, sorryInhibit: Bool = false,
                  quorum: Int = 1, hysteresis: Int = 0, services: [IPVSService]? = nil) -> IPVSPoolSpec {
    IPVSPoolSpec(name: "web", services: services ?? [IPVSService(key: web, scheduler: "rr")], realServers: servers,
                 sorryServer: sorry, sorryServerInhibit: sorryInhibit, quorum: quorum, hysteresis: hysteresis)
}

/// Destination key → weight of the one service `web` in the desired table.
private func weights(_ state: IPVSDesiredState, _ service: IPVSServiceKey = web) -> [IPVSDestinationKey: Int32] {
    (state.table.servers[service]?.destinations ?? [:]).mapValues(\.weight)
}

private func compute(_ p: IPVSPoolSpec, _ health: [IPVSDestinationKey: IPVSHealth] = [:],
                     previous: Bool? = nil) -> IPVSDesiredState {
    desiredState(pools: [p], health: ["web": health], previousQuorumUp: previous.map { ["web": $0] } ?? [:])
}

private let sorry = IPVSDestination(key: IPVSDestinationKey(address: IPAddress("203.0.113.9")!, port: 80),
                                    forwarding: .masquerade, weight: 1)
private let down = IPVSHealth(up: false, weight: 1)

@Suite struct DesiredStateTests {
    @Test func realServersStartAliveWithTheirConfiguredWeight() {
        let state = compute(pool([rs(1, weight: 3), rs(2)]))
        #expect(weights(state) == [key(1): 3, key(2): 1])
        #expect(state.quorumUp["web"] == true)
    }

    @Test func alphaStartsThemDownUntilACheckSaysUp() {
        let p = pool([rs(1, alpha: true), rs(2, alpha: true)])
        #expect(weights(compute(p)) == [:])
        #expect(compute(p).quorumUp["web"] == false)
        let oneUp = compute(p, [key(2): IPVSHealth(up: true, weight: 5)], previous: false)
        #expect(weights(oneUp) == [key(2): 5])
        #expect(oneUp.quorumUp["web"] == true)
    }

    @Test func aFailedServerIsRemovedOrWeightedZeroWithInhibit() {
        let p = pool([rs(1), rs(2, inhibit: true), rs(3)])
        let state = compute(p, [key(1): down, key(2): down], previous: true)
        #expect(weights(state) == [key(2): 0, key(3): 1])
        // The destination keeps its forwarding method while inhibited.
        #expect(state.table.servers[web]?.destinations[key(2)]?.forwarding == .route)
    }

    @Test func theCheckersWeightReplacesTheConfiguredOneAndNegativeIsZero() {
        let state = compute(pool([rs(1, weight: 4), rs(2)]),
                            [key(1): IPVSHealth(up: true, weight: 9), key(2): IPVSHealth(up: true, weight: -3)])
        #expect(weights(state) == [key(1): 9, key(2): 0])
    }

    @Test func theSorryServerReplacesThePoolWhenAllAreDownAndLeavesWhenOneReturns() {
        let p = pool([rs(1), rs(2, inhibit: true)], sorry: sorry)
        let allDown = compute(p, [key(1): down, key(2): down], previous: true)
        #expect(weights(allDown) == [key(2): 0, sorry.key: 1])
        #expect(allDown.table.servers[web]?.destinations[sorry.key]?.forwarding == .masquerade)
        #expect(allDown.quorumUp["web"] == false)
        let back = compute(p, [key(1): IPVSHealth(up: true, weight: 1), key(2): down], previous: false)
        #expect(weights(back) == [key(1): 1, key(2): 0])
        #expect(back.quorumUp["web"] == true)
    }

    @Test func anInhibitedSorryServerStaysAtWeightZeroWhileNotNeeded() {
        let p = pool([rs(1)], sorry: sorry, sorryInhibit: true)
        #expect(weights(compute(p)) == [key(1): 1, sorry.key: 0])
        #expect(weights(compute(p, [key(1): down], previous: true)) == [sorry.key: 1])
    }

    @Test func withoutASorryServerLosingQuorumLeavesTheLiveServersInPlace() {
        let p = pool([rs(1, weight: 1), rs(2, weight: 1)], quorum: 3)
        let state = compute(p, previous: true)
        #expect(state.quorumUp["web"] == false)
        #expect(weights(state) == [key(1): 1, key(2): 1])
    }

    @Test func belowQuorumWithASorryServerTheLiveServersAreTakenOut() {
        // quorum 3, live weight 2: keepalived removes the alive servers and installs the sorry server.
        let p = pool([rs(1), rs(2), rs(3)], sorry: sorry, quorum: 3)
        let state = compute(p, [key(3): down], previous: true)
        #expect(weights(state) == [sorry.key: 1])
    }

    @Test func hysteresisDampensBothEdges() {
        // quorum 4 ± 1: an up pool stays up down to weight 3, goes down at 2;
        // a down pool comes back only at 5.
        let p = pool((1...5).map { rs($0) }, sorry: sorry, quorum: 4, hysteresis: 1)
        func live(_ n: Int) -> [IPVSDestinationKey: IPVSHealth] {
            Dictionary(uniqueKeysWithValues: (1...5).map { (key(UInt8($0)), IPVSHealth(up: $0 <= n, weight: 1)) })
        }
        #expect(compute(p, live(3), previous: true).quorumUp["web"] == true)
        #expect(compute(p, live(2), previous: true).quorumUp["web"] == false)
        #expect(compute(p, live(4), previous: false).quorumUp["web"] == false)
        #expect(weights(compute(p, live(4), previous: false)) == [sorry.key: 1])
        #expect(compute(p, live(5), previous: false).quorumUp["web"] == true)
        // At start (no previous state) the gain threshold applies: 4 live of quorum 4+1 is down.
        #expect(compute(p, live(4)).quorumUp["web"] == false)
    }

    @Test func quorumRuleEdges() {
        #expect(nextQuorumState(previous: nil, liveWeight: 0, quorum: 1, hysteresis: 0) == false)
        #expect(nextQuorumState(previous: true, liveWeight: 0, quorum: 0, hysteresis: 0) == false)
        #expect(nextQuorumState(previous: true, liveWeight: 1, quorum: 2, hysteresis: 1) == true)
        #expect(nextQuorumState(previous: false, liveWeight: 2, quorum: 2, hysteresis: 1) == false)
        // Absurd numbers saturate instead of trapping.
        #expect(nextQuorumState(previous: nil, liveWeight: Int.max - 1, quorum: Int.max, hysteresis: Int.max) == false)
        #expect(nextQuorumState(previous: true, liveWeight: 1, quorum: Int.min, hysteresis: Int.max) == true)
    }

    @Test func everyServiceOfAGroupGetsThePool() {
        let services = [IPVSService(key: web, scheduler: "wlc"),
                        IPVSService(key: .address(.tcp, IPAddress("192.0.2.11")!, port: 80), scheduler: "wlc"),
                        IPVSService(key: .firewallMark(.ipv4, 7), scheduler: "wlc")]
        let state = compute(pool([rs(1), rs(2)], services: services), [key(2): down], previous: true)
        #expect(state.table.servers.count == 3)
        for service in services {
            #expect(weights(state, service.key) == [key(1): 1])
            #expect(state.table.servers[service.key]?.service == service)
        }
    }

    /// A DR server of a group whose entries have different ports: one server (one verdict, keyed by its pool key)
    /// with a destination on each service's port, the sorry server likewise.
    @Test func aServerCanHaveAnotherPortInEachService() {
        let other: IPVSServiceKey = .address(.tcp, IPAddress("192.0.2.11")!, port: 8080)
        let mark: IPVSServiceKey = .firewallMark(.ipv4, 7)
        let services = [web, other, mark].map { IPVSService(key: $0, scheduler: "wlc") }
        var server = rs(1)
        server.destination.key.port = 0
        server.servicePorts = [80, 8080, 0]
        var p = pool([server, rs(2)], sorry: sorry, services: services)
        p.sorryServerPorts = [80, 8080, 0]
        let pooled = IPVSDestinationKey(address: IPAddress("198.51.100.1")!, port: 0)
        let up = compute(p, [key(2): down], previous: true)
        #expect(weights(up, web) == [key(1): 1])
        #expect(weights(up, other) == [key(1).withPort(8080): 1])
        #expect(weights(up, mark) == [key(1).withPort(0): 1])
        let allDown = compute(p, [pooled: down, key(2): down], previous: true)
        #expect(weights(allDown, other) == [sorry.key.withPort(8080): 1], "the verdict holds in every service")
        #expect(weights(allDown, mark) == [sorry.key.withPort(0): 1])
    }

    @Test func serviceSettingsPassThroughUnchanged() {
        let persistent = IPVSService(key: .firewallMark(.ipv6, 9), scheduler: "sh",
                                     flags: [.persistent, .shPort], timeout: 300, netmask: 64)
        let state = compute(pool([rs(1, forwarding: .tunnel(IPVSTunnel()))], services: [persistent]))
        #expect(state.table.servers[persistent.key]?.service == persistent)
        #expect(state.table.servers[persistent.key]?.destinations[key(1)]?.forwarding == .tunnel(IPVSTunnel()))
    }

    @Test func aHealthReportForAnUnknownServerChangesNothing() {
        let p = pool([rs(1)])
        #expect(compute(p, [key(99): down]) == compute(p))
    }
}
