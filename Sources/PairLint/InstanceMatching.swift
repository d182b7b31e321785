import KeepalivedConfig
import Vocabulary

/// Which vrrp_instance of one node is the same virtual router as which of the other's.
struct InstanceMatching {
    struct Match {
        let a: VRRPInstanceDefinition
        let b: VRRPInstanceDefinition
    }

    private(set) var matches: [Match] = []
    private(set) var onlyOnA: [VRRPInstanceDefinition] = []
    private(set) var onlyOnB: [VRRPInstanceDefinition] = []

    /// By name first: most pairs are one file copied and edited. Instances left over are matched by what is on
    /// the wire, since names are not: the same VRID and family on the same interface (names made per node, such
    /// as VI_LB01 and VI_LB02), then the same VRID and family sharing a virtual address (the NICs named differently
    /// on the two hosts).
    init(_ a: [VRRPInstanceDefinition], _ b: [VRRPInstanceDefinition]) {
        var leftA: [VRRPInstanceDefinition] = []
        var leftB = b
        for instance in a {
            if let index = leftB.firstIndex(where: { $0.name == instance.name }) {
                matches.append(Match(a: instance, b: leftB.remove(at: index)))
            } else {
                leftA.append(instance)
            }
        }
        let sameWire: [(VRRPInstanceDefinition, VRRPInstanceDefinition) -> Bool] = [
            { x, y in Self.sameRouter(x, y) && x.interface == y.interface },
            { x, y in Self.sameRouter(x, y) && !Set(x.virtualIPAddresses.map(\.address))
                .isDisjoint(with: y.virtualIPAddresses.map(\.address)) },
        ]
        for rule in sameWire {
            var stillLeft: [VRRPInstanceDefinition] = []
            for instance in leftA {
                if let index = leftB.firstIndex(where: { rule(instance, $0) }) {
                    matches.append(Match(a: instance, b: leftB.remove(at: index)))
                } else {
                    stillLeft.append(instance)
                }
            }
            leftA = stillLeft
        }
        onlyOnA = leftA
        onlyOnB = leftB
    }

    private static func sameRouter(_ x: VRRPInstanceDefinition, _ y: VRRPInstanceDefinition) -> Bool {
        x.virtualRouterID != nil && x.virtualRouterID == y.virtualRouterID && x.family == y.family
    }

    /// The name `b` gives the instance `a` calls `name`, if it has it.
    func counterpartOnB(of name: String) -> VRRPInstanceDefinition? { matches.first { $0.a.name == name }?.b }
    func counterpartOnA(of name: String) -> VRRPInstanceDefinition? { matches.first { $0.b.name == name }?.a }

    /// The same matching seen from `b`.
    var swapped: InstanceMatching {
        var mirror = self
        mirror.matches = matches.map { Match(a: $0.b, b: $0.a) }
        mirror.onlyOnA = onlyOnB
        mirror.onlyOnB = onlyOnA
        return mirror
    }
}

extension VRRPInstanceDefinition {
    var subject: String { "vrrp_instance \(name)" }
}
