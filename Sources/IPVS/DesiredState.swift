// What the kernel's table should hold, from the configured pools and the latest health verdicts.
// Pure: plain parameters in, a table and the pools' quorum states out. It follows keepalived's
// check/ipwrapper.c rules (read for behaviour only): real servers alive at start unless `alpha`,
// a failed one removed or weighted 0 (`inhibit_on_failure`), and the sorry server replacing
// the pool while the quorum is lost, with hysteresis on both edges.

/// A configured real server: its destination (with the configured weight) and its failure rules.
public struct IPVSRealServerSpec: Hashable, Sendable {
    /// Its key names the server within the pool (health verdicts are keyed by it) and is its place in every
    /// service unless `servicePorts` says otherwise.
    public var destination: IPVSDestination
    /// Its port in each of the pool's services, in their order, when one differs from `destination.key.port`
    /// (a DR or TUN server takes each service's port, and a group's services may have different ones); empty
    /// when it is the same in all.
    public var servicePorts: [UInt16]
    /// `inhibit_on_failure`: a failed server stays with weight 0 instead of being removed.
    public var inhibitOnFailure: Bool
    /// False under `alpha`: the server counts as down until a check says otherwise.
    public var startsUp: Bool
    /// False for a server without checkers: checkd never reports on it, and it is alive as configured.
    public var checked: Bool

    public init(destination: IPVSDestination, servicePorts: [UInt16] = [], inhibitOnFailure: Bool = false,
                startsUp: Bool = true, checked: Bool = true) {
        self.destination = destination
        self.servicePorts = servicePorts
        self.inhibitOnFailure = inhibitOnFailure
        self.startsUp = startsUp
        self.checked = checked
    }

    /// Its key in the pool's `index`-th service.
    public func key(inService index: Int) -> IPVSDestinationKey {
        servicePorts.isEmpty ? destination.key : destination.key.withPort(servicePorts[index])
    }
}

/// The checker's latest verdict on a real server: up or down, and the weight it should carry.
public struct IPVSHealth: Hashable, Sendable {
    public var up: Bool
    public var weight: Int32

    public init(up: Bool, weight: Int32) {
        self.up = up
        self.weight = weight
    }
}

/// One `virtual_server` block: the services it installs (several for a group) and its pool.
public struct IPVSPoolSpec: Hashable, Sendable {
    /// A stable name for logs and for the quorum state (e.g. "tcp 192.0.2.1:80", "group web").
    public var name: String
    /// Every service sharing this pool; a `virtual_server group` gives one per group entry.
    public var services: [IPVSService]
    public var realServers: [IPVSRealServerSpec]
    /// The destination installed while the quorum is lost; nil when none is configured.
    public var sorryServer: IPVSDestination?
    /// The sorry server's port in each service, as `IPVSRealServerSpec.servicePorts`.
    public var sorryServerPorts: [UInt16]
    /// `sorry_server_inhibit`: the sorry server stays with weight 0 while it is not needed.
    public var sorryServerInhibit: Bool
    /// Minimum total weight of live servers (keepalived's default 1).
    public var quorum: Int
    /// Weight tolerated around the quorum before its state flips (default 0).
    public var hysteresis: Int

    public init(name: String, services: [IPVSService], realServers: [IPVSRealServerSpec],
                sorryServer: IPVSDestination? = nil, sorryServerPorts: [UInt16] = [], sorryServerInhibit: Bool = false,
                quorum: Int = 1, hysteresis: Int = 0) {
        self.name = name
        self.services = services
        self.realServers = realServers
        self.sorryServer = sorryServer
        self.sorryServerPorts = sorryServerPorts
        self.sorryServerInhibit = sorryServerInhibit
        self.quorum = quorum
        self.hysteresis = hysteresis
    }
}

/// The result: the table to reconcile towards, and each pool's quorum state to pass in next time.
public struct IPVSDesiredState: Hashable, Sendable {
    public var table: IPVSTable
    /// Pool name → quorum up; hysteresis needs the previous state to decide the next one.
    public var quorumUp: [String: Bool]
}

/// The desired table for `pools` given `health` (pool name → destination key → verdict; a server with
/// no verdict keeps its start state) and each pool's previous quorum state (absent: first computation).
public func desiredState(pools: [IPVSPoolSpec], health: [String: [IPVSDestinationKey: IPVSHealth]],
                         previousQuorumUp: [String: Bool]) -> IPVSDesiredState {
    var servers: [IPVSVirtualServer] = []
    var quorumUp: [String: Bool] = [:]
    for pool in pools {
        let verdicts = health[pool.name] ?? [:]
        // Each real server's liveness and the weight it would carry when alive.
        let members = pool.realServers.map { spec -> (spec: IPVSRealServerSpec, alive: Bool, weight: Int32) in
            if let verdict = verdicts[spec.destination.key] {
                return (spec, verdict.up, max(0, verdict.weight))
            }
            return (spec, spec.startsUp, max(0, spec.destination.weight))
        }
        // Like keepalived's weigh_live_realservers, saturating instead of trapping on absurd weights.
        let liveWeight = members.reduce(0) { sum, m in m.alive ? saturating(sum, plus: Int(m.weight)) : sum }
        let up = nextQuorumState(previous: previousQuorumUp[pool.name], liveWeight: liveWeight,
                                 quorum: pool.quorum, hysteresis: pool.hysteresis)
        quorumUp[pool.name] = up
        // The sorry server takes over only when one is configured; otherwise quorum changes nothing here.
        let sorryInUse = !up && pool.sorryServer != nil
        let portsDiffer = !pool.sorryServerPorts.isEmpty || pool.realServers.contains { !$0.servicePorts.isEmpty }
        // Where every destination has one port in all services, the list is made once for all of them.
        var shared: [IPVSDestination]?
        for (index, service) in pool.services.enumerated() {
            if !portsDiffer, let shared {
                servers.append(IPVSVirtualServer(service, destinations: shared))
                continue
            }
            var destinations: [IPVSDestination] = []
            for m in members {
                var d = m.spec.destination
                d.key = m.spec.key(inService: index)
                d.weight = m.weight
                if m.alive && !sorryInUse {
                    destinations.append(d)
                } else if m.spec.inhibitOnFailure {
                    d.weight = 0
                    destinations.append(d)
                }
            }
            if var sorry = pool.sorryServer {
                if !pool.sorryServerPorts.isEmpty { sorry.key = sorry.key.withPort(pool.sorryServerPorts[index]) }
                // A sorry server that is also a real server is left to the real server's entry unless in use.
                let duplicatesRealServer = destinations.contains { $0.key == sorry.key }
                if sorryInUse {
                    destinations.removeAll { $0.key == sorry.key }
                    destinations.append(sorry)
                } else if pool.sorryServerInhibit && !duplicatesRealServer {
                    sorry.weight = 0
                    destinations.append(sorry)
                }
            }
            shared = destinations
            servers.append(IPVSVirtualServer(service, destinations: destinations))
        }
    }
    return IPVSDesiredState(table: IPVSTable(servers), quorumUp: quorumUp)
}

/// keepalived's quorum rule: at start, up when the live weight reaches quorum + hysteresis; afterwards
/// a down pool comes up at quorum + hysteresis, an up pool goes down below quorum − hysteresis (or at 0).
public func nextQuorumState(previous: Bool?, liveWeight: Int, quorum: Int, hysteresis: Int) -> Bool {
    let gain = saturating(quorum, plus: hysteresis)
    guard let previous else { return liveWeight >= gain }
    if previous {
        let loss = hysteresis == Int.min ? Int.max : saturating(quorum, plus: -hysteresis)
        return !(liveWeight == 0 || liveWeight < loss)
    }
    return liveWeight >= gain
}

/// a + b, clamped to Int's range instead of trapping (weights and quorums come from a file and a peer).
private func saturating(_ a: Int, plus b: Int) -> Int {
    let (sum, overflow) = a.addingReportingOverflow(b)
    guard overflow else { return sum }
    return b > 0 ? Int.max : Int.min
}
