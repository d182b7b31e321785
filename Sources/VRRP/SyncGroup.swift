// vrrp_sync_group: instances that change state together (keepalived's vrrp_sync.c semantics).

import Vocabulary

/// An action for one member of a sync group (member 0 for a lone instance in a `VRRPUnit`).
public struct VRRPMemberAction: Hashable, Sendable {
    /// Index of the member in `VRRPSyncGroup.members`.
    public var member: Int
    /// What the shell must do for that member.
    public var action: VRRPAction
}

/// Coordinates the members of one vrrp_sync_group.
///
/// keepalived's rules, which this follows: a member goes Master only when every other member also wants
/// Master (else it stays Backup and re-arms its down timer, "to avoid thrashing"); once one goes Master the
/// others follow at once; a Master member that becomes Backup takes the others to Backup; a fault of any
/// member puts every member in Fault, and the group leaves Fault (to Backup) only when no member has a fault.
public struct VRRPSyncGroup: Sendable {
    /// Group name (for logs).
    public let name: String
    /// The member instances, in configuration order.
    public private(set) var members: [VRRPInstance]
    /// The group's state: backup, master or fault.
    public private(set) var state: VRRPState

    /// Creates a group; the group starts as Backup unless every member is an owner with `state MASTER` (keepalived).
    public init(name: String, members: [VRRPInstance]) {
        self.name = name
        self.members = members
        let allOwnerMasters = !members.isEmpty && members.allSatisfy { $0.config.isAddressOwner && $0.config.initialState == .master }
        self.state = allOwnerMasters ? .master : .backup
        for i in self.members.indices { self.members[i].syncGroupStartsBackup = self.state == .backup }
    }

    /// The earliest instant any member needs `.timerFired`.
    public var nextDeadline: MonotonicInstant? { members.compactMap(\.nextDeadline).min() }

    /// Index of the member with this instance name.
    public func index(of instanceName: String) -> Int? { members.firstIndex { $0.config.name == instanceName } }

    public mutating func start(at now: MonotonicInstant) -> [VRRPMemberAction] {
        var out: [VRRPMemberAction] = []
        if members.contains(where: \.hasOwnFault) {
            state = .fault
            for i in members.indices { members[i].syncHeldInFault = true }
        }
        for i in members.indices { out += handle(.startup, member: i, at: now) }
        return out
    }

    /// Delivers `.timerFired` to every member whose deadline has passed.
    public mutating func timerFired(at now: MonotonicInstant) -> [VRRPMemberAction] {
        var out: [VRRPMemberAction] = []
        for i in members.indices {
            if let d = members[i].nextDeadline, d <= now { out += handle(.timerFired, member: i, at: now) }
        }
        return out
    }

    /// Feeds an event to one member and applies the group's rules to the others.
    public mutating func handle(_ event: VRRPEvent, member i: Int, at now: MonotonicInstant) -> [VRRPMemberAction] {
        guard members.indices.contains(i) else { return [] }
        let previous = members[i].state
        let hadFault = members[i].hasOwnFault
        members[i].syncAllowsMaster = mayGoMaster(i)
        var out = members[i].handle(event, at: now).map { VRRPMemberAction(member: i, action: $0) }
        var extra: [(Int, [VRRPAction])] = []

        let hasFault = members[i].hasOwnFault
        if hasFault && !hadFault && state != .fault {
            // One member faulty: all to Fault.
            state = .fault
            for j in members.indices {
                members[j].syncHeldInFault = true
                if j != i { var a: [VRRPAction] = []; members[j].syncToFault(now, &a); extra.append((j, a)) }
            }
        } else if !hasFault && hadFault && state == .fault && !members.contains(where: \.hasOwnFault) {
            // Last fault cleared: every member tries to come up (to Backup, or an owner to Master).
            state = .backup
            for j in members.indices { members[j].syncHeldInFault = false }
            for j in members.indices {
                members[j].syncAllowsMaster = mayGoMaster(j)
                var a: [VRRPAction] = []
                members[j].tryLeaveFault(now, &a)
                extra.append((j, a))
            }
            if let m = members.firstIndex(where: { $0.state == .master }) { syncMaster(from: m, now, &extra) }
        } else {
            let current = members[i].state
            if current == .master && state != .master {
                syncMaster(from: i, now, &extra)
            } else if previous == .master && current == .backup && state != .backup {
                state = .backup
                for j in members.indices where j != i {
                    var a: [VRRPAction] = []
                    members[j].syncToBackup(now, &a)
                    extra.append((j, a))
                }
            }
        }
        for (j, actions) in extra {
            out += actions.map { VRRPMemberAction(member: j, action: $0) }
        }
        return out
    }

    /// keepalived's vrrp_sync_can_goto_master: the group is Master already, or every other member wants Master.
    private func mayGoMaster(_ i: Int) -> Bool {
        if state == .master { return true }
        return members.indices.allSatisfy { $0 == i || members[$0].wantState == .master }
    }

    private mutating func syncMaster(from i: Int, _ now: MonotonicInstant, _ extra: inout [(Int, [VRRPAction])]) {
        state = .master
        for j in members.indices where j != i && members[j].state != .master {
            var a: [VRRPAction] = []
            members[j].syncToMaster(now, &a)
            extra.append((j, a))
        }
    }
}
