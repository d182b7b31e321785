// One min-heap (swift-collections' Heap) for all timers instead of one timerfd each.
import HeapModule
import Vocabulary

/// Identifies a scheduled timer, for `EventLoop.cancel`.
public struct TimerID: Hashable, Sendable {
    let raw: UInt64
}

struct TimerHeap {
    struct Entry: Comparable {
        let deadline: MonotonicInstant
        /// Insertion order: timers with the same deadline fire in the order they were scheduled.
        let id: TimerID

        static func < (a: Entry, b: Entry) -> Bool {
            a.deadline != b.deadline ? a.deadline < b.deadline : a.id.raw < b.id.raw
        }
    }

    private var entries = Heap<Entry>()

    var isEmpty: Bool { entries.isEmpty }
    var count: Int { entries.count }
    var earliest: Entry? { entries.min }

    mutating func push(_ entry: Entry) { entries.insert(entry) }

    mutating func pop() -> Entry? { entries.popMin() }

    /// Drops entries `keep` refuses; used to shed cancelled timers.
    mutating func compact(keeping keep: (Entry) -> Bool) {
        entries = Heap(entries.unordered.filter(keep))
    }
}
