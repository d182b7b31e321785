import VRRP

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

    var nextDeadline: VRRPInstant? {
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

    mutating func start(at now: VRRPInstant) -> [UnitAction] {
        switch self {
        case .single(var instance):
            let actions = instance.handle(.startup, at: now)
            self = .single(instance)
            return actions.map { UnitAction(member: 0, action: $0) }
        case .group(var group):
            let actions = group.start(at: now)
            self = .group(group)
            return actions.map { UnitAction(member: $0.member, action: $0.action) }
        }
    }

    mutating func timerFired(at now: VRRPInstant) -> [UnitAction] {
        switch self {
        case .single(var instance):
            guard let deadline = instance.nextDeadline, deadline <= now else { return [] }
            let actions = instance.handle(.timerFired, at: now)
            self = .single(instance)
            return actions.map { UnitAction(member: 0, action: $0) }
        case .group(var group):
            let actions = group.timerFired(at: now)
            self = .group(group)
            return actions.map { UnitAction(member: $0.member, action: $0.action) }
        }
    }

    mutating func handle(_ event: VRRPEvent, member: Int, at now: VRRPInstant) -> [UnitAction] {
        switch self {
        case .single(var instance):
            let actions = instance.handle(event, at: now)
            self = .single(instance)
            return actions.map { UnitAction(member: 0, action: $0) }
        case .group(var group):
            let actions = group.handle(event, member: member, at: now)
            self = .group(group)
            return actions.map { UnitAction(member: $0.member, action: $0.action) }
        }
    }
}
