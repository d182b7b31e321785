// What a shell drives: a lone instance or a vrrp_sync_group, behind one interface.

import Vocabulary

/// A lone instance, or a sync group whose members move together. Both answer events with actions addressed to a
/// member (member 0 for a lone instance), so the shell treats them alike.
public enum VRRPUnit: Sendable {
    case single(VRRPInstance)
    case group(VRRPSyncGroup)

    /// When the shell must call `timerFired(at:)` next; nil when no member needs a timer.
    public var nextDeadline: MonotonicInstant? {
        switch self {
        case .single(let instance): return instance.nextDeadline
        case .group(let group): return group.nextDeadline
        }
    }

    /// The instances, in configuration order (one for a lone instance).
    public var members: [VRRPInstance] {
        switch self {
        case .single(let instance): return [instance]
        case .group(let group): return group.members
        }
    }

    /// Starts the instance or every member of the group.
    public mutating func start(at now: MonotonicInstant) -> [VRRPMemberAction] {
        update(single: { $0.handle(.startup, at: now) }, group: { $0.start(at: now) })
    }

    /// Delivers `.timerFired` to whatever is due; a lone instance not yet due is left alone, as a group's members are.
    public mutating func timerFired(at now: MonotonicInstant) -> [VRRPMemberAction] {
        update(single: { instance in
            guard let deadline = instance.nextDeadline, deadline <= now else { return [] }
            return instance.handle(.timerFired, at: now)
        }, group: { $0.timerFired(at: now) })
    }

    /// Feeds an event to one member (`member` is ignored for a lone instance).
    public mutating func handle(_ event: VRRPEvent, member: Int, at now: MonotonicInstant) -> [VRRPMemberAction] {
        update(single: { $0.handle(event, at: now) }, group: { $0.handle(event, member: member, at: now) })
    }

    /// Runs one step on whichever machine this unit holds and stores it back.
    private mutating func update(single: (inout VRRPInstance) -> [VRRPAction],
                                 group: (inout VRRPSyncGroup) -> [VRRPMemberAction]) -> [VRRPMemberAction] {
        switch self {
        case .single(var instance):
            let actions = single(&instance)
            self = .single(instance)
            return actions.map { VRRPMemberAction(member: 0, action: $0) }
        case .group(var syncGroup):
            let actions = group(&syncGroup)
            self = .group(syncGroup)
            return actions
        }
    }
}
