import KeepalivedConfig
import Vocabulary

/// The same real servers behind one virtual server on both nodes, with the same weights, forwarding and checks,
/// so a failover changes neither where connections go nor which servers count as up.
enum RealServerRules {
    static func check(_ pair: inout NodePair, _ a: VirtualServer, _ b: VirtualServer) {
        let serversB = Dictionary(b.realServers.map { (key($0), $0) }, uniquingKeysWith: { x, _ in x })
        let keysA = Set(a.realServers.map(key))
        for real in a.realServers {
            let subject = subjectOf(real, in: a)
            guard let other = serversB[key(real)] else {
                pair.report(.error, .realServerMissing, subject,
                            "\(subject) is on this node only: after a failover to the other node it gets no connections",
                            at: real.location, other: b.location)
                continue
            }
            if real.weight != other.weight {
                pair.report(.error, .weightMismatch, subject,
                            "\(subject) has weight \(real.weight) here but \(other.weight) on the other node: the share of connections it gets changes with the master",
                            at: pair.a.line("weight", in: real.location), other: pair.b.line("weight", in: other.location))
            }
            let methodA = real.forwarding ?? a.forwarding
            let methodB = other.forwarding ?? b.forwarding
            // A difference of the whole virtual server is reported once, on its lb_kind.
            if methodA != methodB && (real.forwarding != nil || other.forwarding != nil) {
                pair.report(.error, .lbKindMismatch, subject,
                            "\(subject) is forwarded by \(methodA.rawValue) here but \(methodB.rawValue) on the other node",
                            at: pair.a.line("lvs_method", in: real.location), other: pair.b.line("lvs_method", in: other.location))
            }
            CheckerRules.check(&pair, subject, (a, real), (b, other))
        }
        for real in b.realServers where !keysA.contains(key(real)) {
            let subject = subjectOf(real, in: b)
            pair.reportOnB(.error, .realServerMissing, subject,
                           "\(subject) is on this node only: after a failover to the other node it gets no connections",
                           at: real.location, other: a.location)
        }
        checkMaglevOrder(&pair, a, b)
    }

    /// Maglev hashing (`lb_algo mh`) fills its lookup table from the destinations in the order they were added,
    /// so directors sharing the traffic (active-active, or a failover with connection sync) pick the same real
    /// server for a connection only when their lists are the same in the same order.
    private static func checkMaglevOrder(_ pair: inout NodePair, _ a: VirtualServer, _ b: VirtualServer) {
        guard a.scheduler == "mh", b.scheduler == "mh" else { return }
        let orderA = a.realServers.map(key)
        let orderB = b.realServers.map(key)
        guard Set(orderA) == Set(orderB), orderA != orderB,
              let index = orderA.indices.first(where: { orderA[$0] != orderB[$0] }) else { return }
        let first = a.realServers[index]
        let there = b.realServers[index]
        pair.report(.warning, .mhOrderMismatch, a.subject,
                    "\(a.subject) uses lb_algo mh but lists its real servers in another order than the other node (the \(ordinal(index + 1)) is \(hostPort(first)) here, \(hostPort(there)) there): Maglev's table follows the list order, so the nodes send the same connection to different real servers",
                    at: first.location, other: there.location)
    }

    struct Key: Hashable {
        let address: IPAddress
        let port: UInt16
    }

    static func key(_ real: RealServer) -> Key { Key(address: real.address, port: real.port ?? 0) }

    static func hostPort(_ real: RealServer) -> String {
        real.port.map { VirtualServiceID.hostPort(real.address, $0) } ?? real.address.description
    }

    static func subjectOf(_ real: RealServer, in server: VirtualServer) -> String {
        "real_server \(hostPort(real)) of \(server.subject)"
    }

    private static func ordinal(_ n: Int) -> String {
        switch (n % 10, n % 100) {
        case (1, let t) where t != 11: return "\(n)st"
        case (2, let t) where t != 12: return "\(n)nd"
        case (3, let t) where t != 13: return "\(n)rd"
        default: return "\(n)th"
        }
    }
}
