// One min-heap (swift-collections' Heap) for all timers instead of one timerfd each.
import HeapModule
import Vocabulary

/// Identifies a scheduled timer, for `EventLoop.cancel`: the slot holding its handler and which use of that slot
/// it is, so an id kept after its timer fired never reaches the slot's next timer.
public struct TimerID: Hashable, Sendable {
    let raw: UInt64

    init(slot: Int, use: UInt32) { raw = UInt64(use) << 32 | UInt64(UInt32(slot)) }

    var slot: Int { Int(UInt32(truncatingIfNeeded: raw)) }
    var use: UInt32 { UInt32(truncatingIfNeeded: raw >> 32) }
}

struct TimerHeap {
    struct Entry: Comparable {
        let deadline: MonotonicInstant
        let id: TimerID
        /// Insertion order: timers with the same deadline fire in the order they were scheduled.
        let sequence: UInt64

        static func < (a: Entry, b: Entry) -> Bool {
            a.deadline != b.deadline ? a.deadline < b.deadline : a.sequence < b.sequence
        }

        static func == (a: Entry, b: Entry) -> Bool { a.sequence == b.sequence }
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
