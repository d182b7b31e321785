import CNetlink
import Glibc
import Vocabulary

/// Adds and removes routes and policy rules through rtnetlink (libnl-route-3): the virtual and static
/// routes and rules vrrpd owns.
public final class RouteControl {
    private let socket: OpaquePointer

    public init() throws {
        guard let socket = nl_socket_alloc() else { throw AddressControlError("nl_socket_alloc failed") }
        let connected = nl_connect(socket, NETLINK_ROUTE)
        guard connected == 0 else {
            nl_socket_free(socket)
            throw AddressControlError("cannot open rtnetlink: \(String(cString: nl_geterror(connected)))")
        }
        self.socket = socket
    }

    deinit { nl_socket_free(socket) }

    /// Adds the route; the same route already there is not an error. Without NLM_F_EXCL or APPEND the
    /// kernel puts it first among equal routes, keepalived's default ("prepend").
    // ip route add [TYPE] 198.51.100.0/24 via 192.0.2.1 dev eth0 src 192.0.2.10 table 100 metric 5 scope link proto 18 onlink
    public func add(_ route: KernelRoute) throws {
        let result = try withRoute(route) { rtnl_route_add(socket, $0, 0) }
        guard result == 0 || result == -NLE_EXIST else {
            throw AddressControlError("cannot add route \(route.destination) table \(route.table): \(String(cString: nl_geterror(result)))")
        }
    }

    /// Removes the route; one already gone is not an error.
    // ip route del [TYPE] 198.51.100.0/24 via 192.0.2.1 dev eth0 table 100 metric 5
    public func remove(_ route: KernelRoute) throws {
        let result = try withRoute(route) { rtnl_route_delete(socket, $0, 0) }
        guard result == 0 || result == -NLE_OBJ_NOTFOUND || result == -NLE_NOADDR || result == -NLE_NODEV else {
            throw AddressControlError("cannot remove route \(route.destination) table \(route.table): \(String(cString: nl_geterror(result)))")
        }
    }

    /// Adds the rule; the same rule already there is not an error (rules are added with NLM_F_EXCL).
    // ip rule add from 192.0.2.0/24 to 198.51.100.0/24 fwmark 0x10/0xff iif eth0 oif eth1 lookup 100 priority 100 protocol 18
    public func add(_ rule: KernelRule) throws {
        let result = try withRule(rule) { rtnl_rule_add(socket, $0, NLM_F_EXCL) }
        guard result == 0 || result == -NLE_EXIST else {
            throw AddressControlError("cannot add rule preference \(rule.preference): \(String(cString: nl_geterror(result)))")
        }
    }

    /// Removes the rule; one already gone is not an error.
    // ip rule del from 192.0.2.0/24 lookup 100 priority 100
    public func remove(_ rule: KernelRule) throws {
        let result = try withRule(rule) { rtnl_rule_delete(socket, $0, 0) }
        guard result == 0 || result == -NLE_OBJ_NOTFOUND || result == -NLE_NOADDR else {
            throw AddressControlError("cannot remove rule preference \(rule.preference): \(String(cString: nl_geterror(result)))")
        }
    }

    private func withRoute(_ route: KernelRoute, _ body: (OpaquePointer) -> Int32) throws -> Int32 {
        guard let message = rtnl_route_alloc() else { throw AddressControlError("rtnl_route_alloc failed") }
        defer { rtnl_route_put(message) }
        let family = Self.family(route.destination.family)
        _ = rtnl_route_set_family(message, UInt8(family))
        let destination = try Self.address(route.destination)
        defer { nl_addr_put(destination) }
        guard rtnl_route_set_dst(message, destination) == 0 else { throw AddressControlError("rtnl_route_set_dst failed") }
        _ = rtnl_route_set_type(message, route.type)
        rtnl_route_set_table(message, route.table)
        rtnl_route_set_scope(message, route.scope)
        if let metric = route.metric { rtnl_route_set_priority(message, metric) }
        if let routingProtocol = route.routingProtocol { rtnl_route_set_protocol(message, routingProtocol) }
        if let source = route.preferredSource {
            let address = try Self.address(IPPrefix(address: source, length: source.maximumPrefixLength))
            defer { nl_addr_put(address) }
            _ = rtnl_route_set_pref_src(message, address)
        }
        // Only a route that forwards has a next hop; blackhole, unreachable, prohibit and throw have none.
        if route.gateway != nil || route.interfaceIndex != nil {
            guard let hop = rtnl_route_nh_alloc() else { throw AddressControlError("rtnl_route_nh_alloc failed") }
            if let index = route.interfaceIndex { rtnl_route_nh_set_ifindex(hop, index) }
            if let gateway = route.gateway {
                let address = try Self.address(IPPrefix(address: gateway, length: gateway.maximumPrefixLength))
                defer { nl_addr_put(address) }
                rtnl_route_nh_set_gateway(hop, address)
            }
            if route.onlink { rtnl_route_nh_set_flags(hop, UInt32(RTNH_F_ONLINK)) }
            rtnl_route_add_nexthop(message, hop)  // the route owns the hop from here
        }
        return body(message)
    }

    private func withRule(_ rule: KernelRule, _ body: (OpaquePointer) -> Int32) throws -> Int32 {
        guard let message = rtnl_rule_alloc() else { throw AddressControlError("rtnl_rule_alloc failed") }
        defer { rtnl_rule_put(message) }
        rtnl_rule_set_family(message, Self.family(rule.family))
        rtnl_rule_set_prio(message, rule.preference)
        rtnl_rule_set_action(message, rule.action)
        if rule.table != 0 { rtnl_rule_set_table(message, rule.table) }
        if let target = rule.gotoPreference { rtnl_rule_set_goto(message, target) }
        if let source = rule.source {
            let address = try Self.address(source)
            defer { nl_addr_put(address) }
            _ = rtnl_rule_set_src(message, address)
        }
        if let destination = rule.destination {
            let address = try Self.address(destination)
            defer { nl_addr_put(address) }
            _ = rtnl_rule_set_dst(message, address)
        }
        if let mark = rule.fwmark { rtnl_rule_set_mark(message, mark) }
        if let mask = rule.fwmask { rtnl_rule_set_mask(message, mask) }
        if let name = rule.inputInterface { _ = rtnl_rule_set_iif(message, name) }
        if let name = rule.outputInterface { _ = rtnl_rule_set_oif(message, name) }
        if let routingProtocol = rule.routingProtocol { _ = rtnl_rule_set_protocol(message, routingProtocol) }
        return body(message)
    }

    private static func family(_ family: IPAddressFamily) -> Int32 { family == .ipv4 ? AF_INET : AF_INET6 }

    /// An nl_addr the caller releases with nl_addr_put.
    private static func address(_ prefix: IPPrefix) throws -> OpaquePointer {
        let bytes = prefix.address.bytes
        guard let address = bytes.withUnsafeBytes({ nl_addr_build(family(prefix.family), $0.baseAddress, $0.count) }) else {
            throw AddressControlError("nl_addr_build failed")
        }
        nl_addr_set_prefixlen(address, Int32(prefix.length))
        return address
    }
}
