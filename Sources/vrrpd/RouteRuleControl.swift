import Platform

/// Adds and removes routes and policy rules, as `ip route add/del` and `ip rule add/del` would.
protocol RouteRuleControl: AnyObject {
    func add(_ route: KernelRoute) throws
    func remove(_ route: KernelRoute) throws
    func add(_ rule: KernelRule) throws
    func remove(_ rule: KernelRule) throws
}

/// The kernel's routing tables and rules through rtnetlink.
final class NetlinkRouteRuleControl: RouteRuleControl {
    private let control: RouteControl

    init() throws { control = try RouteControl() }

    func add(_ route: KernelRoute) throws { try control.add(route) }
    func remove(_ route: KernelRoute) throws { try control.remove(route) }
    func add(_ rule: KernelRule) throws { try control.add(rule) }
    func remove(_ rule: KernelRule) throws { try control.remove(rule) }
}
