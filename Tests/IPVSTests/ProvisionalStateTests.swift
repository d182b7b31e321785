// The provisional state a restarted ipvsd reads back from the kernel's table: which real servers get a verdict,
// which one, and which quorum state reproduces the table.
import IPVS
import Testing
import Vocabulary

private let web: IPVSServiceKey = .address(.tcp, IPAddress("192.0.2.10")!, port: 80)

private func key(_ last: UInt8) -> IPVSDestinationKey {
    IPVSDestinationKey(address: IPAddress("198.51.100.\(last)")!, port: 80)
}

private func rs(_ last: UInt8, weight: Int32 = 1, inhibit: Bool = false, checked: Bool = true) -> IPVSRealServerSpec {
    IPVSRealServerSpec(destination: IPVSDestination(key: key(last), forwarding: .route, weight: weight),
                       inhibitOnFailure: inhibit, checked: checked)
}

private let sorry = IPVSDestination(key: IPVSDestinationKey(address: IPAddress("203.0.113.9")!, port: 80),
                                    forwarding: .route, weight: 1)

private func pool(_ servers: [IPVSRealServerSpec], sorry: IPVSDestination? = nil, quorum: Int = 1,
                  hysteresis: Int = 0) -> IPVSPoolSpec {
    IPVSPoolSpec(name: "web", services: [IPVSService(key: web, scheduler: "rr")], realServers: servers,
                 sorryServer: sorry, quorum: quorum, hysteresis: hysteresis)
}

/// The kernel holding `web` with these destinations (weights by the last byte of the address).
private func kernel(_ weights: [UInt8: Int32], sorryWeight: Int32? = nil) -> IPVSTable {
    var destinations = weights.map { IPVSDestination(key: key($0.key), forwarding: .route, weight: $0.value) }
    if let sorryWeight {
        var s = sorry
        s.weight = sorryWeight
        destinations.append(s)
    }
    return IPVSTable([IPVSVirtualServer(IPVSService(key: web, scheduler: "rr"), destinations: destinations)])
}

private func provisional(_ p: IPVSPoolSpec, _ table: IPVSTable, managed: Set<IPVSServiceKey> = [web],
                         before: [IPVSServiceKey: Set<IPVSDestinationKey>] = [:],
                         announced: [String: Bool] = [:]) -> IPVSProvisionalState {
    provisionalState(pools: [p], kernel: table, managedBefore: managed, realServersBefore: before,
                     announcedQuorum: announced)
}

@Suite struct ProvisionalStateTests {
    @Test func presentIsUpAtItsWeightAndMissingIsDown() {
        let state = provisional(pool([rs(1), rs(2, weight: 3)]), kernel([1: 5]))
        #expect(state.health["web"] == [key(1): IPVSHealth(up: true, weight: 5), key(2): IPVSHealth(up: false, weight: 3)])
        let desired = desiredState(pools: [pool([rs(1), rs(2, weight: 3)])], health: state.health,
                                   previousQuorumUp: state.quorumUp)
        #expect(desired.table == kernel([1: 5]), "the start reconcile has nothing to do")
    }

    @Test func weightZeroUnderInhibitIsDownAndWithoutInhibitIsUpAtZero() {
        let state = provisional(pool([rs(1, inhibit: true), rs(2)]), kernel([1: 0, 2: 0]))
        #expect(state.health["web"]?[key(1)]?.up == false)
        #expect(state.health["web"]?[key(2)] == IPVSHealth(up: true, weight: 0))
    }

    @Test func nothingIsKeptForAServiceNotManagedBeforeOrNotInTheKernel() {
        #expect(provisional(pool([rs(1)]), kernel([:]), managed: []).health.isEmpty, "first start after boot")
        #expect(provisional(pool([rs(1)]), IPVSTable()).health.isEmpty, "a service new in the configuration")
        #expect(provisional(pool([rs(1)]), IPVSTable()).quorumUp.isEmpty)
    }

    @Test func aServerWithoutCheckersIsAliveAsConfigured() {
        #expect(provisional(pool([rs(1, checked: false), rs(2)]), kernel([2: 1])).health["web"] == [key(2): IPVSHealth(up: true, weight: 1)])
    }

    @Test func aMissingServerTheEarlierRunDidNotConfigureGetsItsStartState() {
        let state = provisional(pool([rs(1), rs(2)]), kernel([:]), before: [web: [key(1)]])
        #expect(state.health["web"] == [key(1): IPVSHealth(up: false, weight: 1)], "2 is new: no verdict")
    }

    @Test func theSorryServerInTheKernelMeansTheQuorumWasLost() {
        let p = pool([rs(1), rs(2)], sorry: sorry, quorum: 2)
        let state = provisional(p, kernel([:], sorryWeight: 1))
        #expect(state.quorumUp == ["web": false])
        #expect(state.health["web"]?.values.allSatisfy { !$0.up } == true)
        #expect(desiredState(pools: [p], health: state.health, previousQuorumUp: state.quorumUp).table
            == kernel([:], sorryWeight: 1))
    }

    /// Quorum 2 with hysteresis 1 and one server of weight 2 alive: up stays up (2 ≥ 1) and down stays down
    /// (2 < 3). Only the sorry server tells them apart; without one, the state last announced decides.
    @Test func hysteresisIsResolvedByTheSorryServerOrTheAnnouncedState() {
        let withSorry = pool([rs(1, weight: 2), rs(2)], sorry: sorry, quorum: 2, hysteresis: 1)
        #expect(provisional(withSorry, kernel([1: 2])).quorumUp == ["web": true], "no sorry server: quorum was up")
        #expect(provisional(withSorry, kernel([:], sorryWeight: 1), announced: ["web": true]).quorumUp == ["web": false])
        let plain = pool([rs(1, weight: 2), rs(2)], quorum: 2, hysteresis: 1)
        #expect(provisional(plain, kernel([1: 2]), announced: ["web": false]).quorumUp == ["web": false])
        #expect(provisional(plain, kernel([1: 2])).quorumUp.isEmpty, "nothing to go by: computed afresh")
    }
}
