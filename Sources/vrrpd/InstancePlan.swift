import KeepalivedConfig
import Platform
import VRRP
import Vocabulary

/// One vrrp_instance as vrrpd runs it: the state machine's configuration plus what only the I/O shell needs
/// (interface, addresses' prefixes, labels and devices, where adverts go).
struct InstancePlan: Equatable {
    var name: String
    var interface: String
    var machine: VRRPInstanceConfig
    /// Each VIP, then each excluded address, with its prefix length, label and device, as `ip addr add` takes it.
    var addresses: [VirtualAddress]
    /// Where adverts are sent: the unicast peers, or the multicast group.
    var destinations: [IPAddress]
    var multicastGroup: IPAddress?
    /// The address adverts leave from (mcast_src_ip / unicast_src_ip, or the interface's primary address).
    var source: IPAddress
    var trackedScripts: [VRRPTrackedScript]
    /// Every interface whose state counts, each once; `isUp` is filled in from the links when tracking is computed.
    var trackedInterfaces: [VRRPTrackedInterface]
    /// virtual_routes and virtual_rules: installed after the VIPs on entering MASTER, removed on leaving it.
    var routes: [PlannedRoute] = []
    var rules: [KernelRule] = []

    struct VirtualAddress: Equatable {
        var address: IPAddress
        var prefixLength: Int
        var label: String?
        var device: String?
        var broadcast: IPAddress?
        var scope: UInt8?
    }

    /// Builds the plan; `primaryAddress` returns the interface's own first address of a family (nil if none).
    static func make(_ instance: VRRPInstanceDefinition, in config: KeepalivedConfiguration,
                     primaryAddress: (String, IPAddressFamily, [IPAddress]) -> IPAddress?)
        -> Result<InstancePlan, PlanError> {
        guard let interface = instance.interface, let vrid = instance.virtualRouterID else {
            return .failure(PlanError("vrrp_instance \(instance.name) has no interface or virtual_router_id"))
        }
        func planned(_ vip: VirtualIPAddress) -> VirtualAddress {
            VirtualAddress(address: vip.address, prefixLength: vip.prefixLength, label: vip.label, device: vip.device,
                           broadcast: vip.broadcast, scope: vip.scope)
        }
        let advertised = instance.virtualIPAddresses.map(planned)
        let excluded = instance.excludedVirtualIPAddresses.map(planned)
        let addresses = advertised + excluded
        let family = instance.family
        let peers = instance.unicastPeers
        guard let source = instance.sourceIP ?? primaryAddress(interface, family, addresses.map(\.address)) else {
            return .failure(PlanError("vrrp_instance \(instance.name): \(interface) has no \(family == .ipv4 ? "IPv4" : "IPv6") address to send adverts from"))
        }
        let group = family == .ipv4 ? config.global.vrrpMulticastGroup4 : config.global.vrrpMulticastGroup6
        let multicast = peers.isEmpty ? group : nil

        var gratuitous = VRRPGratuitousConfig()
        gratuitous.masterDelay = instance.garpMaster.delay
        gratuitous.masterRepeat = instance.garpMaster.repeatCount
        gratuitous.masterRefresh = instance.garpMaster.refresh
        gratuitous.masterRefreshRepeat = instance.garpMaster.refreshRepeatCount
        gratuitous.lowerPriorityRepeat = instance.garpLowerPriorityRepeat(config.global)
        gratuitous.lowerPriorityDelay = instance.garpLowerPriorityDelay(config.global)
        gratuitous.lowerPriorityNoAdvert = instance.lowerPriorityNoAdvert(config.global)
        gratuitous.higherPrioritySendAdvert = instance.higherPrioritySendAdvert(config.global)

        let authentication: VRRPAuthentication
        switch instance.authentication {
        case .password(let text): authentication = .password(text)
        case .none: authentication = .none
        case .ah:
            // The validator refuses AH for version 2; this guards against ever sending its key as a PASS password.
            return .failure(PlanError("vrrp_instance \(instance.name): auth_type AH is not supported; use PASS or no authentication"))
        }
        var machine = VRRPInstanceConfig(
            name: instance.name, vrid: UInt8(vrid), version: instance.effectiveVersion(config.global) == 3 ? .v3 : .v2,
            priority: UInt8(instance.basePriority), advertInterval: instance.advertInterval,
            initialState: instance.startState == .master ? .master : .backup,
            preempt: !instance.nopreempt, preemptDelay: instance.preemptDelay,
            virtualAddresses: advertised.map(\.address), excludedAddresses: excluded.map(\.address), primaryAddress: source,
            authentication: authentication, unicastPeers: peers, gratuitous: gratuitous
        ).normalized
        machine.checkUnicastSource = instance.checkUnicastSource || config.global.checkUnicastSource

        let scripts = instance.trackScripts.compactMap { reference -> VRRPTrackedScript? in
            guard let script = config.vrrpScript(named: reference.name) else { return nil }
            return VRRPTrackedScript(name: script.name, scriptWeight: script.weight, scriptReverse: script.weightReversed,
                                     instanceWeight: reference.weight, instanceReverse: reference.reverse)
        }
        return .success(InstancePlan(
            name: instance.name, interface: interface, machine: machine, addresses: addresses,
            destinations: peers.isEmpty ? [multicast].compactMap { $0 } : peers, multicastGroup: multicast,
            source: source, trackedScripts: scripts, trackedInterfaces: trackedInterfaces(instance, interface),
            routes: instance.virtualRoutes.map(PlannedRoute.init), rules: instance.virtualRules.map(KernelRule.init)))
    }

    /// keepalived's list (vrrp_complete_instance): the track_interface entries (the configuration has already
    /// dropped one naming the own interface and applied the sync group's), then, unweighted, the own interface
    /// unless `dont_track_primary`, the interface of each address without `no_track`, and the interfaces of
    /// tracked virtual routes and rules. An interface listed
    /// twice is tracked once, and unweighted if any entry is.
    private static func trackedInterfaces(_ instance: VRRPInstanceDefinition, _ interface: String) -> [VRRPTrackedInterface] {
        var tracked = instance.trackInterfaces.map { VRRPTrackedInterface(name: $0.name, weight: $0.weight, reverse: $0.reverse) }
        func trackUnweighted(_ name: String) {
            if let index = tracked.firstIndex(where: { $0.name == name }) {
                // keepalived (add_vrrp_to_interface) rewrites only a weighted entry; `weight 0 reverse` stays.
                if tracked[index].weight != 0 { tracked[index] = VRRPTrackedInterface(name: name) }
            } else {
                tracked.append(VRRPTrackedInterface(name: name))
            }
        }
        if !instance.dontTrackPrimary { trackUnweighted(interface) }
        for address in instance.virtualIPAddresses + instance.excludedVirtualIPAddresses where !address.noTrack {
            let device = address.device ?? interface
            if device == interface && instance.dontTrackPrimary { continue }
            trackUnweighted(device)
        }
        // keepalived (vrrp_complete_instance): a tracked route's dev, a tracked rule's iif and oif.
        for route in instance.virtualRoutes where !route.noTrack { route.device.map(trackUnweighted) }
        for rule in instance.virtualRules where !rule.noTrack {
            rule.inputInterface.map(trackUnweighted)
            rule.outputInterface.map(trackUnweighted)
        }
        return tracked
    }

    /// The plan with its routes and rules left out: a reload that changes only those keeps the instance.
    var withoutRoutes: InstancePlan {
        var plan = self
        plan.routes = []
        plan.rules = []
        return plan
    }

    func details(of address: IPAddress) -> VirtualAddress {
        addresses.first { $0.address == address }
            ?? VirtualAddress(address: address, prefixLength: address.maximumPrefixLength)
    }
}

struct PlanError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
