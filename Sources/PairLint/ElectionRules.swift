import KeepalivedConfig

/// Who is meant to be master: one node with `state MASTER`, or distinct priorities. With the same state and
/// priority on both, RFC 3768 §6.4.3 decides by the higher primary address, which nobody chose.
enum ElectionRules {
    static func check(_ pair: inout NodePair, _ matching: InstanceMatching) {
        for match in matching.matches {
            check(&pair, match.a, match.b)
        }
    }

    private static func check(_ pair: inout NodePair, _ a: VRRPInstanceDefinition, _ b: VRRPInstanceDefinition) {
        let subject = a.subject
        let locationA = pair.a.line("priority", "state", in: a.location)
        let locationB = pair.b.line("priority", "state", in: b.location)
        if a.startState == b.startState && a.basePriority == b.basePriority {
            let consequence = a.startState == .master
                ? "both claim its addresses at start and the higher primary address wins, not a node you chose"
                : "the higher primary address wins, not a node you chose"
            pair.report(.error, .priorityTie, subject,
                        "\(subject) is state \(a.startState.rawValue) with priority \(a.basePriority) on both nodes\(renamed(a, b)): \(consequence); make one node BACKUP with a lower priority",
                        at: locationA, other: locationB)
            return
        }
        if a.startState == .master && b.startState == .master {
            let (winner, loser) = a.basePriority > b.basePriority ? ("this node", "the other node") : ("the other node", "this node")
            pair.report(.warning, .bothMaster, subject,
                        "\(subject) is state MASTER on both nodes, priority \(a.basePriority) here and \(b.basePriority) there\(renamed(a, b)): \(winner) wins with the higher priority, but both claim the addresses at start until \(loser) hears its advert; make \(loser) state BACKUP",
                        at: pair.a.line("state", in: a.location), other: pair.b.line("state", in: b.location))
            return
        }
        guard a.startState != b.startState else { return }
        let (master, backup) = a.startState == .master ? (a, b) : (b, a)
        let (masterNode, backupNode) = a.startState == .master ? ("here", "there") : ("there", "here")
        if master.basePriority < backup.basePriority {
            pair.report(.warning, .masterNotHighest, subject,
                        "\(subject) is state MASTER \(masterNode) with priority \(master.basePriority), below the BACKUP's \(backup.basePriority) \(backupNode)\(renamed(a, b))\(backup.nopreempt ? "" : ", which takes over as soon as it runs"): the MASTER node is not the one that stays master",
                        at: locationA, other: locationB)
        } else if master.basePriority == backup.basePriority {
            pair.report(.warning, .priorityEqual, subject,
                        "\(subject) has priority \(master.basePriority) on both nodes (MASTER \(masterNode), BACKUP \(backupNode))\(renamed(a, b)): once the BACKUP has taken over, the election between equal priorities goes to the higher primary address; give the MASTER the higher priority",
                        at: locationA, other: locationB)
        }
    }
}
