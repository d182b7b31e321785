// What checkd has been told about each pool's quorum, so it hears each change once, across restarts of either
// daemon (checkd runs quorum_up/quorum_down; ipvsd decides the quorum).
import Glibc

/// The quorum states announced to checkd, kept in a file under the runtime directory, and the checkd connections
/// whose health snapshot has been taken in (only those hear changes; a new one first gets the announced view).
struct QuorumAnnouncements {
    let path: String
    /// Pool name → quorum up, as last announced.
    private(set) var announced: [String: Bool] = [:]
    private var synchronizedConnections: Set<ObjectIdentifier> = []

    /// The view announced before this start (none at the first start after boot: /run is empty then).
    init(path: String) {
        self.path = path
        for line in RuntimeFile.lines(at: path) {
            let words = line.split(separator: " ", maxSplits: 1)
            guard words.count == 2, words[0] == "up" || words[0] == "down" else { continue }
            announced[String(words[1])] = words[0] == "up"
        }
    }

    /// True once some checkd has sent its health snapshot: before that there is nobody to tell, and the view
    /// must not move on without checkd (a change announced to no one would never run its script).
    var hasListeners: Bool { !synchronizedConnections.isEmpty }

    /// The pools whose state differs from the view announced (new pools included), in name order; the view
    /// takes `current` (pools no longer configured are dropped), except for the pools `held` back, which keep
    /// the state last announced.
    mutating func changes(to current: [String: Bool], holdingBack held: Set<String> = [])
        -> [(name: String, up: Bool)] {
        let settled = current.filter { !held.contains($0.key) }
        let changed = settled.filter { announced[$0.key] != $0.value }.sorted { $0.key < $1.key }
        announced = announced.filter { held.contains($0.key) }.merging(settled) { _, new in new }
        return changed.map { ($0.key, $0.value) }
    }

    /// Writes the announced view ("up NAME" / "down NAME" lines); false when it could not be written.
    func save() -> Bool {
        RuntimeFile.replace(path, with: announced.sorted { $0.key < $1.key }
            .map { "\($0.value ? "up" : "down") \($0.key)\n" }.joined())
    }

    mutating func synchronized(_ connection: AnyObject) { synchronizedConnections.insert(ObjectIdentifier(connection)) }
    mutating func forget(_ connection: AnyObject) { synchronizedConnections.remove(ObjectIdentifier(connection)) }
    func isSynchronized(_ connection: AnyObject) -> Bool {
        synchronizedConnections.contains(ObjectIdentifier(connection))
    }
}
