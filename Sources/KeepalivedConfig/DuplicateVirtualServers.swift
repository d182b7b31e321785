/// A second `virtual_server` block for the same service, as keepalived 2.2.7 runs it: both blocks are kept, the
/// second's IPVS "add service" fails with EEXIST, which keepalived takes as done (ipvswrapper.c, ipvs_talk), and
/// its real servers are added to the one service. Measured in the lab (keepalived -C, two blocks for one address):
/// the service has the first block's scheduler and persistence, the real servers of both, and a real server in
/// both keeps the first block's weight ("Destination already exists").
///
/// tandem gives the same table by adding the second block's real servers to the first block, each with what it
/// took from its own block (timings, weight, forwarding, inhibit_on_failure, alpha, virtualhost), so its checks
/// run as they did there. What keepalived keeps per block and tandem cannot (a second quorum, sorry server or
/// quorum scripts; a real server in both blocks checked by both) is warned with its consequence.
enum DuplicateVirtualServers {
    static func merge(_ second: VirtualServer, into first: inout VirtualServer, log: inout DiagnosticLog) {
        log.warning(second.location, "virtual_server \(second.address) is already defined at \(first.location): its real servers join that service, which keeps the first block's settings (scheduler, persistence, protocol, quorum), as keepalived does")
        if second.sorryServer != nil || second.quorum != 1 || second.quorumUp != nil || second.quorumDown != nil
            || second.hysteresis != 0 {
            log.warning(second.location, "virtual_server \(second.address): this block's sorry_server, quorum, hysteresis and quorum scripts are not used (keepalived keeps a second quorum for them); the first block's apply to every real server of the service")
        }
        for var real in second.realServers {
            if first.realServers.contains(where: { $0.address == real.address && $0.port == real.port }) {
                log.warning(real.location, "real_server \(real.address)\(real.port.map { " \($0)" } ?? "") is also in the block at \(first.location); the first one is kept with its weight and checks (keepalived keeps that weight but runs the checks of both on it)")
                continue
            }
            real.timing = real.timing.over(second.timing)
            real.declaredWeight = real.declaredWeight ?? second.realServerWeight
            real.forwarding = real.forwarding ?? second.forwarding
            real.inhibitOnFailure = real.inhibitOnFailure ?? second.inhibitOnFailure
            real.alpha = real.alpha ?? second.alpha
            if let host = second.virtualHost {
                for index in real.checks.indices where real.checks[index].virtualHost == nil {
                    real.checks[index].virtualHost = host
                }
            }
            first.realServers.append(real)
        }
    }
}
