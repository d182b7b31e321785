import Vocabulary

/// A route as rtnetlink takes it (RTM_NEWROUTE): what vrrpd installs for a configured route.
public struct KernelRoute: Hashable, Sendable {
    public var destination: IPPrefix
    /// RTN_* (1 unicast, 6 blackhole, 7 unreachable, 8 prohibit, 9 throw, ...).
    public var type: UInt8 = 1
    public var gateway: IPAddress?
    public var preferredSource: IPAddress?
    public var interfaceIndex: Int32?
    public var scope: UInt8 = 0
    public var table: UInt32 = 254
    public var metric: UInt32?
    /// RTPROT_*; nil is libnl's default, static (4).
    public var routingProtocol: UInt8?
    public var onlink = false

    public init(destination: IPPrefix) {
        self.destination = destination
    }
}

/// A policy rule as rtnetlink takes it (RTM_NEWRULE).
public struct KernelRule: Hashable, Sendable {
    public var family: IPAddressFamily
    public var source: IPPrefix?
    public var destination: IPPrefix?
    /// FR_ACT_* (1 lookup a table, 2 goto, 3 nop, 6 blackhole, 7 unreachable, 8 prohibit).
    public var action: UInt8
    public var table: UInt32 = 0
    public var gotoPreference: UInt32?
    public var preference: UInt32
    public var fwmark: UInt32?
    public var fwmask: UInt32?
    public var inputInterface: String?
    public var outputInterface: String?
    public var routingProtocol: UInt8?

    public init(family: IPAddressFamily, action: UInt8, preference: UInt32) {
        self.family = family
        self.action = action
        self.preference = preference
    }
}
