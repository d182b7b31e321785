import DaemonKit
import KeepalivedConfig
import Logging
import Platform
import VRRP

/// Runs the VRRP state machines of a configuration on the event loop: adverts in and out on raw sockets, VIPs
/// through rtnetlink, gratuitous ARP, link changes, track-script results, and a timer per unit.
final class VRRPEngine {
    /// The socket of one instance: IPv4 (v2 or v3) or IPv6 (v3).
    enum Transport {
        case ipv4(VRRPSocket)
        case ipv6(VRRPSocket6)

        var fd: Int32 {
            switch self {
            case .ipv4(let socket): return socket.fd
            case .ipv6(let socket): return socket.fd
            }
        }

        func send(_ message: [UInt8], to destination: VRRPAddress) throws {
            switch self {
            case .ipv4(let socket): try socket.send(message, to: destination.bytes)
            case .ipv6(let socket): try socket.send(message, to: destination.bytes)
            }
        }

        /// Decodes and checks every datagram waiting, in arrival order.
        func drain(_ filter: VRRPReceiveFilter) -> [VRRPReceiveOutcome] {
            var outcomes: [VRRPReceiveOutcome] = []
            switch self {
            case .ipv4(let socket):
                while let datagram = socket.receive() { outcomes.append(filter.receiveIPv4(datagram: datagram)) }
            case .ipv6(let socket):
                while let datagram = socket.receive() {
                    guard let source = VRRPAddress(bytes: datagram.source),
                          let destination = VRRPAddress(bytes: datagram.destination) else { continue }
                    outcomes.append(filter.receiveIPv6(payload: datagram.payload, source: source,
                                                       destination: destination, hopLimit: datagram.hopLimit))
                }
            }
            return outcomes
        }
    }

    /// One instance's I/O.
    struct Member {
        var plan: InstancePlan
        let interface: NetworkInterface
        let socket: Transport
        let filter: VRRPReceiveFilter
        var trackDown = false
    }

    /// A lone instance or a sync group, with its members' I/O and its timer.
    struct Unit {
        let name: String
        var machine: VRRPUnit
        var members: [Member]
        var timer: TimerID?
    }

    private let loop: EventLoop
    private let logger: Logger
    private let addressControl: AddressControl
    private let arp: GratuitousARPSender
    private let neighbourAdverts: NeighbourAdvertSender
    private let links: LinkMonitor
    private var units: [Unit] = []
    private(set) var drops = VRRPDropCounters()
    private var dropsLogged: UInt64 = 0
    /// The last result checkd reported per vrrp_script.
    private var trackResults: [String: Bool] = [:]
    /// Called on every state change: instance, new state, priority.
    var onStateChange: (String, VRRPState, UInt8) -> Void = { _, _, _ in }

    init(loop: EventLoop, logger: Logger) throws {
        self.loop = loop
        self.logger = logger
        addressControl = try AddressControl()
        arp = try GratuitousARPSender()
        neighbourAdverts = try NeighbourAdvertSender()
        links = try LinkMonitor()
        try loop.watchReadable(links.fd) { [unowned self] in linksChanged() }
    }

    /// Every instance's name, state and advertised priority, for a peer that (re)connects.
    var states: [(name: String, state: VRRPState, priority: UInt8)] {
        units.flatMap { $0.machine.members.map { ($0.config.name, $0.state, $0.effectivePriority) } }
    }

    static func now() -> VRRPInstant { VRRPInstant(nanoseconds: UInt64(max(0, MonotonicInstant.now.nanoseconds))) }

    // MARK: Configuration

    /// Starts every unit of `config` not already running with the same plan, stops units no longer wanted or
    /// changed. An unchanged instance keeps its state and its VIPs.
    func apply(_ config: KeepalivedConfiguration) {
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

    private func plan(_ instance: KeepalivedConfig.VRRPInstance, _ config: KeepalivedConfiguration) -> InstancePlan? {
        switch InstancePlan.make(instance, in: config, primaryAddress: Self.primaryAddress) {
        case .success(let plan): return plan
        case .failure(let problem):
            logger.error("\(problem); the instance is not started", metadata: ["VRRP_INSTANCE": "\(instance.name)"])
            return nil
        }
    }

    /// The interface's first address of the family that is not one of the instance's VIPs.
    static func primaryAddress(_ interface: String, _ family: VRRPAddressFamily, _ vips: [VRRPAddress]) -> VRRPAddress? {
        guard let link = NetworkInterface(named: interface) else { return nil }
        let candidates = (family == .ipv4 ? link.ipv4Addresses() : link.ipv6Addresses()).compactMap { VRRPAddress(bytes: $0) }
        return candidates.first { !vips.contains($0) }
    }

    private func start(name: String, plans: [InstancePlan], isGroup: Bool) {
        var members: [Member] = []
        for plan in plans {
            guard let interface = NetworkInterface(named: plan.interface) else {
                logger.error("interface \(plan.interface) does not exist; \(name) is not started", metadata: ["VRRP_INSTANCE": "\(plan.name)"])
                return
            }
            do {
                let socket: Transport = plan.source.family == .ipv4
                    ? .ipv4(try VRRPSocket(interface: interface, multicastGroup: plan.multicastGroup?.bytes,
                                           source: plan.machine.unicastPeers.isEmpty ? nil : plan.source.bytes))
                    : .ipv6(try VRRPSocket6(interface: interface, multicastGroup: plan.multicastGroup?.bytes))
                members.append(Member(plan: plan, interface: interface, socket: socket, filter: plan.machine.receiveFilter))
            } catch {
                logger.error("\(plan.name): cannot open its VRRP socket on \(plan.interface): \(error)", metadata: ["VRRP_INSTANCE": "\(plan.name)"])
                return
            }
        }
        let instances = members.map { VRRPInstance(config: $0.plan.machine) }
        let machine: VRRPUnit = isGroup ? .group(VRRPSyncGroup(name: name, members: instances)) : .single(instances[0])
        units.append(Unit(name: name, machine: machine, members: members, timer: nil))
        let index = units.count - 1
        for (memberIndex, member) in members.enumerated() {
            try? loop.watchReadable(member.socket.fd) { [unowned self] in receive(unit: name, member: memberIndex) }
        }
        var actions = units[index].machine.start(at: Self.now())
        for (memberIndex, member) in members.enumerated() where !member.interface.isUsable {
            actions += units[index].machine.handle(.interfaceDown, member: memberIndex, at: Self.now())
        }
        execute(actions, unit: index)
        logger.info("\(name) started on \(Set(plans.map(\.interface)).sorted().joined(separator: ", "))",
                    metadata: ["VRRP_INSTANCE": "\(name)"])
    }

    private func stop(_ unit: Unit, reason: String) {
        guard let index = units.firstIndex(where: { $0.name == unit.name }) else { return }
        var actions: [VRRPMemberAction] = []
        for member in units[index].members.indices {
            actions += units[index].machine.handle(.shutdown, member: member, at: Self.now())
        }
        execute(actions, unit: index)
        if let timer = units[index].timer { loop.cancel(timer) }
        for member in units[index].members { loop.unwatch(member.socket.fd) }
        logger.info("\(unit.name) stopped: \(reason)", metadata: ["VRRP_INSTANCE": "\(unit.name)"])
    }

    /// Graceful stop: a Master sends priority 0 so the backup takes over after Skew_Time, and releases its VIPs.
    func shutdown() {
        for unit in units { stop(unit, reason: "vrrpd is stopping") }
        units.removeAll()
        loop.unwatch(links.fd)
    }

    // MARK: Events

    private func receive(unit name: String, member: Int) {
        guard let index = units.firstIndex(where: { $0.name == name }) else { return }
        let socket = units[index].members[member].socket
        let filter = units[index].members[member].filter
        let interfaceName = units[index].members[member].interface.name
        var actions: [VRRPMemberAction] = []
        for outcome in socket.drain(filter) {
            switch outcome {
            case .accepted(let advert, let source, let warnings):
                if !warnings.isEmpty {
                    logger.debug("advert from \(source) for VRID \(advert.vrid): \(warnings)")
                }
                actions += units[index].machine.handle(.advertisement(advert, from: source), member: member, at: Self.now())
            case .notForMe:
                break
            case .dropped(let reason):
                drops.record(reason)
                // One line per power of two, so a flood is visible without flooding the journal.
                if drops.total.nonzeroBitCount == 1 && drops.total > dropsLogged {
                    dropsLogged = drops.total
                    logger.warning("dropped a VRRP packet on \(interfaceName): \(reason) (\(drops.total) dropped so far)",
                                   metadata: ["VRRP_INSTANCE": "\(units[index].members[member].plan.name)"])
                }
            }
        }
        execute(actions, unit: index)
    }

    private func timerFired(unit name: String) {
        guard let index = units.firstIndex(where: { $0.name == name }) else { return }
        units[index].timer = nil
        execute(units[index].machine.timerFired(at: Self.now()), unit: index)
    }

    private func linksChanged() {
        let (changes, overrun) = links.drain()
        for index in units.indices {
            var actions: [VRRPMemberAction] = []
            for (memberIndex, member) in units[index].members.enumerated() {
                let relevant = overrun || changes.contains { $0.interfaceIndex == member.interface.index }
                guard relevant else { continue }
                let event: VRRPEvent = member.interface.isUsable ? .interfaceUp : .interfaceDown
                logger.debug("\(member.interface.name) is \(event == .interfaceUp ? "up" : "down")")
                actions += units[index].machine.handle(event, member: memberIndex, at: Self.now())
            }
            execute(actions, unit: index)
        }
    }

    /// New results from checkd: recompute each tracking instance's priority and fault.
    func updateTrackResults(_ results: [String: Bool]) {
        trackResults = results
        applyTracking()
    }

    private func applyTracking() {
        for index in units.indices {
            var actions: [VRRPMemberAction] = []
            for memberIndex in units[index].members.indices {
                let member = units[index].members[memberIndex]
                guard !member.plan.trackedScripts.isEmpty else { continue }
                let scripts = member.plan.trackedScripts.map { script -> VRRPTrackedScript in
                    var script = script
                    script.status = trackResults[script.name].map { $0 ? .ok : .failed } ?? .unknown
                    return script
                }
                let result = vrrpTracking(basePriority: member.plan.machine.priority, scripts: scripts)
                if result.isDown != member.trackDown {
                    units[index].members[memberIndex].trackDown = result.isDown
                    actions += units[index].machine.handle(result.isDown ? .trackDown : .trackUp, member: memberIndex, at: Self.now())
                }
                if units[index].machine.members[memberIndex].effectivePriority != result.effectivePriority {
                    actions += units[index].machine.handle(.priorityChanged(result.effectivePriority), member: memberIndex, at: Self.now())
                }
            }
            execute(actions, unit: index)
        }
    }

    // MARK: Actions

    private func execute(_ actions: [VRRPMemberAction], unit index: Int) {
        for item in actions {
            let member = units[index].members[item.member]
            switch item.action {
            case .sendAdvertisement(let advert):
                for destination in member.plan.destinations {
                    let message = advert.encodeMessage(source: member.plan.source, destination: destination)
                    do { try member.socket.send(message, to: destination) } catch {
                        logger.debug("\(member.plan.name): advert to \(destination) not sent: \(error)")
                    }
                }
            case .addVirtualAddresses(let addresses):
                for address in addresses { changeAddress(address, of: member, add: true) }
            case .removeVirtualAddresses(let addresses):
                for address in addresses { changeAddress(address, of: member, add: false) }
            case .sendGratuitous(let addresses, let count):
                announce(addresses, of: member, times: count)
            case .stateChanged(let from, let to, let reason):
                let priority = units[index].machine.members[item.member].effectivePriority
                logger.notice("\(member.plan.name): \(from.rawValue.uppercased()) → \(to.rawValue.uppercased()) (\(reason.rawValue))",
                              metadata: ["VRRP_INSTANCE": "\(member.plan.name)", "VRRP_STATE": "\(to.rawValue.uppercased())",
                                         "VRRP_PRIORITY": "\(priority)", "MESSAGE_ID": "\(MessageID.stateChange)"])
                onStateChange(member.plan.name, to, priority)
            }
        }
        rescheduleTimer(unit: index)
    }

    private func rescheduleTimer(unit index: Int) {
        if let timer = units[index].timer { loop.cancel(timer) }
        units[index].timer = nil
        guard let deadline = units[index].machine.nextDeadline else { return }
        let name = units[index].name
        let when = MonotonicInstant(nanoseconds: Int64(clamping: deadline.nanoseconds))
        units[index].timer = loop.schedule(at: when) { [unowned self] in timerFired(unit: name) }
    }

    private func changeAddress(_ address: VRRPAddress, of member: Member, add: Bool) {
        let details = member.plan.details(of: address)
        let device = details.device ?? member.plan.interface
        guard let link = NetworkInterface(named: device) else {
            logger.error("\(member.plan.name): interface \(device) of \(address) does not exist")
            return
        }
        do {
            if add {
                try addressControl.add(address.bytes, prefixLength: details.prefixLength, interfaceIndex: link.index, label: details.label)
            } else {
                try addressControl.remove(address.bytes, prefixLength: details.prefixLength, interfaceIndex: link.index)
            }
            logger.info("\(add ? "added" : "removed") \(address)/\(details.prefixLength) \(add ? "to" : "from") \(device)",
                        metadata: ["VRRP_INSTANCE": "\(member.plan.name)"])
        } catch {
            logger.error("\(member.plan.name): \(error)", metadata: ["VRRP_INSTANCE": "\(member.plan.name)"])
        }
    }

    private func announce(_ addresses: [VRRPAddress], of member: Member, times: Int) {
        var byDevice: [String: [[UInt8]]] = [:]
        for address in addresses {
            byDevice[member.plan.details(of: address).device ?? member.plan.interface, default: []].append(address.bytes)
        }
        for (device, list) in byDevice {
            guard let link = NetworkInterface(named: device) else { continue }
            for _ in 0..<max(times, 0) {
                do {
                    // Gratuitous ARP for IPv4, unsolicited neighbour advertisements for IPv6.
                    try arp.announce(list.filter { $0.count == 4 }, on: link)
                    try neighbourAdverts.announce(list.filter { $0.count == 16 }, on: link)
                } catch {
                    logger.warning("\(member.plan.name): announcing on \(device) failed: \(error)")
                    break
                }
            }
        }
    }
}
