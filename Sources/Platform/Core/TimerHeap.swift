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

/// The event loop's timers: the heap of deadlines and each pending timer's handler, in a slot its id names (no
/// hashing: every health check schedules and cancels one). A slot is reused once its timer fired or was
/// cancelled, under a new use number. One value, so each operation of the loop is one access to it: the loop is a
/// class, and each access to one of its stored properties is checked for exclusivity at run time.
struct TimerTable {
    private struct Slot {
        var handler: (() -> Void)?
        var use: UInt32
    }

    private var heap = TimerHeap()
    private var slots: [Slot] = []
    private var freeSlots: [Int] = []
    /// Timers scheduled and not yet fired or cancelled.
    private(set) var pendingCount = 0
    /// The sequence number of the last timer scheduled.
    private(set) var lastSequence: UInt64 = 0

    /// The earliest deadline in the heap (maybe of a cancelled timer: waking for it is harmless).
    var earliestDeadline: MonotonicInstant? { heap.earliest?.deadline }

    mutating func add(at deadline: MonotonicInstant, _ handler: @escaping () -> Void) -> TimerID {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slots[slot].use &+= 1
            slots[slot].handler = handler
        } else {
            slot = slots.count
            slots.append(Slot(handler: handler, use: 0))
        }
        pendingCount += 1
        lastSequence += 1
        let id = TimerID(slot: slot, use: slots[slot].use)
        heap.push(.init(deadline: deadline, id: id, sequence: lastSequence))
        return id
    }

    /// Cancels a pending timer; does nothing for one that fired or was cancelled.
    mutating func cancel(_ id: TimerID) {
        _ = takeHandler(id)
        // Cancelled entries stay in the heap until popped; shed them when they dominate.
        if heap.count > 64 && heap.count > 2 * pendingCount {
            let slots = self.slots
            heap.compact { entry in
                let id = entry.id
                return id.slot < slots.count && slots[id.slot].use == id.use && slots[id.slot].handler != nil
            }
        }
    }

    /// The handler of the next timer due at `now` and scheduled at or before `lastSequence`, taken out (the timer
    /// is no longer pending); nil when there is none. Cancelled entries met on the way are dropped.
    mutating func popDue(now: MonotonicInstant, through lastSequence: UInt64) -> (() -> Void)? {
        while let next = heap.earliest, next.deadline <= now, next.sequence <= lastSequence {
            _ = heap.pop()
            if let handler = takeHandler(next.id) { return handler }
        }
        return nil
    }

    private mutating func takeHandler(_ id: TimerID) -> (() -> Void)? {
        guard id.slot < slots.count, slots[id.slot].use == id.use, let handler = slots[id.slot].handler else {
            return nil
        }
        slots[id.slot].handler = nil
        freeSlots.append(id.slot)
        pendingCount -= 1
        return handler
    }
}
