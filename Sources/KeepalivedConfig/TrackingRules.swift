/// keepalived's rules for what an instance tracks, applied once the whole file is read: its own interface is never
/// a track_interface entry, an address owner and a sync-group member lose their weighted tracking, and a sync
/// group's track_interface / track_script entries become every member's (vrrp_complete_instance,
/// sync_group_tracking_init and add_vrrp_to_interface / add_vrrp_to_track_script in keepalived/vrrp/vrrp.c).
/// Each fix-up is a warning, as keepalived reports it and runs on.
enum TrackingRules {
    static func apply(_ config: inout KeepalivedConfiguration, log: inout DiagnosticLog) {
        let scripts = Dictionary(config.vrrpScripts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var groupOf: [String: VRRPSyncGroup] = [:]
        for group in config.syncGroups {
            for member in group.members where groupOf[member] == nil { groupOf[member] = group }
        }
        for index in config.vrrpInstances.indices {
            let group = groupOf[config.vrrpInstances[index].name]
            trimInstanceTracking(&config.vrrpInstances[index], group: group, scripts: scripts, log: &log)
        }
        for group in config.syncGroups {
            let members = config.vrrpInstances.indices.filter { group.members.contains(config.vrrpInstances[$0].name) }
            let hasOwner = members.contains { config.vrrpInstances[$0].basePriority == 255 }
            for entry in groupInterfaces(group, hasOwner: hasOwner, log: &log) {
                for member in members { merge(entry, into: &config.vrrpInstances[member], log: &log) }
            }
            for entry in groupScripts(group, hasOwner: hasOwner, scripts: scripts, log: &log) {
                for member in members { merge(entry, into: &config.vrrpInstances[member], scripts: scripts) }
            }
        }
    }

    private static func trimInstanceTracking(_ instance: inout VRRPInstanceDefinition, group: VRRPSyncGroup?,
                                             scripts: [String: VRRPScript], log: inout DiagnosticLog) {
        let name = instance.name
        if let own = instance.interface {
            for entry in instance.trackInterfaces where entry.name == own {
                log.warning(entry.location, "vrrp_instance \(name): track_interface \(own) is its own interface, which it tracks unless dont_track_primary; this entry is ignored, as keepalived does")
            }
            instance.trackInterfaces.removeAll { $0.name == own }
        }
        let groupIgnoresWeights = group.map { !$0.trackingWeight } ?? false
        guard groupIgnoresWeights || instance.basePriority == 255 else { return }
        let why = groupIgnoresWeights
            ? "it is in vrrp_sync_group \(group!.name), which has no sync_group_tracking_weight"
            : "an address owner's priority (255) never changes"
        instance.trackInterfaces = instance.trackInterfaces.compactMap { entry in
            guard entry.weight != 0 else { return entry }
            if groupIgnoresWeights {
                log.warning(entry.location, "vrrp_instance \(name): the weight of track_interface \(entry.name) is ignored because \(why); the interface going down faults the instance instead")
                var unweighted = entry
                unweighted.weight = 0
                return unweighted
            }
            log.warning(entry.location, "vrrp_instance \(name): weighted track_interface \(entry.name) is ignored because \(why)")
            return nil
        }
        instance.trackScripts = instance.trackScripts.filter { entry in
            guard let script = scripts[entry.name], (entry.weight ?? script.weight) != 0 else { return true }
            log.warning(entry.location, "vrrp_instance \(name): weighted track_script \(entry.name) is ignored because \(why)")
            return false
        }
    }

    private static func groupInterfaces(_ group: VRRPSyncGroup, hasOwner: Bool,
                                        log: inout DiagnosticLog) -> [TrackInterfaceReference] {
        group.trackInterfaces.map { entry in
            guard hasOwner, entry.weight != 0 else { return entry }
            log.warning(entry.location, "vrrp_sync_group \(group.name): the weight of track_interface \(entry.name) is ignored because a member is an address owner (priority 255); the interface going down faults the group instead")
            var unweighted = entry
            unweighted.weight = 0
            return unweighted
        }
    }

    private static func groupScripts(_ group: VRRPSyncGroup, hasOwner: Bool, scripts: [String: VRRPScript],
                                     log: inout DiagnosticLog) -> [TrackScriptReference] {
        group.trackScripts.compactMap { entry in
            guard let script = scripts[entry.name] else {
                log.warning(entry.location, "track_script \(entry.name) is not a defined vrrp_script; it is ignored")
                return nil
            }
            guard hasOwner, (entry.weight ?? script.weight) != 0 else { return entry }
            log.warning(entry.location, "vrrp_sync_group \(group.name): the weight of track_script \(entry.name) is ignored because a member is an address owner (priority 255); the script failing faults the group instead")
            var unweighted = entry
            unweighted.weight = 0
            return unweighted
        }
    }

    /// keepalived keeps one tracking entry per interface: an unweighted one stays unweighted, a weighted one
    /// takes the later entry's weight.
    private static func merge(_ entry: TrackInterfaceReference, into instance: inout VRRPInstanceDefinition,
                              log: inout DiagnosticLog) {
        guard let existing = instance.trackInterfaces.firstIndex(where: { $0.name == entry.name }) else {
            instance.trackInterfaces.append(entry)
            return
        }
        log.warning(instance.trackInterfaces[existing].location, "vrrp_instance \(instance.name): track_interface \(entry.name) is also in its vrrp_sync_group (at \(entry.location)); keep only one")
        if instance.trackInterfaces[existing].weight != 0 {
            instance.trackInterfaces[existing].weight = entry.weight
            instance.trackInterfaces[existing].reverse = entry.reverse
        }
    }

    private static func merge(_ entry: TrackScriptReference, into instance: inout VRRPInstanceDefinition,
                              scripts: [String: VRRPScript]) {
        guard let existing = instance.trackScripts.firstIndex(where: { $0.name == entry.name }) else {
            instance.trackScripts.append(entry)
            return
        }
        guard let script = scripts[entry.name] else { return }
        if (instance.trackScripts[existing].weight ?? script.weight) != 0 {
            instance.trackScripts[existing].weight = entry.weight ?? script.weight
            instance.trackScripts[existing].reverse = entry.reverse ?? script.weightReversed
        }
    }
}
