/// Routes and policy rules as keepalived.conf writes them (`virtual_routes`, `virtual_rules` of a vrrp_instance,
/// the top-level `static_routes`, `static_rules`): values only; vrrpd decides when they are installed.

import Vocabulary

/// The route types keepalived accepts before a destination (its rt_tables' rtntype names).
public enum RouteType: String, Hashable, Sendable, CaseIterable {
    case unicast, local, broadcast, anycast, multicast, blackhole, unreachable, prohibit, `throw`, nat
}

/// One `virtual_routes`/`static_routes` line. Defaults are keepalived's: table main (254), scope universe (0),
/// type unicast, protocol keepalived (18): keepalived sends it unless an untracked route names another.
public struct RouteDefinition: Hashable, Sendable {
    public static let mainTable: UInt32 = 254
    /// RTPROT_KEEPALIVED: keepalived marks the routes it tracks with it.
    public static let keepalivedProtocol: UInt8 = 18

    public var destination: IPPrefix
    public var type: RouteType = .unicast
    public var source: IPAddress?
    public var via: IPAddress?
    public var device: String?
    public var scope: UInt8 = 0
    public var table: UInt32 = RouteDefinition.mainTable
    /// `metric`, `priority` or `preference`.
    public var metric: UInt32?
    /// `protocol N|NAME`, kept only on an untracked route (keepalived resets a tracked one to 18).
    public var routingProtocol: UInt8 = RouteDefinition.keepalivedProtocol
    public var onlink = false
    /// `no_track`, or a route without `dev` (keepalived cannot track it and says so): the route's interface
    /// going down does not put the instance in FAULT.
    public var noTrack = false
    public var location: ConfigLocation

    public var family: IPAddressFamily { destination.family }
}

/// What a policy rule does with a matching packet.
public enum RuleAction: Hashable, Sendable {
    /// `table N|NAME` or `lookup N|NAME`.
    case lookup(table: UInt32)
    case blackhole, unreachable, prohibit, nop
    /// `goto N`: continue at the rule with preference N (which must be larger than the rule's own).
    case goto(preference: UInt32)
}

/// One `virtual_rules`/`static_rules` line.
public struct RuleDefinition: Hashable, Sendable {
    public var family: IPAddressFamily = .ipv4
    public var from: IPPrefix?
    public var to: IPPrefix?
    public var action: RuleAction
    /// `preference`, `priority` or `order`. keepalived gives a rule without one the next number counting
    /// down from 16384, per family in reading order, and warns; tandem does the same.
    public var preference: UInt32
    public var fwmark: UInt32?
    public var fwmask: UInt32?
    /// `iif` or `dev`.
    public var inputInterface: String?
    public var outputInterface: String?
    public var noTrack = false
    public var location: ConfigLocation
}
