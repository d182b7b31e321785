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
        if a.initialState == b.initialState && a.priority == b.priority {
            let consequence = a.initialState == .master
                ? "both claim its addresses at start and the higher primary address wins, not a node you chose"
                : "the higher primary address wins, not a node you chose"
            pair.report(.error, .priorityTie, subject,
                        "\(subject) is state \(a.initialState.rawValue) with priority \(a.priority) on both nodes\(renamed(a, b)): \(consequence); make one node BACKUP with a lower priority",
                        at: locationA, other: locationB)
            return
        }
        if a.initialState == .master && b.initialState == .master {
            let (winner, loser) = a.priority > b.priority ? ("this node", "the other node") : ("the other node", "this node")
            pair.report(.warning, .bothMaster, subject,
                        "\(subject) is state MASTER on both nodes, priority \(a.priority) here and \(b.priority) there\(renamed(a, b)): \(winner) wins with the higher priority, but both claim the addresses at start until \(loser) hears its advert; make \(loser) state BACKUP",
                        at: pair.a.line("state", in: a.location), other: pair.b.line("state", in: b.location))
            return
        }
        guard a.initialState != b.initialState else { return }
        let (master, backup) = a.initialState == .master ? (a, b) : (b, a)
        let (masterNode, backupNode) = a.initialState == .master ? ("here", "there") : ("there", "here")
        if master.priority < backup.priority {
            pair.report(.warning, .masterNotHighest, subject,
                        "\(subject) is state MASTER \(masterNode) with priority \(master.priority), below the BACKUP's \(backup.priority) \(backupNode)\(renamed(a, b))\(backup.nopreempt ? "" : ", which takes over as soon as it runs"): the MASTER node is not the one that stays master",
                        at: locationA, other: locationB)
        } else if master.priority == backup.priority {
            pair.report(.warning, .priorityEqual, subject,
                        "\(subject) has priority \(master.priority) on both nodes (MASTER \(masterNode), BACKUP \(backupNode))\(renamed(a, b)): once the BACKUP has taken over, the election between equal priorities goes to the higher primary address; give the MASTER the higher priority",
                        at: locationA, other: locationB)
        }
    }
}
