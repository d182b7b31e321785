import Control
import KeepalivedConfig
import Logging
import Platform
import Vocabulary

/// Serves and publishes the `tandem_announce` addresses (AnnouncementPlan.swift): each is served (a local route)
/// from start to stop, and published (a route in its block's table) while it is healthy. vrrpd does it because
/// it already owns what follows health onto the network (addresses, routes, CAP_NET_ADMIN) and already hears
/// checkd's script results; ipvsd, which decides the virtual servers' quorum, reports it here.
final class HealthAnnouncer {
    private let routes: any RouteRuleControl
    private let links: any NetworkLinks
    private let clock: any VRRPClock
    private let logger: Logger
    private(set) var plan: [AnnouncedAddress] = []
    /// The local route serving each address, as added.
    private var served: [IPAddress: KernelRoute] = [:]
    /// The published route of each address announced now, as added.
    private var published: [IPAddress: KernelRoute] = [:]
    /// Why each address that is not published is not, as last logged.
    private(set) var withdrawnBecause: [IPAddress: String] = [:]
    /// Addresses whose published route was removed once whatever this process knew, so a route left by a vrrpd
    /// that died without stopping goes too.
    private var cleared: Set<IPAddress> = []
    private var quorum: [String: Bool] = [:]
    private var scripts: [String: Bool] = [:]
    /// Set when the stop began: nothing is published again.
    private var draining = false
    private var loopbackMissingLogged = false

    init(routes: any RouteRuleControl, links: any NetworkLinks, clock: any VRRPClock, logger: Logger) {
        self.routes = routes
        self.links = links
        self.clock = clock
        self.logger = logger
    }

    /// The addresses published now.
    var announced: [IPAddress] { plan.map(\.address).filter { published[$0] != nil } }

    /// Each configured address for `tandemctl status`.
    var statuses: [AnnouncementStatus] {
        plan.map { entry in
            AnnouncementStatus(address: "\(entry.address)", block: entry.block, table: entry.table,
                               announced: published[entry.address] != nil, served: served[entry.address] != nil,
                               reason: published[entry.address] == nil ? withdrawnBecause[entry.address] : nil)
        }
    }

    /// Takes a (re)loaded configuration: an address no longer listed is withdrawn at once and served on for its
    /// withdraw_delay, as at a stop, so the flows the routers still send meanwhile are not dropped.
    func apply(_ config: KeepalivedConfiguration) {
        let next = AnnouncedAddress.plan(config)
        for old in plan where !next.contains(where: { $0.address == old.address }) {
            withdraw(old.address, because: "it is no longer in the configuration")
            withdrawnBecause[old.address] = nil
            let address = old.address
            _ = clock.schedule(at: clock.now + old.withdrawDelay) { [weak self] in
                guard let self, !plan.contains(where: { $0.address == address }) else { return }
                unserve(address)
            }
        }
        plan = next
        // Every pool's quorum is kept, announced or not: ipvsd tells only changes, so a pool that a reload puts
        // on an announced address must already be known.
        scripts = scripts.filter { name in config.vrrpScript(named: name.key) != nil }
        evaluate()
    }

    /// ipvsd's report on pools' quorum (a snapshot or a change); pools it does not mention keep what they had.
    func updateQuorum(_ pool: String, up: Bool) {
        guard quorum.updateValue(up, forKey: pool) != up else { return }
        evaluate()
    }

    /// checkd's vrrp_script results, every one known.
    func updateScripts(_ results: [String: Bool]) {
        guard results != scripts else { return }
        scripts = results
        evaluate()
    }

    /// Looks at every address again: a link, a report or the configuration changed.
    func evaluate() {
        guard !plan.isEmpty else { return }
        guard let loopback = links.interface(named: "lo") else {
            if !loopbackMissingLogged {
                logger.error("tandem_announce: there is no interface lo here to serve the addresses on; nothing is announced")
                loopbackMissingLogged = true
            }
            return
        }
        let inputs = AnnouncedAddress.Inputs(quorum: quorum, scripts: scripts, interfaceIsUp: { [links] name in
            links.interface(named: name).map { links.isUsable($0) } ?? false
        })
        for entry in plan {
            serve(entry, loopback: loopback.index)
            let route = entry.publishedRoute(loopback: loopback.index)
            if let reason = draining ? "vrrpd is stopping" : entry.reasonToWithdraw(inputs) {
                if !cleared.contains(entry.address) && published[entry.address] == nil {
                    // A vrrpd that died without stopping may have left it; removing one not there is no error.
                    do { try routes.remove(route) } catch {
                        logger.warning("tandem_announce \(entry.block): could not remove a route left for \(entry.address): \(error)")
                    }
                }
                cleared.insert(entry.address)
                withdraw(entry.address, because: reason, block: entry.block)
            } else {
                cleared.insert(entry.address)
                publish(entry, route)
            }
        }
    }

    /// Withdraws every address now and calls `ready` once the longest withdraw_delay of those that were published
    /// has passed; they are served until `shutdown()`.
    func drain(then ready: @escaping () -> Void) {
        draining = true
        let delays = plan.filter { published[$0.address] != nil }.map(\.withdrawDelay)
        evaluate()
        guard let longest = delays.max(), longest > .zero else { return ready() }
        logger.notice("tandem_announce: every address is withdrawn; serving them \(longest) more while the routers hear of it")
        _ = clock.schedule(at: clock.now + longest) { ready() }
    }

    /// Stops serving every address (and withdraws any still published).
    func shutdown() {
        draining = true
        for address in Array(published.keys) { withdraw(address, because: "vrrpd is stopping") }
        for address in Array(served.keys) { unserve(address) }
    }

    private func serve(_ entry: AnnouncedAddress, loopback: Int32) {
        let route = entry.localRoute(loopback: loopback)
        guard served[entry.address] != route else { return }
        do {
            try routes.add(route)
            served[entry.address] = route
            logger.info("tandem_announce \(entry.block): serving \(entry.address) here (local route on lo)")
        } catch {
            logger.error("tandem_announce \(entry.block): could not serve \(entry.address): \(error)")
        }
    }

    private func unserve(_ address: IPAddress) {
        guard let route = served.removeValue(forKey: address) else { return }
        do { try routes.remove(route) } catch {
            logger.error("tandem_announce: could not stop serving \(address): \(error)")
        }
    }

    private func publish(_ entry: AnnouncedAddress, _ route: KernelRoute) {
        if let current = published[entry.address] {
            guard current != route else { return }
            withdraw(entry.address, because: "its route changed")
        }
        do {
            try routes.add(route)
            published[entry.address] = route
            withdrawnBecause[entry.address] = nil
            logger.notice("tandem_announce \(entry.block): announcing \(entry.address) (table \(entry.table))",
                          metadata: metadata(entry.address, announced: true))
        } catch {
            logger.error("tandem_announce \(entry.block): could not announce \(entry.address): \(error)")
        }
    }

    private func withdraw(_ address: IPAddress, because reason: String, block: String? = nil) {
        let changed = withdrawnBecause.updateValue(reason, forKey: address) != reason
        guard let route = published.removeValue(forKey: address) else {
            if changed, let block { logger.info("tandem_announce \(block): \(address) is not announced: \(reason)") }
            return
        }
        do { try routes.remove(route) } catch {
            logger.error("tandem_announce: could not withdraw \(address): \(error)")
            published[address] = route
            return
        }
        logger.notice("tandem_announce\(block.map { " \($0)" } ?? ""): withdrew \(address): \(reason)",
                      metadata: metadata(address, announced: false))
    }

    private func metadata(_ address: IPAddress, announced: Bool) -> Logger.Metadata {
        ["MESSAGE_ID": "\(MessageID.announcementChange)", "ANNOUNCED_ADDRESS": "\(address)",
         "ANNOUNCED": "\(announced ? 1 : 0)"]
    }
}
