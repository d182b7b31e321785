import DaemonKit
import Foundation
import KeepalivedConfig
import Logging
import Platform
import VRRP
import Vocabulary

/// Runs the VRRP state machines of a configuration: adverts in and out, VIPs added and removed, gratuitous
/// announcements, link changes, track-script results, and a timer per unit, all through its environment.
final class VRRPEngine {
    /// One instance's I/O.
    struct Member {
        var plan: InstancePlan
        let interface: InterfaceID
        let transport: any AdvertTransport
        let filter: VRRPReceiveFilter
        /// What the state machine was last told: an unweighted tracked interface is down; a script holds it down.
        var interfaceFault = false
        var scriptFault = false
        /// The last tracking result, for the operator's status.
        var tracking: VRRPTrackingResult?
        /// The last state change: when (wall clock, for the operator) and why.
        var lastChange: (at: Double, reason: VRRPTransitionReason)?
        /// Since start, for the operator: adverts sent (one per destination), adverts accepted from other
        /// routers, state changes, and how many of those were to MASTER.
        var advertsSent: UInt64 = 0
        var advertsReceived: UInt64 = 0
        var transitions = 0
        var becameMaster = 0
        /// The last advert another router sent as MASTER (priority above 0) while this instance was MASTER too,
        /// and when (wall clock): both claim MASTER while it keeps coming.
        var otherMaster: (address: IPAddress, priority: UInt8, at: Double)?
        var otherMasterTimes = RecentTimes()
        /// Packets for this instance's VRID dropped since start (`concernsInstance`), by reason, and the last one's
        /// reason and time.
        var drops: [VRRPDropReason: UInt64] = [:]
        var lastDrop: (reason: VRRPDropReason, at: Double)?
        var dropTimes = RecentTimes()
    }

    /// A lone instance or a sync group, with its members' I/O and its timer.
    struct Unit {
        let name: String
        var machine: VRRPUnit
        var members: [Member]
        var timer: ClockTimer?
    }

    private let environment: VRRPEnvironment
    let logger: Logger
    var clock: any VRRPClock { environment.clock }
    var links: any NetworkLinks { environment.links }
    var units: [Unit] = []
    private(set) var drops = VRRPDropCounters()
    private var dropsLogged: UInt64 = 0
    private var dropSummaryTimer: ClockTimer?
    /// How long after a drop that was not logged its count is.
    static let dropSummaryDelay: Duration = .seconds(10)
    /// Spacing of gratuitous ARPs and NAs per interface, and the ones waiting for it.
    private var spacing = AnnouncementSpacing(KeepalivedConfiguration())
    private var pacer = AnnouncementPacer()
    private var pacerTimer: ClockTimer?
    /// Each vrrp_instance's place in the configuration, the order keepalived sends pending announcements in.
    private var instanceOrder: [String: Int] = [:]
    /// The last result checkd reported per vrrp_script.
    private var trackResults: [String: Bool] = [:]
    /// static_ipaddress, static_routes, static_rules as installed (whatever the VRRP state), to add and remove
    /// only what a reload changed.
    private var staticAddresses: [VirtualIPAddress] = []
    private var staticRoutes: [PlannedRoute] = []
    private var staticRules: [KernelRule] = []
    /// Called on every state change: instance, new state, priority.
    var onStateChange: (String, VRRPState, UInt8) -> Void = { _, _, _ in }
    /// How each instance's last planned handover ended (VRRPEngine+Handover.swift).
    var lastHandover: [String: VRRPHandoverOutcome] = [:]
    /// A stop waiting for its handovers to end, and the timer that stops waiting.
    var stopWaiter: (ready: () -> Void, timer: ClockTimer)?

    /// The tandem_announce addresses: served here, published while healthy.
    let announcer: HealthAnnouncer

    init(environment: VRRPEnvironment, logger: Logger) throws {
        self.environment = environment
        self.logger = logger
        announcer = HealthAnnouncer(routes: environment.routes, links: environment.links, clock: environment.clock,
                                    logger: logger)
        try environment.links.watchChanges { [unowned self] changes in linksChanged(changes) }
    }

    /// Every instance's name, state and advertised priority, for a peer that (re)connects.
    var states: [(name: String, state: VRRPState, priority: UInt8)] {
        units.flatMap { $0.machine.members.map { ($0.config.name, $0.state, $0.effectivePriority) } }
    }

    // MARK: Configuration

    /// Starts every unit of `config` not already running with the same plan, stops units no longer wanted or
    /// changed. An unchanged instance keeps its state and its VIPs.
    func apply(_ config: KeepalivedConfiguration) {
        spacing = AnnouncementSpacing(config)
        announcer.apply(config)
        instanceOrder = Dictionary(config.vrrpInstances.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        applyStatic(addresses: config.staticAddresses.map { var a = $0; a.location = .init(file: "", line: 0, column: 0); return a },
                    routes: config.staticRoutes.map(PlannedRoute.init), rules: config.staticRules.map(KernelRule.init))
        var wanted: [(name: String, plans: [InstancePlan])] = []
        var grouped = Set<String>()
        for group in config.syncGroups {
            let plans = group.members.compactMap { name in config.vrrpInstance(named: name).flatMap { plan($0, config) } }
            grouped.formUnion(group.members)
            if plans.count == group.members.count { wanted.append((group.name, plans)) }
        }
        for instance in config.vrrpInstances where !grouped.contains(instance.name) {
            if let plan = plan(instance, config) { wanted.append((instance.name, [plan])) }
        }

        var kept: [Unit] = []
        for unit in units {
            if let match = wanted.first(where: { $0.name == unit.name }), match.plans == unit.members.map(\.plan) {
                kept.append(unit)
            } else if let match = wanted.first(where: { $0.name == unit.name }),
                      match.plans.map(\.withoutRoutes) == unit.members.map(\.plan.withoutRoutes) {
                kept.append(changeRoutes(of: unit, to: match.plans))
            } else {
                stop(unit, reason: "its configuration changed or was removed")
            }
        }
        units = kept
        for (name, plans) in wanted where !units.contains(where: { $0.name == name }) {
            start(name: name, plans: plans, isGroup: config.syncGroups.contains { $0.name == name })
        }
        applyTracking()
    }

    /// Only virtual_routes/virtual_rules changed: keepalived keeps the instance's state and, on a MASTER,
    /// removes what went and adds what came (clear_diff_vrrp); so does vrrpd.
    private func changeRoutes(of unit: Unit, to plans: [InstancePlan]) -> Unit {
        var unit = unit
        for index in unit.members.indices {
            let old = unit.members[index].plan
            let new = plans[index]
            if unit.machine.members[index].state == .master {
                for rule in old.rules where !new.rules.contains(rule) { changeRule(rule, add: false, owner: old.name) }
                for route in old.routes where !new.routes.contains(route) { changeRoute(route, add: false, owner: old.name) }
                for route in new.routes where !old.routes.contains(route) { changeRoute(route, add: true, owner: old.name) }
                for rule in new.rules where !old.rules.contains(rule) { changeRule(rule, add: true, owner: old.name) }
            }
            unit.members[index].plan = new
        }
        return unit
    }

    /// keepalived installs static entries at start and on reload adds and removes only what changed
    /// (clear_diff_static_*): rules go first and come last, as routes may need the addresses.
    private func applyStatic(addresses: [VirtualIPAddress], routes: [PlannedRoute], rules: [KernelRule]) {
        for rule in staticRules where !rules.contains(rule) { changeRule(rule, add: false, owner: "static") }
        for route in staticRoutes where !routes.contains(route) { changeRoute(route, add: false, owner: "static") }
        for address in staticAddresses where !addresses.contains(address) { changeStaticAddress(address, add: false) }
        for address in addresses where !staticAddresses.contains(address) { changeStaticAddress(address, add: true) }
        for route in routes where !staticRoutes.contains(route) { changeRoute(route, add: true, owner: "static") }
        for rule in rules where !staticRules.contains(rule) { changeRule(rule, add: true, owner: "static") }
        (staticAddresses, staticRoutes, staticRules) = (addresses, routes, rules)
    }

    private func changeStaticAddress(_ address: VirtualIPAddress, add: Bool) {
        guard let device = address.device, let link = links.interface(named: device) else {
            logger.error("static_ipaddress \(address.address): \(address.device.map { "interface \($0) does not exist" } ?? "needs dev")")
            return
        }
        do {
            if add {
                try environment.addresses.add(address.address, prefixLength: address.prefixLength, to: link,
                                              options: AddressOptions(label: address.label, broadcast: address.broadcast?.bytes,
                                                                      scope: address.scope ?? 0))
            } else {
                try environment.addresses.remove(address.address, prefixLength: address.prefixLength, from: link)
            }
            logger.info("\(add ? "added" : "removed") static \(address.address)/\(address.prefixLength) \(add ? "to" : "from") \(device)")
        } catch {
            logger.error("static_ipaddress: \(error)")
        }
    }

    private func plan(_ instance: VRRPInstanceDefinition, _ config: KeepalivedConfiguration) -> InstancePlan? {
        switch InstancePlan.make(instance, in: config, primaryAddress: primaryAddress) {
        case .success(let plan): return plan
        case .failure(let problem):
            logger.error("\(problem); the instance is not started", metadata: ["VRRP_INSTANCE": "\(instance.name)"])
            return nil
        }
    }

    /// The interface's first address of the family that is not one of the instance's VIPs.
    private func primaryAddress(_ interface: String, _ family: IPAddressFamily, _ vips: [IPAddress]) -> IPAddress? {
        guard let link = links.interface(named: interface) else { return nil }
        return links.addresses(of: link, family: family).first { !vips.contains($0) }
    }

    private func start(name: String, plans: [InstancePlan], isGroup: Bool) {
        guard let members = open(name: name, plans: plans) else { return }
        for (memberIndex, member) in members.enumerated() {
            do {
                try member.transport.watchReadable { [unowned self] in receive(unit: name, member: memberIndex) }
            } catch {
                // Deaf to adverts, the instance would take MASTER next to a working master.
                logger.error("\(member.plan.name): cannot watch its VRRP socket on \(member.plan.interface): \(error); \(name) is not started",
                             metadata: ["VRRP_INSTANCE": "\(member.plan.name)"])
                for opened in members { opened.transport.close() }
                return
            }
        }
        let instances = members.map { VRRPInstance(config: $0.plan.machine) }
        let machine: VRRPUnit = isGroup ? .group(VRRPSyncGroup(name: name, members: instances)) : .single(instances[0])
        units.append(Unit(name: name, machine: machine, members: members, timer: nil))
        let index = units.count - 1
        for member in members {
            for tracked in member.plan.trackedInterfaces where links.interface(named: tracked.name) == nil {
                logger.warning("\(member.plan.name): tracked interface \(tracked.name) does not exist; it counts as down until it appears",
                               metadata: ["VRRP_INSTANCE": "\(member.plan.name)"])
            }
        }
        // Tracking first, as keepalived's initialise_tracking_priorities: an instance with a tracked fault starts
        // in FAULT, and a weighted one starts at its tracked priority.
        var actions = updateTracking(unit: index)
        actions += units[index].machine.start(at: clock.now)
        execute(actions, unit: index)
        logger.info("\(name) started on \(Set(plans.map(\.interface)).sorted().joined(separator: ", "))",
                    metadata: ["VRRP_INSTANCE": "\(name)"])
    }

    /// Each plan's interface and transport; nil (with what was opened closed again) when one cannot be had.
    private func open(name: String, plans: [InstancePlan]) -> [Member]? {
        var members: [Member] = []
        for plan in plans {
            guard let interface = links.interface(named: plan.interface) else {
                logger.error("interface \(plan.interface) does not exist; \(name) is not started", metadata: ["VRRP_INSTANCE": "\(plan.name)"])
                for opened in members { opened.transport.close() }
                return nil
            }
            do {
                let transport = try environment.adverts.open(
                    on: interface, family: plan.source.family, multicastGroup: plan.multicastGroup,
                    source: plan.machine.unicastPeers.isEmpty ? nil : plan.source)
                members.append(Member(plan: plan, interface: interface, transport: transport, filter: plan.machine.receiveFilter))
            } catch {
                logger.error("\(plan.name): cannot open its VRRP socket on \(plan.interface): \(error)", metadata: ["VRRP_INSTANCE": "\(plan.name)"])
                for opened in members { opened.transport.close() }
                return nil
            }
        }
        return members
    }

    private func stop(_ unit: Unit, reason: String) {
        guard let index = units.firstIndex(where: { $0.name == unit.name }) else { return }
        var actions: [VRRPMemberAction] = []
        for member in units[index].members.indices {
            actions += units[index].machine.handle(.shutdown, member: member, at: clock.now)
        }
        execute(actions, unit: index)
        if let timer = units[index].timer { clock.cancel(timer) }
        for member in units[index].members { member.transport.close() }
        logger.info("\(unit.name) stopped: \(reason)", metadata: ["VRRP_INSTANCE": "\(unit.name)"])
    }

    /// Graceful stop: a Master sends priority 0 so the backup takes over after Skew_Time, and releases its VIPs.
    func shutdown() {
        for unit in units { stop(unit, reason: "vrrpd is stopping") }
        units.removeAll()
        if let timer = pacerTimer { clock.cancel(timer) }
        pacerTimer = nil
        // keepalived clears its static entries when it stops, too.
        applyStatic(addresses: [], routes: [], rules: [])
        announcer.shutdown()
        links.stopWatching()
    }

    // MARK: Events

    private func receive(unit name: String, member: Int) {
        guard let index = units.firstIndex(where: { $0.name == name }) else { return }
        let transport = units[index].members[member].transport
        let filter = units[index].members[member].filter
        let interfaceName = units[index].members[member].interface.name
        var actions: [VRRPMemberAction] = []
        for outcome in transport.drain(filter) {
            switch outcome {
            case .accepted(let advert, let source, let warnings):
                if !warnings.isEmpty {
                    logger.debug("advert from \(source) for VRID \(advert.vrid): \(warnings)")
                }
                units[index].members[member].advertsReceived += 1
                if units[index].machine.members[member].state == .master && advert.priority > 0 {
                    let now = Date().timeIntervalSince1970
                    units[index].members[member].otherMaster = (source, advert.priority, now)
                    units[index].members[member].otherMasterTimes.record(now)
                }
                actions += units[index].machine.handle(.advertisement(advert, from: source), member: member, at: clock.now)
            case .notForMe:
                break
            case .dropped(let reason):
                drops.record(reason)
                if reason.concernsInstance {
                    units[index].members[member].drops[reason, default: 0] += 1
                    let now = Date().timeIntervalSince1970
                    units[index].members[member].lastDrop = (reason, now)
                    units[index].members[member].dropTimes.record(now)
                }
                // One line per power of two, so a flood is visible without flooding the journal; what follows the
                // last such line is summed up by a timer, not only when the next power of two comes (maybe never).
                if drops.total.nonzeroBitCount == 1 && drops.total > dropsLogged {
                    dropsLogged = drops.total
                    logger.warning("dropped a VRRP packet on \(interfaceName): \(reason) (\(drops.total) dropped so far)",
                                   metadata: ["VRRP_INSTANCE": "\(units[index].members[member].plan.name)"])
                } else if dropSummaryTimer == nil {
                    dropSummaryTimer = clock.schedule(at: clock.now + Self.dropSummaryDelay) { [weak self] in
                        self?.summarizeDrops()
                    }
                }
            }
        }
        execute(actions, unit: index)
    }

    /// The drops since the last line, by reason.
    private func summarizeDrops() {
        dropSummaryTimer = nil
        guard drops.total > dropsLogged else { return }
        let byReason = drops.nonZero.map { "\($0.reason.rawValue)=\($0.count)" }.joined(separator: " ")
        logger.warning("dropped \(drops.total - dropsLogged) more VRRP packets since the last line (\(drops.total) dropped so far: \(byReason))")
        dropsLogged = drops.total
    }

    private func timerFired(unit name: String) {
        guard let index = units.firstIndex(where: { $0.name == name }) else { return }
        units[index].timer = nil
        execute(units[index].machine.timerFired(at: clock.now), unit: index)
    }

    private func linksChanged(_ changes: LinkChanges) {
        // Every tracked interface is looked at again by name, whichever changed, so one deleted and re-created
        // under the same name counts too.
        applyTracking()
        announcer.evaluate()
    }

    /// New results from checkd: recompute each tracking instance's priority and fault, and the announcements.
    func updateTrackResults(_ results: [String: Bool]) {
        trackResults = results
        applyTracking()
        announcer.updateScripts(results)
    }

    private func applyTracking() {
        for index in units.indices { execute(updateTracking(unit: index), unit: index) }
    }

    /// The events that bring each member's state machine in line with its tracked scripts and interfaces now.
    private func updateTracking(unit index: Int) -> [VRRPMemberAction] {
        var actions: [VRRPMemberAction] = []
        for memberIndex in units[index].members.indices {
            let member = units[index].members[memberIndex]
            let scripts = member.plan.trackedScripts.map { script -> VRRPTrackedScript in
                var script = script
                script.status = trackResults[script.name].map { $0 ? .ok : .failed } ?? .unknown
                return script
            }
            let interfaces = member.plan.trackedInterfaces.map { tracked -> VRRPTrackedInterface in
                var tracked = tracked
                tracked.isUp = links.interface(named: tracked.name).map { links.isUsable($0) } ?? false
                return tracked
            }
            let result = vrrpTracking(basePriority: member.plan.machine.priority, scripts: scripts, interfaces: interfaces)
            units[index].members[memberIndex].tracking = result
            let name = member.plan.name
            let current = units[index].machine.members[memberIndex].effectivePriority
            if current != result.effectivePriority && !member.plan.machine.isAddressOwner {
                logger.info("\(name): effective priority \(current) → \(result.effectivePriority)", metadata: ["VRRP_INSTANCE": "\(name)"])
                actions += units[index].machine.handle(.priorityChanged(result.effectivePriority), member: memberIndex, at: clock.now)
            }
            if result.isInterfaceFault != member.interfaceFault {
                units[index].members[memberIndex].interfaceFault = result.isInterfaceFault
                let faulting = interfaces.filter { result.faultingInterfaces.contains($0.name) }
                    .map { "\($0.name) is \($0.isUp ? "up (weight 0 reverse)" : "down")" }
                let what = faulting.isEmpty ? "no tracked interface holds it in FAULT any more"
                                            : "tracked interface \(faulting.joined(separator: ", ")): FAULT"
                logger.info("\(name): \(what)", metadata: ["VRRP_INSTANCE": "\(name)"])
                actions += units[index].machine.handle(result.isInterfaceFault ? .interfaceDown : .interfaceUp,
                                                       member: memberIndex, at: clock.now)
            }
            if result.isScriptFault != member.scriptFault {
                units[index].members[memberIndex].scriptFault = result.isScriptFault
                actions += units[index].machine.handle(result.isScriptFault ? .trackDown : .trackUp, member: memberIndex, at: clock.now)
            }
        }
        return actions
    }

    // MARK: Actions

    func execute(_ actions: [VRRPMemberAction], unit index: Int) {
        for item in actions {
            let member = units[index].members[item.member]
            switch item.action {
            case .sendAdvertisement(let advert):
                for destination in member.plan.destinations {
                    let message = advert.encodeMessage(source: member.plan.source, destination: destination)
                    do {
                        try member.transport.send(message, from: member.plan.source, to: destination)
                        units[index].members[item.member].advertsSent += 1
                    } catch {
                        logger.debug("\(member.plan.name): advert to \(destination) not sent: \(error)")
                    }
                }
            case .addVirtualAddresses(let addresses):
                // keepalived's order on becoming MASTER: addresses, then routes, then rules.
                for address in addresses { changeAddress(address, of: member, add: true) }
                for route in member.plan.routes { changeRoute(route, add: true, owner: member.plan.name) }
                for rule in member.plan.rules { changeRule(rule, add: true, owner: member.plan.name) }
            case .removeVirtualAddresses(let addresses):
                pacer.drop(owner: member.plan.name, addresses: addresses)
                reschedulePacer()
                // And the reverse on leaving it (also at stop): rules, routes, addresses.
                for rule in member.plan.rules { changeRule(rule, add: false, owner: member.plan.name) }
                for route in member.plan.routes { changeRoute(route, add: false, owner: member.plan.name) }
                for address in addresses { changeAddress(address, of: member, add: false) }
            case .sendGratuitous(let addresses, let count):
                announce(addresses, of: member, times: count)
            case .stateChanged(let from, let to, let reason):
                let priority = units[index].machine.members[item.member].effectivePriority
                logger.notice("\(member.plan.name): \(from.rawValue.uppercased()) → \(to.rawValue.uppercased()) (\(reason.rawValue))",
                              metadata: ["VRRP_INSTANCE": "\(member.plan.name)", "VRRP_STATE": "\(to.rawValue.uppercased())",
                                         "VRRP_PRIORITY": "\(priority)", "MESSAGE_ID": "\(MessageID.stateChange)"])
                units[index].members[item.member].lastChange = (Date().timeIntervalSince1970, reason)
                units[index].members[item.member].transitions += 1
                if to == .master { units[index].members[item.member].becameMaster += 1 }
                onStateChange(member.plan.name, to, priority)
            case .handoverEnded(let outcome):
                handoverEnded(outcome, instance: member.plan.name)
            }
        }
        rescheduleTimer(unit: index)
        if stopWaiter != nil { stopIfHandoversEnded() }
    }

    private func rescheduleTimer(unit index: Int) {
        if let timer = units[index].timer { clock.cancel(timer) }
        units[index].timer = nil
        guard let deadline = units[index].machine.nextDeadline else { return }
        let name = units[index].name
        units[index].timer = clock.schedule(at: deadline) { [unowned self] in timerFired(unit: name) }
    }

    private func changeAddress(_ address: IPAddress, of member: Member, add: Bool) {
        let details = member.plan.details(of: address)
        let device = details.device ?? member.plan.interface
        guard let link = links.interface(named: device) else {
            logger.error("\(member.plan.name): interface \(device) of \(address) does not exist")
            return
        }
        do {
            if add {
                try environment.addresses.add(address, prefixLength: details.prefixLength, to: link,
                                              options: AddressOptions(label: details.label, broadcast: details.broadcast?.bytes,
                                                                      scope: details.scope ?? 0))
            } else {
                try environment.addresses.remove(address, prefixLength: details.prefixLength, from: link)
            }
            logger.info("\(add ? "added" : "removed") \(address)/\(details.prefixLength) \(add ? "to" : "from") \(device)",
                        metadata: ["VRRP_INSTANCE": "\(member.plan.name)"])
        } catch {
            logger.error("\(member.plan.name): \(error)", metadata: ["VRRP_INSTANCE": "\(member.plan.name)"])
        }
    }

    /// `owner` names the instance (or "static") in the log.
    func changeRoute(_ planned: PlannedRoute, add: Bool, owner: String) {
        var route = planned.route
        if let device = planned.device {
            guard let link = links.interface(named: device) else {
                logger.error("\(owner): interface \(device) of route \(route.destination) does not exist", metadata: ["VRRP_INSTANCE": "\(owner)"])
                return
            }
            route.interfaceIndex = link.index
        }
        do {
            if add { try environment.routes.add(route) } else { try environment.routes.remove(route) }
            logger.info("\(add ? "added" : "removed") route \(route.destination) table \(route.table)", metadata: ["VRRP_INSTANCE": "\(owner)"])
        } catch {
            logger.error("\(owner): \(error)", metadata: ["VRRP_INSTANCE": "\(owner)"])
        }
    }

    func changeRule(_ rule: KernelRule, add: Bool, owner: String) {
        do {
            if add { try environment.routes.add(rule) } else { try environment.routes.remove(rule) }
            logger.info("\(add ? "added" : "removed") rule preference \(rule.preference)", metadata: ["VRRP_INSTANCE": "\(owner)"])
        } catch {
            logger.error("\(owner): \(error)", metadata: ["VRRP_INSTANCE": "\(owner)"])
        }
    }

    private func announce(_ addresses: [IPAddress], of member: Member, times: Int) {
        var byDevice: [String: [IPAddress]] = [:]
        var devices: [String] = []
        for address in addresses {
            let device = member.plan.details(of: address).device ?? member.plan.interface
            if byDevice[device] == nil { devices.append(device) }
            byDevice[device, default: []].append(address)
        }
        for device in devices {
            let list = byDevice[device] ?? []
            guard let link = links.interface(named: device) else { continue }
            let spaced = list.filter { spacing.interval(on: device, for: $0.family) > .zero }
            let unspaced = list.filter { spacing.interval(on: device, for: $0.family) == .zero }
            for _ in 0..<max(times, 0) {
                if !unspaced.isEmpty { send(unspaced, on: link, device: device, of: member.plan.name) }
                for address in spaced {
                    let rank = AnnouncementPacer.Rank(instance: instanceOrder[member.plan.name] ?? Int.max,
                                                      address: member.plan.addresses.firstIndex { $0.address == address } ?? Int.max)
                    let announcement = AnnouncementPacer.Announcement(address: address, interface: device,
                                                                      owner: member.plan.name, rank: rank)
                    if pacer.request(announcement, interval: spacing.interval(on: device, for: address.family), at: clock.now) {
                        send([address], on: link, device: device, of: member.plan.name)
                    }
                }
            }
        }
        reschedulePacer()
    }

    private func send(_ addresses: [IPAddress], on link: InterfaceID, device: String, of instance: String) {
        do {
            try environment.announcer.announce(addresses, on: link)
        } catch {
            logger.warning("\(instance): announcing on \(device) failed: \(error)")
        }
    }

    /// Sends the spaced announcements that are due, then waits for the next.
    private func reschedulePacer() {
        if let timer = pacerTimer { clock.cancel(timer) }
        pacerTimer = nil
        guard let deadline = pacer.nextDeadline else { return }
        pacerTimer = clock.schedule(at: deadline) { [unowned self] in
            pacerTimer = nil
            for announcement in pacer.due(at: clock.now) {
                guard let link = links.interface(named: announcement.interface) else { continue }
                send([announcement.address], on: link, device: announcement.interface, of: announcement.owner)
            }
            reschedulePacer()
        }
    }
}

/// The wall-clock times of the last few events of a kind, so the operator's status tells a lasting condition (a
/// MASTER hearing another one advert after advert) from a moment (one advert crossing while an election settles).
struct RecentTimes {
    static let kept = 3
    private(set) var times: [Double] = []

    mutating func record(_ at: Double) {
        times.append(at)
        if times.count > Self.kept { times.removeFirst(times.count - Self.kept) }
    }

    /// How many of the kept events happened in the `window` seconds before `now`.
    func count(within window: Double, of now: Double) -> Int { times.filter { now - $0 < window }.count }
}
