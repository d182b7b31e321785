import Platform
@testable import vrrpd

/// The host's routing tables and rules in memory, with every change in order.
final class FakeRouteControl: RouteRuleControl {
    enum Change: Equatable {
        case addedRoute(KernelRoute), removedRoute(KernelRoute), addedRule(KernelRule), removedRule(KernelRule)
    }

    private(set) var routes: [KernelRoute] = []
    private(set) var rules: [KernelRule] = []
    private(set) var history: [Change] = []

    func add(_ route: KernelRoute) throws {
        if !routes.contains(route) { routes.append(route) }
        history.append(.addedRoute(route))
    }

    func remove(_ route: KernelRoute) throws {
        routes.removeAll { $0 == route }
        history.append(.removedRoute(route))
    }

    func add(_ rule: KernelRule) throws {
        if !rules.contains(rule) { rules.append(rule) }
        history.append(.addedRule(rule))
    }

    func remove(_ rule: KernelRule) throws {
        rules.removeAll { $0 == rule }
        history.append(.removedRule(rule))
    }
}
