// ipvsd's part of a status answer: each configured virtual server beside what the kernel holds for it.
// Pure: TableKeeper's state and one dump of the kernel's table in, the Control types tandemctl renders out
// (their doc comments are the contract; checkd names its realServerChecks the same way).
import Control
import IPVS
import KeepalivedConfig
import Vocabulary

/// One kernel service as a status dump returns it: the service with its counters, and its destinations with
/// their connection counts and counters.
struct IPVSKernelService: Hashable {
    var entry: IPVSServiceEntry
    var destinations: [IPVSDestinationEntry]
}

/// Every configured virtual server in file order, with its services and destinations as `kernel` holds them.
/// `kernel` nil: the table could not be read, and the configured view alone is given (nothing in the kernel).
/// `health`, `provisional` and `quorumUp` are TableKeeper's: checkd's verdicts (or provisional ones read back
/// from the kernel at start), the servers whose verdict is still provisional, and each pool's quorum state.
func virtualServerStatuses(pools: [IPVSPoolSpec], health: [String: [IPVSDestinationKey: IPVSHealth]],
                           provisional: [String: Set<IPVSDestinationKey>], quorumUp: [String: Bool],
                           kernel: [IPVSKernelService]?) -> [VirtualServerStatus] {
    var inKernel: [IPVSServiceKey: IPVSKernelService] = [:]
    inKernel.reserveCapacity(kernel?.count ?? 0)
    for service in kernel ?? [] { inKernel[service.entry.service.key] = service }
    return pools.map { pool in
        let kernelServices = pool.services.map { inKernel[$0.key] }
        // Destination keys the kernel holds, per service of the pool (in the pool's order).
        let heldKeys = kernelServices.map { Set(($0?.destinations ?? []).map(\.destination.key)) }
        let services = zip(pool.services, kernelServices).map { configured, held in
            serviceStatus(configured, held: held)
        }
        /// In the kernel for every service of the block, at its port in each.
        func isInKernel(_ keyInService: (Int) -> IPVSDestinationKey) -> Bool {
            !pool.services.isEmpty && pool.services.indices.allSatisfy { heldKeys[$0].contains(keyInService($0)) }
        }
        let verdicts = health[pool.name] ?? [:]
        let unsettled = provisional[pool.name] ?? []
        var realServers = pool.realServers.map { spec -> RealServerStatus in
            let key = spec.destination.key
            let verdict = verdicts[key]
            let state: String
            if !spec.checked {
                state = "unchecked"
            } else if unsettled.contains(key) {
                state = "provisional"
            } else if let verdict {
                state = verdict.up ? "up" : "down"
            } else {
                // No verdict from checkd yet: the start state (down under alpha).
                state = spec.startsUp ? "up" : "down"
            }
            let first = pool.services.isEmpty ? key : spec.key(inService: 0)
            return RealServerStatus(address: first.description, health: state,
                                    weight: Int(max(0, verdict?.weight ?? spec.destination.weight)),
                                    inKernel: isInKernel { spec.key(inService: $0) })
        }
        if let sorry = pool.sorryServer {
            let key = { (index: Int) in
                pool.sorryServerPorts.isEmpty ? sorry.key : sorry.key.withPort(pool.sorryServerPorts[index])
            }
            realServers.append(RealServerStatus(address: (pool.services.isEmpty ? sorry.key : key(0)).description,
                                                health: "sorry", weight: Int(sorry.weight), inKernel: isInKernel(key)))
        }
        return VirtualServerStatus(name: pool.name, services: services, quorumUp: quorumUp[pool.name] ?? true,
                                   realServers: realServers)
    }
}

/// One configured service: the kernel's scheduler, counters and destinations when it holds it.
private func serviceStatus(_ configured: IPVSService, held: IPVSKernelService?) -> ServiceStatus {
    guard let held else {
        return ServiceStatus(service: serviceName(configured.key), scheduler: configured.scheduler, inKernel: false)
    }
    let destinations = held.destinations.sorted { $0.destination.key < $1.destination.key }.map { d in
        DestinationStatus(address: d.destination.key.description, forwarding: forwardingName(d.destination.forwarding),
                          weight: Int(d.destination.weight), activeConnections: Int(d.activeConnections),
                          inactiveConnections: Int(d.inactiveConnections), counters: TrafficCounters(d.stats))
    }
    return ServiceStatus(service: serviceName(configured.key), scheduler: held.entry.service.scheduler, inKernel: true,
                         counters: TrafficCounters(held.entry.stats), destinations: destinations)
}

/// ipvsadm -Ln's spelling of a service: "TCP 192.0.2.100:80", "UDP [2001:db8::100]:53", "FWM 1", "FWM 1 IPv6".
func serviceName(_ key: IPVSServiceKey) -> String {
    switch key {
    case .address(let proto, let address, let port):
        let host = address.family == .ipv6 ? "[\(address)]" : "\(address)"
        return "\(proto.description.uppercased()) \(host):\(port)"
    case .firewallMark(let family, let mark):
        return "FWM \(mark)" + (family == .ipv6 ? " IPv6" : "")
    }
}

/// ipvsadm -Ln's Forward column, lowercase: "masq", "route", "tunnel", "local", "bypass".
func forwardingName(_ forwarding: IPVSForwarding) -> String {
    switch forwarding {
    case .masquerade: return "masq"
    case .route: return "route"
    case .tunnel: return "tunnel"
    case .local: return "local"
    case .bypass: return "bypass"
    }
}

/// The configured lvs_sync_daemon beside the roles the kernel runs (`running` nil: they could not be read, and
/// none is shown); nil when none is configured.
func syncDaemonStatus(_ settings: LVSSyncDaemon?, running: [IPVSSyncDaemon]?) -> SyncDaemonStatus? {
    guard let settings else { return nil }
    let roles = Set((running ?? []).map(\.state))
    return SyncDaemonStatus(interface: settings.interface, syncID: Int(settings.syncID), instance: settings.vrrpInstance,
                            running: [IPVSSyncState.master, .backup].filter(roles.contains).map { $0 == .master ? "master" : "backup" })
}

extension TrafficCounters {
    init(_ stats: IPVSStats) {
        self.init(connections: stats.connections, inPackets: stats.inPackets, outPackets: stats.outPackets,
                  inBytes: stats.inBytes, outBytes: stats.outBytes, connectionsPerSecond: stats.connectionRate,
                  inPacketsPerSecond: stats.inPacketRate, outPacketsPerSecond: stats.outPacketRate,
                  inBytesPerSecond: stats.inByteRate, outBytesPerSecond: stats.outByteRate)
    }
}
