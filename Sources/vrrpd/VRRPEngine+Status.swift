import Control
import Foundation
import VRRP
import Vocabulary

/// What `tandemctl status` shows of each instance: the state machine's view plus what only the engine knows
/// (tracking contributions, the last change, whether the kernel has the addresses).
extension VRRPEngine {
    var instanceStatuses: [InstanceStatus] {
        units.flatMap { unit in
            unit.members.indices.map { index in
                status(of: unit.machine.members[index], member: unit.members[index],
                       syncGroup: unit.machine.isGroup ? unit.name : nil)
            }
        }
    }

    /// What "recent" means for the status's counts of other MASTERs' adverts and of drops.
    static let recentWindow: Double = 5

    private func status(of instance: VRRPInstance, member: Member, syncGroup: String?) -> InstanceStatus {
        let name = instance.config.name
        let wallNow = Date().timeIntervalSince1970
        let last = lastHandover[name]
        var status = InstanceStatus(name: name, state: instance.state.rawValue,
                                    effectivePriority: Int(instance.effectivePriority), handover: instance.handoverWord,
                                    lastHandover: last?.statusWord)
        if case .completed(let master?) = last { status.lastHandoverTo = "\(master)" }
        status.basePriority = Int(instance.config.priority)
        status.since = member.lastChange?.at
        status.reason = member.lastChange?.reason.rawValue
        if instance.state == .backup, let master = instance.master {
            status.masterAddress = "\(master.address)"
            status.masterPriority = Int(master.priority)
        }
        status.syncGroup = syncGroup
        status.advertsSent = member.advertsSent
        status.advertsReceived = member.advertsReceived
        status.transitions = member.transitions
        status.becameMaster = member.becameMaster
        if let other = member.otherMaster {
            status.otherMasterAddress = "\(other.address)"
            status.otherMasterPriority = Int(other.priority)
            status.otherMasterSeenAt = other.at
            status.otherMasterRecentAdverts = member.otherMasterTimes.count(within: Self.recentWindow, of: wallNow)
        }
        if !member.drops.isEmpty {
            status.droppedAdverts = Dictionary(uniqueKeysWithValues: member.drops.map { ($0.key.rawValue, $0.value) })
            status.lastDropReason = member.lastDrop?.reason.rawValue
            status.lastDropAt = member.lastDrop?.at
            status.recentDrops = member.dropTimes.count(within: Self.recentWindow, of: wallNow)
        }
        status.addresses = member.plan.addresses.map { address in
            let device = address.device ?? member.plan.interface
            let present = links.interface(named: device).map {
                links.addresses(of: $0, family: address.address.family).contains(address.address)
            } ?? false
            return AddressStatus(address: "\(address.address)/\(address.prefixLength)", interface: device, present: present)
        }
        status.tracking = member.tracking?.contributions.map { c in
            let word: String
            switch (c.kind, c.good) {
            case (.script, nil): word = "pending"
            case (.script, true?): word = "ok"
            case (.script, false?): word = "failed"
            case (.interface, let up): word = up == true ? "up" : "down"
            }
            return TrackStatus(kind: c.kind.rawValue, name: c.name, status: word, weight: c.weight, reverse: c.reverse,
                               adds: c.adds, faults: c.faults)
        }
        return status
    }
}

extension VRRPUnit {
    var isGroup: Bool {
        if case .group = self { return true }
        return false
    }
}

extension VRRPInstance {
    /// The status document's word for a handover under way or its hold (docs/json/status.md).
    var handoverWord: String? {
        if isHandingOver { return "handing-over" }
        if isLingering { return "lingering" }
        if isHeldBack { return "held-back" }
        return nil
    }
}
