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
    private let kernel: IPVSKernel
    private let logger: Logger
    private(set) var pools: PoolMap
    /// Pool name → destination → checkd's last verdict; a server without one keeps its start state.
    private(set) var health: [String: [IPVSDestinationKey: IPVSHealth]] = [:]
    private(set) var quorumUp: [String: Bool] = [:]
    private var managed: ManagedServices
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

    init(kernel: IPVSKernel, configuration: KeepalivedConfiguration, managedFile: String, logger: Logger) {
        self.kernel = kernel
        self.logger = logger
        pools = PoolMap(configuration)
        managed = ManagedServices(path: managedFile)
    }

    /// Every service key ipvsd may change: the configuration's and those remembered from earlier runs.
    var managedKeys: Set<IPVSServiceKey> { managed.keys.union(pools.serviceKeys) }

    /// Takes a new configuration; health verdicts of real servers that are still configured are kept.
    func update(_ configuration: KeepalivedConfiguration) {
        pools = PoolMap(configuration)
        let names = Set(pools.pools.map(\.name))
        health = health.filter { names.contains($0.key) }
        quorumUp = quorumUp.filter { names.contains($0.key) }
    }

    /// Records a verdict; returns true when it changes something (the caller then reconciles).
    func record(_ report: RealServerHealth) -> Bool {
        guard let (pool, destination) = pools.locate(report.id) else {
            logger.debug("health report for \(report.id), which no virtual_server configures; ignored")
            return false
        }
        let verdict = IPVSHealth(up: report.up, weight: report.weight)
        return health[pool, default: [:]].updateValue(verdict, forKey: destination) != verdict
    }

    /// The table the kernel should hold now; updates the quorum states (and logs their changes).
    func desiredTable() -> IPVSTable {
        let state = desiredState(pools: pools.pools, health: health, previousQuorumUp: quorumUp)
        for (name, up) in state.quorumUp.sorted(by: { $0.key < $1.key }) where quorumUp[name] != up {
            if quorumUp[name] != nil || !up {
                logger.notice("\(quorumUp[name] == nil ? "starting with" : up ? "gained" : "lost") quorum for \(name)",
                              metadata: ["VIRTUAL_SERVER": "\(name)", "QUORUM": "\(up ? "up" : "down")"])
            }
        }
        quorumUp = state.quorumUp
        return state.table
    }

    /// Applies the difference between the desired table and the kernel's. With `readKernel` the kernel's table
    /// is dumped first (catching changes made behind ipvsd's back); without it the last known view is used when
    /// there is one. Failures are logged and retried next time.
    @discardableResult
    func reconcile(reason: String, readKernel: Bool = true) -> ReconcileSummary {
        var summary = ReconcileSummary()
        let clock = ContinuousClock()
        let began = clock.now
        let desired = desiredTable()
        let current: IPVSTable
        let dumpStart = clock.now
        if !readKernel, let known = kernelView {
            current = known
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
        var view: IPVSTable? = current
        let dumped = clock.now
        let managedNow = managedKeys
        // Remember what we are about to own before touching the kernel, so a crash midway forgets nothing.
        if !managed.store(managedNow) {
            logger.warning("cannot write \(managed.path); services removed from the configuration while ipvsd is down may stay")
        }
        // Qualified: the method's own name would shadow the pure core's function.
        let operations = IPVS.reconcile(desired: desired, kernel: current, managed: managedNow)
        var failedServices: Set<IPVSServiceKey> = []
        var undeleted: Set<IPVSServiceKey> = []
        for operation in operations {
            let service = operation.serviceKey
            // A service the kernel would not take has no place for destinations: skip them quietly.
            if failedServices.contains(service) { summary.failed += 1; continue }
            do {
                requestsSent += 1
                try kernel.apply(operation)
                summary.applied += 1
                do { try view?.apply(operation) } catch { view = nil }
                logger.log(level: operations.count <= detailedLogLimit ? .info : .debug, "\(operation)",
                           metadata: operation.metadata)
            } catch {
                summary.failed += 1
                failedOperations += 1
                if case .addService = operation { failedServices.insert(service) }
                if case .deleteService = operation { undeleted.insert(service) }
                view = nil
                logger.error("\(operation) failed: \(error); retrying on the next reconcile",
                             metadata: operation.metadata)
            }
        }
        kernelView = view
        // Forget services that are gone from both the configuration and the kernel.
        let stillThere = managedNow.subtracting(pools.serviceKeys).intersection(Set(current.servers.keys))
        managed.store(pools.serviceKeys.union(undeleted.intersection(stillThere)))
        if !operations.isEmpty {
            let timing = "in \(seconds(clock.now - began)) (kernel table of \(current.servers.count) services read in \(seconds(dumped - dumpStart)))"
            logger.info("reconcile (\(reason)): \(summary.applied) change(s) applied, \(summary.failed) failed \(timing)")
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
