import Platform

/// Everything the VRRP engine does to the outside world. The daemon runs on `live(loop:)`; tests give it fakes
/// (a manual clock, a fake wire between engines, address tables in memory) and run whole elections in process.
struct VRRPEnvironment {
    var clock: any VRRPClock
    var adverts: any AdvertNetwork
    var addresses: any VirtualAddressControl
    var announcer: any AddressAnnouncer
    var links: any NetworkLinks
    var routes: any RouteRuleControl

    /// The kernel's: raw sockets, rtnetlink and the event loop. Throws when a socket cannot be had (no
    /// CAP_NET_ADMIN or CAP_NET_RAW, no netlink), so the daemon refuses to start.
    static func live(loop: EventLoop) throws -> VRRPEnvironment {
        let addresses = try NetlinkAddressControl()
        let announcer = try GratuitousAnnouncer()
        let links = try KernelLinks(loop: loop)
        let routes = try NetlinkRouteRuleControl()
        return VRRPEnvironment(clock: EventLoopClock(loop: loop), adverts: RawSocketNetwork(loop: loop),
                               addresses: addresses, announcer: announcer, links: links, routes: routes)
    }
}
