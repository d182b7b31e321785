import KeepalivedConfig
import Wire

/// One notify script to run: the command and the exact argument vector.
public struct NotifyInvocation: Hashable, Sendable {
    public var command: ScriptCommand
    public var arguments: [String]
}

/// Which notify scripts a VRRP state report calls for, as keepalived runs them: on a change of an instance's
/// state, its notify_master/backup/fault/stop as written, then `notify` with `INSTANCE name STATE priority`
/// appended; a sync group's scripts when the group as a whole changes (`GROUP name STATE priority`).
///
/// A state first learned inside vrrpd's snapshot is taken as the baseline and runs nothing, so a restarted
/// checkd (or a reconnect) does not repeat notifications for transitions that already happened.
public struct NotifyPlanner {
    private var instances: [String: VRRPInstanceDefinition] = [:]
    private var groups: [VRRPSyncGroup] = []
    private var instanceStates: [String: InstanceStateKind] = [:]
    private var groupStates: [String: InstanceStateKind] = [:]

    /// A planner for `configuration`'s instances and sync groups.
    public init(configuration: KeepalivedConfiguration) {
        update(configuration)
    }

    /// Takes a reloaded configuration, keeping the states known so far.
    public mutating func update(_ configuration: KeepalivedConfiguration) {
        instances = Dictionary(configuration.vrrpInstances.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        groups = configuration.syncGroups
    }

    /// The scripts to run for a report that `name` is in `state` at `priority`.
    public mutating func observe(instance name: String, state: InstanceStateKind, priority: UInt8,
                                 inSnapshot: Bool) -> [NotifyInvocation] {
        let previous = instanceStates[name]
        instanceStates[name] = state
        var invocations: [NotifyInvocation] = []
        if isNotifiedChange(from: previous, to: state, inSnapshot: inSnapshot), let instance = instances[name] {
            invocations += Self.scripts(kind: "INSTANCE", name: name, state: state, priority: priority,
                                        specific: Self.specific(instance, state), notify: instance.notify)
        }
        for group in groups where group.members.contains(name) {
            guard let groupState = groupState(group) else { continue }
            let previousGroup = groupStates[group.name]
            groupStates[group.name] = groupState
            guard isNotifiedChange(from: previousGroup, to: groupState, inSnapshot: inSnapshot) else { continue }
            let specific: ScriptCommand?
            switch groupState {
            case .master: specific = group.notifyMaster
            case .backup: specific = group.notifyBackup
            case .fault: specific = group.notifyFault
            case .stop: specific = group.notifyStop
            case .initialize: specific = nil
            }
            invocations += Self.scripts(kind: "GROUP", name: group.name, state: groupState, priority: priority,
                                        specific: specific, notify: group.notify)
        }
        return invocations
    }

    /// A group is in FAULT when any member is; otherwise in a state all its members share; else undecided.
    private func groupState(_ group: VRRPSyncGroup) -> InstanceStateKind? {
        let states = group.members.map { instanceStates[$0] }
        if states.contains(.fault) { return .fault }
        guard let first = states.first ?? nil, states.allSatisfy({ $0 == first }) else { return nil }
        return first
    }

    private static func specific(_ instance: VRRPInstanceDefinition, _ state: InstanceStateKind) -> ScriptCommand? {
        switch state {
        case .master: return instance.notifyMaster
        case .backup: return instance.notifyBackup
        case .fault: return instance.notifyFault
        case .stop: return instance.notifyStop
        case .initialize: return nil
        }
    }

    private static func scripts(kind: String, name: String, state: InstanceStateKind, priority: UInt8,
                                specific: ScriptCommand?, notify: ScriptCommand?) -> [NotifyInvocation] {
        guard let word = stateWord(state) else { return [] }
        var invocations: [NotifyInvocation] = []
        if let specific { invocations.append(NotifyInvocation(command: specific, arguments: specific.arguments)) }
        if let notify {
            invocations.append(NotifyInvocation(command: notify,
                                                arguments: notify.arguments + [kind, name, word, "\(priority)"]))
        }
        return invocations
    }

    /// keepalived's words for the states; INIT is never notified.
    static func stateWord(_ state: InstanceStateKind) -> String? {
        switch state {
        case .master: return "MASTER"
        case .backup: return "BACKUP"
        case .fault: return "FAULT"
        case .stop: return "STOP"
        case .initialize: return nil
        }
    }
}

/// Whether a reported state calls for its notify script: a change from the state known before, where a state
/// first learned inside a peer's snapshot is only the baseline (a restart or reconnect repeats nothing).
func isNotifiedChange<State: Equatable>(from previous: State?, to current: State, inSnapshot: Bool) -> Bool {
    previous != current && !(previous == nil && inSnapshot)
}
