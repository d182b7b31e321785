import Wire
import Vocabulary

// What a real server's checkers add up to, and what is said about it: the messages to ipvsd (one per identity)
// and the transition notify_up/notify_down runs on.
extension HealthScheduler {
    /// The real server's verdict after a result: a message per identity when it is new or changed, and one
    /// transition for notify (keepalived runs notify_up/notify_down once per real server, not per service).
    static func verdictEvents(_ entry: inout RealServerEntry, checkers: ArraySlice<Checker>,
                              identities: ArraySlice<RealServerID>) -> [HealthEvent] {
        guard checkers.allSatisfy(\.state.hasVerdict), let first = identities.first else { return [] }
        let up = checkers.allSatisfy(\.state.up)
        let verdict = Verdict(up: up, weight: Int32(clamping: effectiveWeight(entry, checkers)))
        var events: [HealthEvent] = []
        if verdict != entry.reported {
            entry.reported = verdict
            for id in identities {
                events.append(.realServerHealth(RealServerHealth(id: id, up: up, weight: verdict.weight)))
            }
        }
        if up != entry.effectiveUp {
            entry.effectiveUp = up
            events.append(.realServerTransition(first, up: up))
        }
        return events
    }

    /// keepalived's effective weight: the configured weight plus every checker's change to it (only MISC_CHECK
    /// makes any). It is sent with a down verdict too, where ipvsd does not use it.
    static func effectiveWeight(_ entry: RealServerEntry, _ checkers: ArraySlice<Checker>) -> Int {
        let weight = Int(entry.weight)
        return checkers.reduce(weight) { $0 + $1.state.weightChange(from: weight) }
    }
}
