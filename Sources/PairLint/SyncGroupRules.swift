import KeepalivedConfig
import Vocabulary

/// Instances that must fail over together: the same vrrp_sync_groups on both nodes, and (NAT) the real servers'
/// gateway address moving with the virtual servers' addresses.
enum SyncGroupRules {
    static func check(_ pair: inout NodePair, _ matching: InstanceMatching) {
        checkMembership(&pair, matching)
        var mirror = pair.swapped
        checkMembership(&mirror, matching.swapped, reportMemberSets: false)
        pair.take(mirror)
        checkNATGateways(&pair, matching)
    }

    /// Every instance in a sync group on `a` is in the group with the same members on `b`. Group names are
    /// compared through the instances, since they are not on the wire.
    private static func checkMembership(_ pair: inout NodePair, _ matching: InstanceMatching,
                                        reportMemberSets: Bool = true) {
        for group in pair.a.configuration.syncGroups {
            var reportedGroups: Set<String> = []
            for member in group.members {
                guard let counterpart = matching.counterpartOnB(of: member) else { continue }
                let memberLine = memberLocation(pair.a, group, member)
                guard let groupB = pair.b.configuration.syncGroup(containing: counterpart.name) else {
                    pair.report(.error, .syncGroupMismatch, "vrrp_instance \(member)",
                                "vrrp_instance \(member) is in vrrp_sync_group \(group.name) here but in no sync group on the other node\(counterpart.name == member ? "" : " (as \(counterpart.name))"): there it fails over alone, without \(others(group, member))",
                                at: memberLine, other: counterpart.location)
                    continue
                }
                guard reportMemberSets, !reportedGroups.contains(groupB.name) else { continue }
                let expected = Set(group.members.map { matching.counterpartOnB(of: $0)?.name ?? $0 })
                if expected != Set(groupB.members) {
                    reportedGroups.insert(groupB.name)
                    pair.report(.error, .syncGroupMismatch, "vrrp_sync_group \(group.name)",
                                "vrrp_sync_group \(group.name) has members \(list(group.members)) here but \(groupB.name) on the other node has \(list(groupB.members)): the nodes fail over different sets of instances together",
                                at: group.location, other: groupB.location)
                }
            }
        }
    }

    /// Under NAT the real servers send their replies to a gateway address on the director. That address is a
    /// VIP of its own instance; unless that instance is in a sync group with the one holding the virtual servers'
    /// addresses, a failover of one without the other sends the replies to the node that has no connection.
    /// Reported when both nodes leave it out; when only one does, the sync group comparison says so.
    private static func checkNATGateways(_ pair: inout NodePair, _ matching: InstanceMatching) {
        let unsyncedB = Set(unsyncedGateways(pair.b.configuration).map { "\($0.gateway.name) \($0.front.name)" })
        for finding in unsyncedGateways(pair.a.configuration) {
            guard let gatewayB = matching.counterpartOnB(of: finding.gateway.name),
                  let frontB = matching.counterpartOnB(of: finding.front.name),
                  unsyncedB.contains("\(gatewayB.name) \(frontB.name)") else { continue }
            let servers = finding.realServers.map(\.description).joined(separator: ", ")
            pair.report(.error, .gatewayNotSynced, finding.gateway.subject,
                        "\(finding.gateway.subject) holds \(finding.address) on the subnet of the NAT real servers \(servers) (their way back) but is in no vrrp_sync_group with \(finding.front.name), which holds their virtual servers' addresses, on either node: if one fails over without the other, replies go to the node without the connections; put both in one vrrp_sync_group",
                        at: finding.gateway.location, other: gatewayB.location)
        }
    }

    struct UnsyncedGateway {
        let gateway: VRRPInstanceDefinition
        let front: VRRPInstanceDefinition
        let address: IPAddress
        let realServers: [IPAddress]
    }

    /// Pairs (gateway instance, virtual-server instance) of one node not in one sync group.
    static func unsyncedGateways(_ config: KeepalivedConfiguration) -> [UnsyncedGateway] {
        var result: [UnsyncedGateway] = []
        var reported: Set<String> = []
        for server in config.virtualServers {
            let natServers = server.realServers.filter { ($0.forwarding ?? server.forwarding) == .nat }.map(\.address)
            guard !natServers.isEmpty else { continue }
            let addresses = Set(server.services(in: config).compactMap { service -> IPAddress? in
                if case .address(let ip, _, _) = service.id { return ip }
                return nil
            })
            let fronts = config.vrrpInstances.filter { instance in
                instance.virtualIPAddresses.contains { addresses.contains($0.address) }
            }
            for gateway in config.vrrpInstances {
                for vip in gateway.virtualIPAddresses where !addresses.contains(vip.address) {
                    let served = natServers.filter { sameSubnet(vip, $0) }
                    guard !served.isEmpty else { continue }
                    for front in fronts where front.name != gateway.name {
                        let key = "\(gateway.name) \(front.name)"
                        guard !inOneGroup(config, gateway.name, front.name), reported.insert(key).inserted else { continue }
                        result.append(UnsyncedGateway(gateway: gateway, front: front, address: vip.address, realServers: served))
                    }
                }
            }
        }
        return result
    }

    /// A VIP written without a prefix is a /32 (or /128) on the director's LAN, so the LAN's own size is unknown;
    /// a /24 (or /64), the usual one, stands in for it.
    private static func sameSubnet(_ vip: VirtualIPAddress, _ address: IPAddress) -> Bool {
        guard vip.address.family == address.family, vip.address != address else { return false }
        let full = vip.address.maximumPrefixLength
        let prefix = vip.prefixLength < full ? vip.prefixLength : (full == 32 ? 24 : 64)
        let x = vip.address.bytes, y = address.bytes
        for bit in 0..<prefix where (x[bit / 8] ^ y[bit / 8]) & (0x80 >> UInt8(bit % 8)) != 0 { return false }
        return true
    }

    private static func inOneGroup(_ config: KeepalivedConfiguration, _ x: String, _ y: String) -> Bool {
        config.syncGroups.contains { $0.members.contains(x) && $0.members.contains(y) }
    }

    private static func memberLocation(_ node: LintNode, _ group: VRRPSyncGroup, _ member: String) -> ConfigLocation {
        let words = node.statements.statement("group", inBlockAt: group.location)?.blockWords ?? []
        return words.first { $0.word == member }?.location ?? group.location
    }

    private static func others(_ group: VRRPSyncGroup, _ member: String) -> String {
        let rest = group.members.filter { $0 != member }
        return rest.isEmpty ? "its group" : rest.joined(separator: ", ")
    }

    private static func list(_ names: [String]) -> String { "{" + names.sorted().joined(separator: ", ") + "}" }
}

extension KeepalivedConfiguration {
    func syncGroup(containing instance: String) -> VRRPSyncGroup? {
        syncGroups.first { $0.members.contains(instance) }
    }
}
