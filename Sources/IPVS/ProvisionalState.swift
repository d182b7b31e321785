// What a restarted ipvsd assumes about the real servers checkd has not reported on yet. The verdicts lived in
// the earlier process's memory, but the kernel's table still shows what that process made of them: a server
// present in a managed service was up at the weight it has, one missing (or at weight 0 under
// inhibit_on_failure) was down. Taken as provisional verdicts they make the first reconcile after a restart
// change nothing, until checkd's own verdicts replace them. Pure: the pools, the kernel's table and what the
// earlier run left in the runtime directory in; verdicts and quorum states out.

/// Verdicts and quorum states read back from the kernel's table.
public struct IPVSProvisionalState: Hashable, Sendable {
    /// Pool name → destination → the verdict the kernel's table shows.
    public var health: [String: [IPVSDestinationKey: IPVSHealth]]
    /// Pool name → the quorum state to start from (see `provisionalState`); absent: computed afresh.
    public var quorumUp: [String: Bool]
}

/// The provisional state of `pools` as `kernel` shows it.
///
/// - Only a pool one of whose services an earlier run managed (`managedBefore`) and the kernel still holds gets
///   any: at the first start after boot, and for a service new in the configuration, nothing is kept and the
///   start states apply, as with keepalived.
/// - Only a checked real server gets a verdict: one without checkers is alive as configured whatever the kernel
///   shows, since no verdict would ever replace a provisional one.
/// - A real server missing from the kernel is taken as down only when the earlier run configured it
///   (`realServersBefore`, by service; a service missing there counts as having had every real server); one
///   added to the configuration since gets its start state.
/// - The quorum state is the one that, with these verdicts, reproduces the kernel's table and stays as it is
///   (the sorry server in or out, with hysteresis). When both states or neither do, it is the one last
///   announced to checkd, if any.
public func provisionalState(pools: [IPVSPoolSpec], kernel: IPVSTable, managedBefore: Set<IPVSServiceKey>,
                             realServersBefore: [IPVSServiceKey: Set<IPVSDestinationKey>],
                             announcedQuorum: [String: Bool]) -> IPVSProvisionalState {
    var health: [String: [IPVSDestinationKey: IPVSHealth]] = [:]
    var quorumUp: [String: Bool] = [:]
    for pool in pools {
        // Every service of a pool carries the same destinations: the first one installed shows them.
        guard let installed = pool.services.lazy.filter({ managedBefore.contains($0.key) })
            .compactMap({ kernel.servers[$0.key] }).first else { continue }
        let configuredBefore = realServersBefore[installed.service.key]
        var verdicts: [IPVSDestinationKey: IPVSHealth] = [:]
        for spec in pool.realServers where spec.checked {
            let key = spec.destination.key
            if let present = installed.destinations[key] {
                let inhibited = spec.inhibitOnFailure && present.weight == 0
                verdicts[key] = IPVSHealth(up: !inhibited, weight: inhibited ? spec.destination.weight : present.weight)
            } else if configuredBefore?.contains(key) ?? true {
                verdicts[key] = IPVSHealth(up: false, weight: spec.destination.weight)
            }
        }
        if !verdicts.isEmpty { health[pool.name] = verdicts }

        let shown = installed.destinations.mapValues(\.weight)
        var shownService = pool   // one service tells as much as a whole group, at a fraction of the cost
        shownService.services = [installed.service]
        let reproducing = [true, false].filter { up in
            let state = desiredState(pools: [shownService], health: [pool.name: verdicts],
                                     previousQuorumUp: [pool.name: up])
            return state.quorumUp[pool.name] == up
                && state.table.servers[installed.service.key]?.destinations.mapValues(\.weight) == shown
        }
        if reproducing.count == 1 {
            quorumUp[pool.name] = reproducing[0]
        } else if let announced = announcedQuorum[pool.name] {
            quorumUp[pool.name] = announced
        }
    }
    return IPVSProvisionalState(health: health, quorumUp: quorumUp)
}
