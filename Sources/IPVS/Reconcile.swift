// Desired-versus-kernel difference: the few operations that make the kernel's managed services
// equal to the desired ones, and nothing else. Never a flush; never a service we do not manage.

/// One change to the kernel's table.
public enum IPVSOperation: Hashable, Sendable, CustomStringConvertible {
    case addService(IPVSService)
    /// SET_SERVICE: scheduler, flags, timeout, netmask or persistence engine changed.
    case editService(IPVSService)
    /// DEL_SERVICE; the kernel removes the service's destinations with it.
    case deleteService(IPVSServiceKey)
    case addDestination(IPVSServiceKey, IPVSDestination)
    /// SET_DEST: forwarding method, weight or thresholds changed.
    case editDestination(IPVSServiceKey, IPVSDestination)
    case deleteDestination(IPVSServiceKey, IPVSDestinationKey)

    /// The request that performs this operation.
    public var request: IPVSRequest {
        switch self {
        case .addService(let s): return .newService(s)
        case .editService(let s): return .setService(s)
        case .deleteService(let k): return .deleteService(k)
        case .addDestination(let k, let d): return .newDestination(k, d)
        case .editDestination(let k, let d): return .setDestination(k, d)
        case .deleteDestination(let k, let d): return .deleteDestination(k, d)
        }
    }

    public var description: String {
        switch self {
        case .addService(let s): return "add service \(s.key)"
        case .editService(let s): return "edit service \(s.key)"
        case .deleteService(let k): return "delete service \(k)"
        case .addDestination(let k, let d): return "add \(d.key) to \(k)"
        case .editDestination(let k, let d): return "edit \(d.key) of \(k)"
        case .deleteDestination(let k, let d): return "delete \(d) from \(k)"
        }
    }
}

/// The ordered operations that turn `kernel` into `desired` for managed services.
///
/// - A service is managed when its key is in `managed` or in `desired` (what we want, we own).
///   Every other kernel service, with its destinations, is left exactly as it is.
/// - Services are visited in key order, so the same inputs always give the same list.
///   Per service: add or edit the service, then add destinations, edit them, delete stale ones
///   (a service never runs empty in between); deletions of whole services come last.
/// - Deleting a service is one DEL_SERVICE: the kernel takes its destinations with it.
public func reconcile(desired: IPVSTable, kernel: IPVSTable, managed: Set<IPVSServiceKey>) -> [IPVSOperation] {
    var ops: [IPVSOperation] = []

    for key in desired.servers.keys.sorted() {
        guard let want = desired.servers[key] else { continue }
        guard let have = kernel.servers[key] else {
            ops.append(.addService(want.service))
            for dk in want.destinations.keys.sorted() {
                if let d = want.destinations[dk] { ops.append(.addDestination(key, d)) }
            }
            continue
        }
        if !want.service.hasSameSettings(as: have.service) {
            ops.append(.editService(want.service))
        }
        // The common case on a large table: nothing changed here; skip sorting the keys.
        if want.destinations == have.destinations { continue }
        var edits: [IPVSOperation] = []
        var deletes: [IPVSOperation] = []
        for dk in want.destinations.keys.sorted() {
            guard let d = want.destinations[dk] else { continue }
            if let current = have.destinations[dk] {
                if current != d { edits.append(.editDestination(key, d)) }
            } else {
                ops.append(.addDestination(key, d))
            }
        }
        for dk in have.destinations.keys.sorted() where want.destinations[dk] == nil {
            deletes.append(.deleteDestination(key, dk))
        }
        ops += edits
        ops += deletes
    }

    for key in kernel.servers.keys.sorted() where managed.contains(key) && desired.servers[key] == nil {
        ops.append(.deleteService(key))
    }
    return ops
}
