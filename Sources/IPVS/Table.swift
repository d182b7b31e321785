// A whole IPVS table (services with their destinations) as plain values, desired or as read from
// the kernel, and the kernel's rules for applying one operation to it.

/// A service with its destinations.
public struct IPVSVirtualServer: Hashable, Sendable {
    public var service: IPVSService
    /// Destinations by key; each value's `key` equals its dictionary key.
    public var destinations: [IPVSDestinationKey: IPVSDestination]

    /// A virtual server; of two destinations with the same key the last one wins.
    public init(_ service: IPVSService, destinations: [IPVSDestination] = []) {
        self.service = service
        self.destinations = Dictionary(destinations.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
    }
}

/// A set of virtual servers keyed by service key.
public struct IPVSTable: Hashable, Sendable {
    public var servers: [IPVSServiceKey: IPVSVirtualServer]

    /// A table; of two servers with the same key the last one wins.
    public init(_ servers: [IPVSVirtualServer] = []) {
        self.servers = Dictionary(servers.map { ($0.service.key, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// Applies one operation as the kernel would, refusing what the kernel refuses
    /// (EEXIST for a duplicate, ENOENT/ESRCH for a missing service or destination).
    public mutating func apply(_ op: IPVSOperation) throws(IPVSTableError) {
        switch op {
        case .addService(let s):
            guard servers[s.key] == nil else { throw .serviceExists(s.key) }
            servers[s.key] = IPVSVirtualServer(s)
        case .editService(let s):
            guard servers[s.key] != nil else { throw .noSuchService(s.key) }
            servers[s.key]?.service = s
        case .deleteService(let key):
            // The kernel drops a service's destinations with it.
            guard servers.removeValue(forKey: key) != nil else { throw .noSuchService(key) }
        case .addDestination(let key, let d):
            guard let server = servers[key] else { throw .noSuchService(key) }
            guard server.destinations[d.key] == nil else { throw .destinationExists(key, d.key) }
            servers[key]?.destinations[d.key] = d
        case .editDestination(let key, let d):
            guard let server = servers[key] else { throw .noSuchService(key) }
            guard server.destinations[d.key] != nil else { throw .noSuchDestination(key, d.key) }
            servers[key]?.destinations[d.key] = d
        case .deleteDestination(let key, let dk):
            guard let server = servers[key] else { throw .noSuchService(key) }
            guard server.destinations[dk] != nil else { throw .noSuchDestination(key, dk) }
            servers[key]?.destinations[dk] = nil
        }
    }
}

/// Why an operation cannot apply to a table.
public enum IPVSTableError: Error, Hashable, Sendable {
    case serviceExists(IPVSServiceKey)
    case noSuchService(IPVSServiceKey)
    case destinationExists(IPVSServiceKey, IPVSDestinationKey)
    case noSuchDestination(IPVSServiceKey, IPVSDestinationKey)
}
