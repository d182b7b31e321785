import KeepalivedConfig
import Vocabulary

/// After a failover the other node's IPVS table serves the same addresses: it must hold the same services,
/// forward them the same way and keep the same persistence, or connections break or change server.
enum VirtualServerRules {
    static func check(_ pair: inout NodePair) {
        let serversB = Dictionary(pair.b.configuration.virtualServers.map { ($0.address, $0) }, uniquingKeysWith: { x, _ in x })
        let addressesA = Set(pair.a.configuration.virtualServers.map(\.address))
        for server in pair.a.configuration.virtualServers {
            guard let other = serversB[server.address] else {
                pair.report(.error, .virtualServerMissing, server.subject,
                            "\(server.subject) is on this node only: after a failover to the other node nothing serves it",
                            at: server.location, other: nil)
                continue
            }
            compare(&pair, server, other)
            RealServerRules.check(&pair, server, other)
        }
        for server in pair.b.configuration.virtualServers where !addressesA.contains(server.address) {
            pair.reportOnB(.error, .virtualServerMissing, server.subject,
                           "\(server.subject) is on this node only: after a failover to the other node nothing serves it",
                           at: server.location, other: nil)
        }
    }

    private static func compare(_ pair: inout NodePair, _ a: VirtualServer, _ b: VirtualServer) {
        let subject = a.subject
        if a.transportProtocol != b.transportProtocol {
            pair.report(.error, .protocolMismatch, subject,
                        "\(subject) is protocol \(a.transportProtocol.keyword) here but \(b.transportProtocol.keyword) on the other node: after a failover another service answers",
                        at: pair.a.line("protocol", in: a.location), other: pair.b.line("protocol", in: b.location))
        }
        compareGroups(&pair, a, b)
        if a.forwarding != b.forwarding {
            pair.report(.error, .lbKindMismatch, subject,
                        "\(subject) has lb_kind \(a.forwarding.rawValue) here but \(b.forwarding.rawValue) on the other node: after a failover its packets reach the real servers another way (\(consequence(a.forwarding, b.forwarding)))",
                        at: pair.a.line("lb_kind", "lvs_method", in: a.location),
                        other: pair.b.line("lb_kind", "lvs_method", in: b.location))
        }
        if a.scheduler != b.scheduler || a.schedulerFlags.sorted() != b.schedulerFlags.sorted()
            || a.onePacketScheduling != b.onePacketScheduling {
            pair.report(.error, .lbAlgoMismatch, subject,
                        "\(subject) schedules with \(scheduling(a)) here but \(scheduling(b)) on the other node: connections are spread differently after a failover",
                        at: pair.a.line("lb_algo", "lvs_sched", in: a.location),
                        other: pair.b.line("lb_algo", "lvs_sched", in: b.location))
        }
        if a.persistenceTimeout != b.persistenceTimeout || a.persistenceGranularity != b.persistenceGranularity {
            pair.report(.error, .persistenceMismatch, subject,
                        "\(subject) has \(persistence(a)) here but \(persistence(b)) on the other node: clients are kept on their real server differently after a failover",
                        at: persistenceLine(pair.a, a), other: persistenceLine(pair.b, b))
        }
        if a.sorryServer != b.sorryServer {
            pair.report(.error, .sorryServerMismatch, subject,
                        "\(subject) has \(sorry(a.sorryServer)) here but \(sorry(b.sorryServer)) on the other node: when every real server is down the nodes answer differently",
                        at: pair.a.line("sorry_server", in: a.location), other: pair.b.line("sorry_server", in: b.location))
        }
        if a.quorum != b.quorum || a.hysteresis != b.hysteresis {
            pair.report(.warning, .quorumMismatch, subject,
                        "\(subject) has quorum \(a.quorum) hysteresis \(a.hysteresis) here but quorum \(b.quorum) hysteresis \(b.hysteresis) on the other node: the nodes give up on the pool at different points",
                        at: pair.a.line("quorum", "hysteresis", in: a.location),
                        other: pair.b.line("quorum", "hysteresis", in: b.location))
        }
    }

    /// `virtual_server group NAME` on both: the groups must expand to the same kernel services.
    private static func compareGroups(_ pair: inout NodePair, _ a: VirtualServer, _ b: VirtualServer) {
        guard case .group(let name) = a.address,
              let groupA = pair.a.configuration.virtualServerGroup(named: name),
              let groupB = pair.b.configuration.virtualServerGroup(named: name) else { return }
        let servicesA = Set(a.services(in: pair.a.configuration).map(\.id))
        let servicesB = Set(b.services(in: pair.b.configuration).map(\.id))
        guard servicesA != servicesB else { return }
        let onlyA = servicesA.subtracting(servicesB).map(\.description).sorted()
        let onlyB = servicesB.subtracting(servicesA).map(\.description).sorted()
        var parts: [String] = []
        if !onlyA.isEmpty { parts.append("only here: \(onlyA.joined(separator: ", "))") }
        if !onlyB.isEmpty { parts.append("only there: \(onlyB.joined(separator: ", "))") }
        pair.report(.error, .virtualServerGroupMismatch, "virtual_server_group \(name)",
                    "virtual_server_group \(name) has other services than on the other node (\(parts.joined(separator: "; "))): after a failover those addresses are not served",
                    at: groupA.location, other: groupB.location)
    }

    private static func consequence(_ a: ForwardingMethod, _ b: ForwardingMethod) -> String {
        if a == .nat || b == .nat {
            return "NAT routes the replies back through the director, DR and TUN need the VIP on every real server"
        }
        return "DR needs the real servers on the director's LAN, TUN an IPIP tunnel to them"
    }

    private static func scheduling(_ server: VirtualServer) -> String {
        var words = ["lb_algo \(server.scheduler)"] + server.schedulerFlags.sorted()
        if server.onePacketScheduling { words.append("ops") }
        return words.joined(separator: " ")
    }

    private static func persistence(_ server: VirtualServer) -> String {
        guard let timeout = server.persistenceTimeout else { return "no persistence" }
        let granularity = server.persistenceGranularity.map { " persistence_granularity \($0)" } ?? ""
        return "persistence_timeout \(timeout)\(granularity)"
    }

    private static func persistenceLine(_ node: LintNode, _ server: VirtualServer) -> ConfigLocation {
        node.line("persistence_timeout", "persistence_granularity", in: server.location)
    }

    private static func sorry(_ server: SorryServer?) -> String {
        guard let server else { return "no sorry_server" }
        let port = server.port.map { " \($0)" } ?? ""
        let method = server.forwarding.map { " (\($0.rawValue))" } ?? ""
        return "sorry_server \(server.address)\(port)\(method)\(server.inhibit ? " inhibited" : "")"
    }
}

extension VirtualServer {
    var subject: String { "virtual_server \(address)" }
}
