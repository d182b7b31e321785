import KeepalivedConfig
import Platform
import Vocabulary

/// A configured route as vrrpd installs it: the kernel's request, with its device still a name (the index is
/// looked up when it is installed, so an interface that comes back later is found again).
struct PlannedRoute: Hashable {
    var route: KernelRoute
    var device: String?

    init(_ definition: RouteDefinition) {
        var route = KernelRoute(destination: definition.destination)
        route.type = Self.kernelType(definition.type)
        route.gateway = definition.via
        route.preferredSource = definition.source
        route.scope = definition.scope
        route.table = definition.table
        route.metric = definition.metric
        route.routingProtocol = definition.routingProtocol
        route.onlink = definition.onlink
        self.route = route
        device = definition.device
    }

    /// RTN_* of linux/rtnetlink.h.
    static func kernelType(_ type: RouteType) -> UInt8 {
        switch type {
        case .unicast: 1
        case .local: 2
        case .broadcast: 3
        case .anycast: 4
        case .multicast: 5
        case .blackhole: 6
        case .unreachable: 7
        case .prohibit: 8
        case .throw: 9
        case .nat: 10
        }
    }
}

extension KernelRule {
    /// The rule as keepalived sends it: tracked rules carry protocol keepalived (FRA_PROTOCOL 18).
    init(_ definition: RuleDefinition) {
        let action: UInt8
        var table: UInt32 = 0
        var target: UInt32?
        switch definition.action {
        case .lookup(let number): action = 1; table = number  // FR_ACT_TO_TBL
        case .goto(let preference): action = 2; target = preference  // FR_ACT_GOTO
        case .nop: action = 3
        case .blackhole: action = 6
        case .unreachable: action = 7
        case .prohibit: action = 8
        }
        self.init(family: definition.family, action: action, preference: definition.preference)
        self.table = table
        gotoPreference = target
        source = definition.from
        destination = definition.to
        fwmark = definition.fwmark
        fwmask = definition.fwmask
        inputInterface = definition.inputInterface
        outputInterface = definition.outputInterface
        routingProtocol = definition.noTrack ? nil : RouteDefinition.keepalivedProtocol
    }
}
