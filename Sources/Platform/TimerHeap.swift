// A binary min-heap of deadlines: one heap for all timers instead of one timerfd each.

/// Identifies a scheduled timer, for `EventLoop.cancel`.
public struct TimerID: Hashable, Sendable {
    let raw: UInt64
}

struct TimerHeap {
    struct Entry {
        let deadline: MonotonicInstant
        /// Insertion order: timers with the same deadline fire in the order they were scheduled.
        let id: TimerID
    }

    private var entries: [Entry] = []

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var earliest: Entry? { entries.first }

    private static func before(_ a: Entry, _ b: Entry) -> Bool {
        a.deadline != b.deadline ? a.deadline < b.deadline : a.id.raw < b.id.raw
    }

    mutating func push(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(entries[child], entries[parent]) else { break }
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
            if left < entries.count && Self.before(entries[left], entries[smallest]) { smallest = left }
            if right < entries.count && Self.before(entries[right], entries[smallest]) { smallest = right }
            if smallest == parent { break }
            entries.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}

extension TimerHeap {
    /// Drops entries `keep` refuses and restores the heap order; used to shed cancelled timers.
    mutating func compact(keeping keep: (Entry) -> Bool) {
        let live = entries.filter(keep)
        entries.removeAll(keepingCapacity: true)
        for entry in live { push(entry) }
    }
}
