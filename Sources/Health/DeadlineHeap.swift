import Platform

/// A min-heap of (deadline, key) pairs. Stale entries are not removed: the owner checks each popped entry
/// against its own record, which keeps rescheduling O(log n) for thousands of checks.
struct DeadlineHeap<Key> {
    struct Entry {
        var deadline: MonotonicInstant
        var key: Key
    }

    private var entries: [Entry] = []

    var count: Int { entries.count }
    var earliest: Entry? { entries.first }

    mutating func push(_ deadline: MonotonicInstant, _ key: Key) {
        entries.append(Entry(deadline: deadline, key: key))
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].deadline < entries[parent].deadline else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Entry? {
        guard !entries.isEmpty else { return nil }
        entries.swapAt(0, entries.count - 1)
        let top = entries.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < entries.count && entries[left].deadline < entries[smallest].deadline { smallest = left }
            if right < entries.count && entries[right].deadline < entries[smallest].deadline { smallest = right }
            if smallest == parent { break }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }

    mutating func removeAll(where shouldRemove: (Entry) -> Bool) {
        let kept = entries.filter { !shouldRemove($0) }
        entries = []
        for entry in kept { push(entry.deadline, entry.key) }
    }
}
