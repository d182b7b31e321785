import HeapModule
import Vocabulary

/// A min-heap of (deadline, key) pairs over swift-collections' Heap. Stale entries are not removed: the owner
/// checks each popped entry against its own record, which keeps rescheduling O(log n) for thousands of checks.
struct DeadlineHeap<Key> {
    struct Entry: Comparable {
        var deadline: MonotonicInstant
        var key: Key
        /// Push order, so equal deadlines come out first-in first-out and `==` is well defined.
        fileprivate var sequence: UInt64

        static func < (a: Entry, b: Entry) -> Bool {
            a.deadline != b.deadline ? a.deadline < b.deadline : a.sequence < b.sequence
        }

        static func == (a: Entry, b: Entry) -> Bool { a.deadline == b.deadline && a.sequence == b.sequence }
    }

    private var entries = Heap<Entry>()
    private var pushed: UInt64 = 0

    init() {}

    /// A heap of these entries at once (linear time), in the order given for equal deadlines.
    init(_ items: [(MonotonicInstant, Key)]) {
        entries = Heap(items.enumerated().map { Entry(deadline: $1.0, key: $1.1, sequence: UInt64($0 + 1)) })
        pushed = UInt64(items.count)
    }

    var count: Int { entries.count }
    var earliest: Entry? { entries.min }

    mutating func push(_ deadline: MonotonicInstant, _ key: Key) {
        pushed &+= 1
        entries.insert(Entry(deadline: deadline, key: key, sequence: pushed))
    }

    mutating func pop() -> Entry? { entries.popMin() }
}
