import VRRP
import Vocabulary

/// What vrrpd drives: a lone instance, or a vrrp_sync_group whose members move together. Both answer events
/// with actions addressed to a member, so the shell treats them alike.
/// An action for one member of a unit (member 0 for a lone instance).
struct UnitAction {
    var member: Int
    var action: VRRPAction
}

enum VRRPUnit {
    case single(VRRPInstance)
    case group(VRRPSyncGroup)

    var nextDeadline: MonotonicInstant? {
        switch self {
        case .single(let instance): return instance.nextDeadline
        case .group(let group): return group.nextDeadline
        }
    }

    var members: [VRRPInstance] {
        switch self {
        case .single(let instance): return [instance]
        case .group(let group): return group.members
        }
    }

    mutating func start(at now: MonotonicInstant) -> [UnitAction] {
        update(single: { $0.handle(.startup, at: now) }, group: { $0.start(at: now) })
    }

    mutating func timerFired(at now: MonotonicInstant) -> [UnitAction] {
        update(single: { instance in
            guard let deadline = instance.nextDeadline, deadline <= now else { return [] }
            return instance.handle(.timerFired, at: now)
        }, group: { $0.timerFired(at: now) })
    }

    mutating func handle(_ event: VRRPEvent, member: Int, at now: MonotonicInstant) -> [UnitAction] {
        update(single: { $0.handle(event, at: now) }, group: { $0.handle(event, member: member, at: now) })
    }

    /// Runs one step on whichever machine this unit holds and stores it back; a lone instance's actions are
    /// addressed to member 0.
    private mutating func update(single: (inout VRRPInstance) -> [VRRPAction],
                                 group: (inout VRRPSyncGroup) -> [VRRPMemberAction]) -> [UnitAction] {
        switch self {
        case .single(var instance):
            let actions = single(&instance)
            self = .single(instance)
            return actions.map { UnitAction(member: 0, action: $0) }
        case .group(var syncGroup):
            let actions = group(&syncGroup)
            self = .group(syncGroup)
            return actions.map { UnitAction(member: $0.member, action: $0.action) }
        }
    }
}
