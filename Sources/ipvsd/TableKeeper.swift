// Keeps the kernel's table equal to the desired one: dump, diff, apply only the difference.
// Never a flush; a service that is neither configured nor remembered as ours is never touched.
import IPVS
import KeepalivedConfig
import Logging
import Wire

/// What one reconcile did.
struct ReconcileSummary: Equatable {
    var applied = 0
    var failed = 0
    /// The kernel's table could not be read; nothing was changed.
    var dumpFailed = false
}

/// The desired table (configuration + health) and the kernel's, brought together on demand.
final class TableKeeper {
    let kernel: IPVSKernel
    private let logger: Logger
    private(set) var pools: PoolMap
    /// Pool name → destination → checkd's last verdict, or a provisional one read back from the kernel at start;
    /// a server without one keeps its start state.
    private(set) var health: [String: [IPVSDestinationKey: IPVSHealth]] = [:]
    /// Pool name → the real servers whose verdict in `health` is provisional: what the kernel's table showed at
    /// start, kept until checkd reports on the server (for ever if checkd never comes: the table stays as it is).
    private(set) var provisional: [String: Set<IPVSDestinationKey>] = [:]
    private(set) var quorumUp: [String: Bool] = [:]
    private var managed: ManagedServices
    private var configuredRealServers: ConfiguredRealServers
    /// The configuration's real servers by service, until they are written to `configuredRealServers`' file.
    private var realServersToStore: [IPVSServiceKey: Set<IPVSDestinationKey>]?
    /// What the earlier run left in the runtime directory, until the kernel's table is first read (the
    /// provisional state is taken from that first reading, then this is gone).
    private var earlierRun: EarlierRun?
    /// Operations the kernel refused since start (each is retried on the next reconcile).
    private(set) var failedOperations = 0
    /// Above this many changes in one reconcile, each is logged at debug only (a fresh 10,000-service table).
    var detailedLogLimit = 50
    /// The kernel's table as of the last dump plus every operation applied since; nil after any failure.
    /// A health change is applied against it, so one changed destination costs one netlink request whatever
    /// the table's size; the periodic, start and reload reconciles read the kernel again.
    private var kernelView: IPVSTable?
    /// Netlink requests sent by reconciles so far (dumps count one each), for tests and the benchmark.
    private(set) var requestsSent = 0

    /// `runtimeDirectory` keeps ipvsd.managed and ipvsd.realservers across restarts; `announcedQuorum` is the
    /// view checkd was last given (QuorumAnnouncements), for pools whose quorum the kernel's table does not show.
    init(kernel: IPVSKernel, configuration: KeepalivedConfiguration, runtimeDirectory: String,
         announcedQuorum: [String: Bool] = [:], logger: Logger) {
        self.kernel = kernel
        self.logger = logger
        pools = PoolMap(configuration)
        managed = ManagedServices(path: runtimeDirectory + "/ipvsd.managed")
        configuredRealServers = ConfiguredRealServers(path: runtimeDirectory + "/ipvsd.realservers")
        realServersToStore = ConfiguredRealServers.of(pools.pools)
        earlierRun = EarlierRun(managed: managed.keys, realServers: configuredRealServers.earlier,
                                announcedQuorum: announcedQuorum)
    }

    /// Pools whose quorum rests on provisional verdicts, or every pool before the kernel's table has been read:
    /// their quorum changes are not announced to checkd until checkd has reported on each of their servers.
    var unsettledPools: Set<String> {
        earlierRun == nil ? Set(provisional.keys) : Set(pools.pools.map(\.name))
    }

    /// Every service key ipvsd may change: the configuration's and those remembered from earlier runs.
    var managedKeys: Set<IPVSServiceKey> { managed.keys.union(pools.serviceKeys) }

    /// Takes a new configuration; health verdicts of real servers that are still configured are kept.
    func update(_ configuration: KeepalivedConfiguration) {
        pools = PoolMap(configuration)
        kernel.onProgress()   // a step of a long reload (at 10,000 services this and the validation take the longest)
        let names = Set(pools.pools.map(\.name))
        health = health.filter { names.contains($0.key) }
        quorumUp = quorumUp.filter { names.contains($0.key) }
        realServersToStore = ConfiguredRealServers.of(pools.pools)
        // A provisional verdict stays only for a real server still configured and checked: checkd never reports
        // on one without checkers, which is alive as configured.
        for (name, keys) in provisional {
            let checked = Set(pools.pool(named: name)?.realServers.filter(\.checked).map(\.destination.key) ?? [])
            for key in keys.subtracting(checked) { health[name]?[key] = nil }
            provisional[name] = keys.intersection(checked)
        }
        provisional = provisional.filter { !$0.value.isEmpty }
    }

    /// Records a verdict; returns true when it changes something (the caller then reconciles).
    func record(_ report: RealServerHealth) -> Bool {
        guard let (pool, destination) = pools.locate(report.id) else {
            logger.debug("health report for \(report.id), which no virtual_server configures; ignored")
            return false
        }
        let verdict = IPVSHealth(up: report.up, weight: report.weight)
        // checkd's first word on a provisional server counts even when it agrees: the pool may become settled.
        let wasProvisional = provisional[pool]?.remove(destination) != nil
        if provisional[pool]?.isEmpty == true { provisional[pool] = nil }
        guard health[pool, default: [:]].updateValue(verdict, forKey: destination) != verdict || wasProvisional
        else { return false }
        poolsWithNewHealth.insert(pool)
        return true
    }

    /// Takes the provisional state from the first reading of the kernel's table: checkd's verdicts already
    /// received stay, every other checked real server of a service ipvsd managed before keeps what the kernel has.
    private func takeProvisionalState(from kernelTable: IPVSTable) {
        guard let earlier = earlierRun else { return }
        earlierRun = nil
        let state = provisionalState(pools: pools.pools, kernel: kernelTable, managedBefore: earlier.managed,
                                     realServersBefore: earlier.realServers, announcedQuorum: earlier.announcedQuorum)
        for (name, verdicts) in state.health {
            for (key, verdict) in verdicts where health[name]?[key] == nil {
                health[name, default: [:]][key] = verdict
                provisional[name, default: []].insert(key)
            }
        }
        for (name, up) in state.quorumUp where quorumUp[name] == nil { quorumUp[name] = up }
        if !provisional.isEmpty {
            let count = provisional.values.reduce(0) { $0 + $1.count }
            logger.info("\(count) real server(s) of \(provisional.count) virtual server(s) kept as the kernel has them until checkd reports on them")
        }
    }

    /// Pools whose health changed since the last reconcile: the only ones a health reconcile looks at.
    private var poolsWithNewHealth: Set<String> = []

    /// The table the kernel should hold now; updates the quorum states (and logs their changes).
    func desiredTable() -> IPVSTable {
        let state = desiredState(pools: pools.pools, health: health, previousQuorumUp: quorumUp)
        noteQuorum(state.quorumUp)
        quorumUp = state.quorumUp
        return state.table
    }

    private func noteQuorum(_ states: [String: Bool]) {
        for (name, up) in states.sorted(by: { $0.key < $1.key }) where quorumUp[name] != up {
            if quorumUp[name] != nil || !up {
                logger.notice("\(quorumUp[name] == nil ? "starting with" : up ? "gained" : "lost") quorum for \(name)",
                              metadata: ["VIRTUAL_SERVER": "\(name)", "QUORUM": "\(up ? "up" : "down")"])
            }
        }
    }

    /// Applies what the health reports since the last reconcile changed: only their pools are computed and
    /// compared, against the known view of the kernel, so the cost is one pool's, not the table's (10,000
    /// services: one request and well under a millisecond of work instead of a pass over 110,000 objects).
    /// Without a trusted view (after a failure) it falls back to a full reconcile that reads the kernel.
    @discardableResult
    func reconcileHealthChanges() -> ReconcileSummary {
        let names = poolsWithNewHealth
        poolsWithNewHealth = []
        guard var view = kernelView else { return reconcile(reason: "health change") }
        kernelView = nil   // the only reference to the view, so changing it does not copy 10,000 services
        let clock = ContinuousClock()
        let began = clock.now
        let changed = names.sorted().compactMap { pools.pool(named: $0) }
        let state = desiredState(pools: changed, health: health, previousQuorumUp: quorumUp)
        noteQuorum(state.quorumUp)
        quorumUp.merge(state.quorumUp) { _, new in new }
        let keys = Set(changed.flatMap { $0.services.map(\.key) })
        var known = IPVSTable()
        for key in keys { known.servers[key] = view.servers[key] }
        let operations = IPVS.reconcile(desired: state.table, kernel: known, managed: keys)
        var trusted = true
        let summary = apply(operations, to: &view, trusted: &trusted)
        kernelView = trusted ? view : nil
        if !operations.isEmpty {
            logger.info("reconcile (health change): \(summary.applied) change(s) applied, \(summary.failed) failed in \(seconds(clock.now - began)) (\(keys.count) service(s) compared, kernel not read)")
        }
        return summary
    }

    /// Applies the difference between the whole desired table and the kernel's, read first (catching changes
    /// made behind ipvsd's back). Failures are logged and retried next time. With `usingKnownView` (a reload)
    /// the kernel is not read when ipvsd's view of it is trusted: the new configuration is compared with what
    /// ipvsd last wrote or read, and the next periodic reconcile reads the kernel as always (at 10,000 services
    /// the read is most of a reconcile's time).
    @discardableResult
    func reconcile(reason: String, usingKnownView: Bool = false) -> ReconcileSummary {
        var summary = ReconcileSummary()
        let clock = ContinuousClock()
        let began = clock.now
        poolsWithNewHealth = []   // every pool is computed here
        let current: IPVSTable
        let dumpStart = clock.now
        let knownView = usingKnownView ? kernelView : nil
        let readKernel = knownView == nil
        if let knownView {
            current = knownView
        } else {
            do {
                current = try kernel.dumpTable()
                requestsSent += 1
            } catch {
                logger.error("reconcile (\(reason)): cannot read the kernel's IPVS table: \(error); retrying later")
                summary.dumpFailed = true
                kernelView = nil
                return summary
            }
        }
        kernelView = nil   // replaced below; one reference fewer to the table being changed
        let dumped = clock.now
        takeProvisionalState(from: current)
        let desired = desiredTable()
        kernel.onProgress()
        let managedNow = managedKeys
        // Remember what we are about to own before touching the kernel, so a crash midway forgets nothing.
        if !managed.store(managedNow) {
            logger.warning("cannot write \(managed.path); services removed from the configuration while ipvsd is down may stay")
        }
        if let realServers = realServersToStore {
            if configuredRealServers.store(realServers) {
                realServersToStore = nil
            } else {
                logger.warning("cannot write \(configuredRealServers.path); after a restart, real servers missing from the kernel stay out until checkd reports on them")
            }
        }
        // Qualified: the method's own name would shadow the pure core's function.
        let operations = IPVS.reconcile(desired: desired, kernel: current, managed: managedNow)
        kernel.onProgress()
        var table = current
        var trusted = true
        var undeleted: Set<IPVSServiceKey> = []
        let applied = apply(operations, to: &table, trusted: &trusted, undeleted: &undeleted)
        summary.applied = applied.applied
        summary.failed = applied.failed
        kernelView = trusted ? table : nil
        // Forget services that are gone from both the configuration and the kernel.
        let stillThere = managedNow.subtracting(pools.serviceKeys).intersection(Set(current.servers.keys))
        managed.store(pools.serviceKeys.union(undeleted.intersection(stillThere)))
        if !operations.isEmpty {
            let source = readKernel ? "kernel table of \(current.servers.count) services read in \(seconds(dumped - dumpStart))"
                : "compared with the known view of \(current.servers.count) services, kernel not read"
            let timing = "in \(seconds(clock.now - began)) (\(source))"
            logger.info("reconcile (\(reason)): \(summary.applied) change(s) applied, \(summary.failed) failed \(timing)")
        }
        return summary
    }

    /// Sends each operation to the kernel and mirrors it in `view`. Any failure makes the view untrusted (the
    /// next reconcile reads the kernel again) and is logged; a service the kernel would not take has no place
    /// for destinations, so those are skipped quietly.
    private func apply(_ operations: [IPVSOperation], to view: inout IPVSTable, trusted: inout Bool) -> ReconcileSummary {
        var undeleted: Set<IPVSServiceKey> = []
        return apply(operations, to: &view, trusted: &trusted, undeleted: &undeleted)
    }

    private func apply(_ operations: [IPVSOperation], to view: inout IPVSTable, trusted: inout Bool,
                       undeleted: inout Set<IPVSServiceKey>) -> ReconcileSummary {
        var summary = ReconcileSummary()
        var failedServices: Set<IPVSServiceKey> = []
        for operation in operations {
            let service = operation.serviceKey
            if failedServices.contains(service) { summary.failed += 1; continue }
            do {
                requestsSent += 1
                try kernel.apply(operation)
                summary.applied += 1
                if trusted {
                    do { try view.apply(operation) } catch { trusted = false }
                }
                logger.log(level: operations.count <= detailedLogLimit ? .info : .debug, "\(operation)",
                           metadata: operation.metadata)
            } catch {
                summary.failed += 1
                failedOperations += 1
                if case .addService = operation { failedServices.insert(service) }
                if case .deleteService = operation { undeleted.insert(service) }
                trusted = false
                logger.error("\(operation) failed: \(error); retrying on the next reconcile",
                             metadata: operation.metadata)
            }
        }
        return summary
    }

    /// `lvs_flush_on_stop`: removes the managed services (only those) from the kernel.
    func removeManagedServices() {
        let current: IPVSTable
        do { current = try kernel.dumpTable() } catch {
            logger.error("lvs_flush_on_stop: cannot read the kernel's IPVS table: \(error)")
            return
        }
        var remaining: Set<IPVSServiceKey> = []
        for key in managedKeys.sorted() where current.servers[key] != nil {
            do { try kernel.apply(.deleteService(key)) } catch {
                remaining.insert(key)
                logger.error("lvs_flush_on_stop: delete service \(key) failed: \(error)")
            }
        }
        managed.store(remaining)
    }
}

/// The runtime files of the run before this one, as read at start.
private struct EarlierRun {
    var managed: Set<IPVSServiceKey>
    var realServers: [IPVSServiceKey: Set<IPVSDestinationKey>]
    var announcedQuorum: [String: Bool]
}

extension IPVSOperation {
    /// The service this operation is about.
    var serviceKey: IPVSServiceKey {
        switch self {
        case .addService(let s), .editService(let s): return s.key
        case .deleteService(let k): return k
        case .addDestination(let k, _), .editDestination(let k, _), .deleteDestination(let k, _): return k
        }
    }

    /// Journal fields naming the virtual and real server.
    var metadata: Logger.Metadata {
        var fields: Logger.Metadata = ["VIRTUAL_SERVER": "\(serviceKey)"]
        switch self {
        case .addDestination(_, let d), .editDestination(_, let d): fields["REAL_SERVER"] = "\(d.key)"
        case .deleteDestination(_, let k): fields["REAL_SERVER"] = "\(k)"
        default: break
        }
        return fields
    }
}

/// "1.234 s".
private func seconds(_ d: Duration) -> String {
    let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
    return "\(ms / 1000).\(String(repeating: "0", count: 3 - String(ms % 1000).count))\(ms % 1000) s"
}
