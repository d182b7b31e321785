import KeepalivedConfig
import Platform
import Vocabulary

/// One address of a `tandem_announce` block as vrrpd serves and publishes it, with what its health rests on:
/// the block's scripts and interfaces, and the quorum of every virtual server with a service on the address.
struct AnnouncedAddress: Hashable {
    var address: IPAddress
    var block: String
    var table: UInt32
    var withdrawDelay: Duration
    var trackScripts: [String]
    var trackInterfaces: [String]
    /// ipvsd's pool names ("TCP 203.0.113.10:80") of the virtual servers with a service on this address.
    var pools: [String]

    /// RTPROT of every route vrrpd adds for an announcement (`ip route show table 200 proto 201` lists them);
    /// the package names it `tandem` in /etc/iproute2/rt_protos.d.
    static let routeProtocol: UInt8 = 201

    /// Every address of every block, in the configuration's order.
    static func plan(_ config: KeepalivedConfiguration) -> [AnnouncedAddress] {
        guard !config.announcements.isEmpty else { return [] }
        var poolsByAddress: [IPAddress: [String]] = [:]
        for server in config.virtualServers {
            var addresses: Set<IPAddress> = []
            for service in server.services(in: config) {
                if case .address(let ip, _, _) = service.id { addresses.insert(ip) }
            }
            for address in addresses { poolsByAddress[address, default: []].append(server.poolName) }
        }
        return config.announcements.flatMap { block in
            block.addresses.map { address in
                AnnouncedAddress(address: address, block: block.name, table: block.table,
                                 withdrawDelay: block.withdrawDelay, trackScripts: block.trackScripts,
                                 trackInterfaces: block.trackInterfaces, pools: poolsByAddress[address] ?? [])
            }
        }
    }

    private var hostPrefix: IPPrefix { IPPrefix(address: address, length: address.family == .ipv4 ? 32 : 128) }

    /// Serves the address here without putting it on an interface: `ip route add local ADDR dev lo table local`.
    /// An interface address would also be a connected route, which zebra prefers to the imported one and never
    /// withdraws while the address is held, so a drain could not withdraw first and stop serving later.
    func localRoute(loopback: Int32) -> KernelRoute {
        var route = KernelRoute(destination: hostPrefix)
        route.type = 2  // RTN_LOCAL
        route.table = 255  // RT_TABLE_LOCAL
        route.scope = 254  // RT_SCOPE_HOST
        route.interfaceIndex = loopback
        route.routingProtocol = Self.routeProtocol
        return route
    }

    /// Publishes the address to the routing daemon: `ip route add ADDR dev lo table TABLE proto 201`, which zebra
    /// takes in with `ip import-table TABLE` and bgpd announces with `redistribute table TABLE`.
    func publishedRoute(loopback: Int32) -> KernelRoute {
        var route = KernelRoute(destination: hostPrefix)
        route.table = table
        route.scope = 253  // RT_SCOPE_LINK, as `ip route add ... dev lo` makes it
        route.interfaceIndex = loopback
        route.routingProtocol = Self.routeProtocol
        return route
    }

    /// What the address's health rests on, as last reported.
    struct Inputs {
        /// ipvsd's quorum per pool; a pool it has not reported on is missing.
        var quorum: [String: Bool]
        /// checkd's result per vrrp_script; a script it has not reported on is missing.
        var scripts: [String: Bool]
        var interfaceIsUp: (String) -> Bool
    }

    /// nil when the address may be announced, else why not. Something not yet reported counts as unhealthy: a
    /// director that has just started announces only what it knows it can serve.
    func reasonToWithdraw(_ inputs: Inputs) -> String? {
        for name in trackInterfaces where !inputs.interfaceIsUp(name) { return "interface \(name) is down" }
        for name in trackScripts {
            switch inputs.scripts[name] {
            case nil: return "vrrp_script \(name) has not reported yet"
            case false?: return "vrrp_script \(name) fails"
            case true?: continue
            }
        }
        for pool in pools {
            switch inputs.quorum[pool] {
            case nil: return "ipvsd has not reported the quorum of \(pool) yet"
            case false?: return "\(pool) has lost its quorum"
            case true?: continue
            }
        }
        return nil
    }
}
