import KeepalivedConfig
import Vocabulary

/// What two nodes' copies of one virtual router must agree on for their adverts to be accepted and for a
/// failover to move the same addresses.
enum InstanceRules {
    static func check(_ pair: inout NodePair, _ matching: InstanceMatching) {
        for instance in matching.onlyOnA {
            pair.report(.error, .instanceMissing, instance.subject,
                        "\(instance.subject) (virtual_router_id \(instance.virtualRouterID.map(String.init) ?? "?")) is on this node only: its addresses have no node to fail over to",
                        at: instance.location, other: nil)
        }
        for instance in matching.onlyOnB {
            pair.reportOnB(.error, .instanceMissing, instance.subject,
                           "\(instance.subject) (virtual_router_id \(instance.virtualRouterID.map(String.init) ?? "?")) is on this node only: its addresses have no node to fail over to",
                           at: instance.location, other: nil)
        }
        for match in matching.matches {
            compareWire(&pair, match.a, match.b)
            compareAddresses(&pair, match.a, match.b, excluded: false)
            compareAddresses(&pair, match.a, match.b, excluded: true)
        }
    }

    /// The advert's own fields: a receiver drops an advert whose VRID, version or (VRRPv2) authentication or
    /// interval differs from its own.
    private static func compareWire(_ pair: inout NodePair, _ a: VRRPInstanceDefinition, _ b: VRRPInstanceDefinition) {
        let subject = a.subject
        if a.virtualRouterID != b.virtualRouterID {
            pair.report(.error, .vridMismatch, subject,
                        "\(subject) has virtual_router_id \(text(a.virtualRouterID)) here but \(text(b.virtualRouterID)) on the other node\(renamed(a, b)): they are two routers, and each node becomes MASTER of its own",
                        at: pair.a.line("virtual_router_id", in: a.location),
                        other: pair.b.line("virtual_router_id", in: b.location))
        }
        let versionA = a.effectiveVersion(pair.a.configuration.global)
        let versionB = b.effectiveVersion(pair.b.configuration.global)
        if versionA != versionB {
            pair.report(.error, .versionMismatch, subject,
                        "\(subject) speaks VRRP version \(versionA) here but \(versionB) on the other node\(renamed(a, b)): each drops the other's adverts",
                        at: versionLine(pair.a, a), other: versionLine(pair.b, b))
        }
        // VRRPv3 has no authentication; the reader has already set it to none there.
        if versionA == 2 && versionB == 2 && a.authentication != b.authentication {
            pair.report(.error, .authMismatch, subject,
                        "\(subject): \(difference(a.authentication, b.authentication, other: "the other node"))\(renamed(a, b)), so each drops the other's adverts and both become MASTER",
                        at: authenticationLine(pair.a, a), other: authenticationLine(pair.b, b))
        }
        if a.advertInterval != b.advertInterval {
            // RFC 3768 §7.1 drops a v2 advert with another interval; RFC 5798 takes the master's interval.
            let dropped = versionA == 2 && versionB == 2
            pair.report(dropped ? .error : .warning, .advertIntMismatch, subject,
                        "\(subject) has advert_int \(seconds(a.advertInterval)) here but \(seconds(b.advertInterval)) on the other node\(renamed(a, b))" +
                        (dropped ? ": VRRPv2 drops adverts of another interval, so both become MASTER"
                                 : ": a VRRPv3 backup follows the master's interval, so the failover time depends on which node is master"),
                        at: pair.a.line("advert_int", in: a.location), other: pair.b.line("advert_int", in: b.location))
        }
    }

    /// The addresses a failover moves (or, excluded, moves without announcing them in the advert).
    private static func compareAddresses(_ pair: inout NodePair, _ a: VRRPInstanceDefinition,
                                         _ b: VRRPInstanceDefinition, excluded: Bool) {
        let keyword = excluded ? "virtual_ipaddress_excluded" : "virtual_ipaddress"
        let code: LintCode = excluded ? .excludedVIPMismatch : .vipMismatch
        let listA = excluded ? a.excludedVirtualIPAddresses : a.virtualIPAddresses
        let listB = excluded ? b.excludedVirtualIPAddresses : b.virtualIPAddresses
        let blockA = pair.a.line(keyword, in: a.location)
        let blockB = pair.b.line(keyword, in: b.location)
        for address in listA {
            guard let same = listB.first(where: { $0.address == address.address }) else {
                pair.report(.error, code, a.subject,
                            "\(a.subject) has \(keyword) \(address.address) here but not on the other node\(renamed(a, b)): a failover does not move it",
                            at: address.location, other: blockB)
                continue
            }
            if same.prefixLength != address.prefixLength {
                pair.report(.error, code, a.subject,
                            "\(a.subject) has \(keyword) \(address.address)/\(address.prefixLength) here but /\(same.prefixLength) on the other node: the subnet route changes with the master",
                            at: address.location, other: same.location)
            }
        }
        for address in listB where !listA.contains(where: { $0.address == address.address }) {
            pair.reportOnB(.error, code, b.subject,
                           "\(b.subject) has \(keyword) \(address.address) here but not on the other node\(renamed(b, a)): a failover does not move it",
                           at: address.location, other: blockA)
        }
    }

    private static func versionLine(_ node: LintNode, _ instance: VRRPInstanceDefinition) -> ConfigLocation {
        if instance.version == nil, let global = node.globalLine("vrrp_version") { return global }
        return node.line("version", in: instance.location)
    }

    private static func authenticationLine(_ node: LintNode, _ instance: VRRPInstanceDefinition) -> ConfigLocation {
        guard let block = node.statement("authentication", in: instance.location) else { return instance.location }
        return block.child("auth_pass")?.location ?? block.location
    }

    /// What differs, without printing either password: lint output ends up in CI logs.
    private static func difference(_ a: ConfiguredAuthentication, _ b: ConfiguredAuthentication,
                                   other: String) -> String {
        switch (a, b) {
        case (.password, .password), (.ah, .ah): return "its auth_pass differs from \(other)'s"
        default: return "it authenticates adverts with \(kind(a)) here but \(kind(b)) on \(other)"
        }
    }

    private static func kind(_ authentication: ConfiguredAuthentication) -> String {
        switch authentication {
        case .none: return "nothing"
        case .password: return "auth_type PASS"
        case .ah: return "auth_type AH"
        }
    }

    private static func text(_ vrid: Int?) -> String { vrid.map(String.init) ?? "none" }
}

/// " (as VI_LB02)": the other node's name for the instance, when it was matched by VRID rather than by name.
func renamed(_ here: VRRPInstanceDefinition, _ there: VRRPInstanceDefinition) -> String {
    here.name == there.name ? "" : " (as \(there.name))"
}

/// A duration as keepalived.conf writes it: seconds, with a fraction only when there is one.
func seconds(_ duration: Duration) -> String {
    let (whole, attoseconds) = duration.components
    guard attoseconds != 0 else { return "\(whole)s" }
    let milliseconds = attoseconds / 1_000_000_000_000_000
    var fraction = String(milliseconds)
    fraction = String(repeating: "0", count: max(0, 3 - fraction.count)) + fraction
    while fraction.hasSuffix("0") { fraction.removeLast() }
    return "\(whole).\(fraction)s"
}
