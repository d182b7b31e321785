/// Where each key sits in an array the caller owns: an open-addressing hash table of slot numbers.
///
/// A `[Key: Int]` dictionary would keep a second copy of every key; this table keeps 4 bytes a bucket and reads
/// the key from the caller's array when it compares (`key(at:)`). checkd keeps one entry per real server, so the
/// saving grows with the configuration (bench/results/checkd.md).
struct SlotTable<Key: Hashable> {
    /// -1 for an empty bucket; a power of two long, at most half full.
    private var buckets: [Int32] = []
    private(set) var count = 0

    init(expecting expected: Int = 0) {
        var size = 8
        while size < expected * 2 { size *= 2 }
        buckets = Array(repeating: -1, count: size)
    }

    /// The slot holding `key`, if any.
    func slot(of key: Key, key keyAt: (Int) -> Key) -> Int? {
        let mask = buckets.count - 1
        var index = key.hashValue & mask
        while true {
            let slot = buckets[index]
            if slot < 0 { return nil }
            if keyAt(Int(slot)) == key { return Int(slot) }
            index = (index + 1) & mask
        }
    }

    /// Records that `key` is in `slot` (the caller has checked it is not there yet).
    mutating func insert(_ key: Key, slot: Int, key keyAt: (Int) -> Key) {
        if (count + 1) * 2 > buckets.count {
            var grown = SlotTable(expecting: count + 1)
            for old in buckets where old >= 0 { grown.place(keyAt(Int(old)), slot: old) }
            self = grown
        }
        place(key, slot: Int32(slot))
    }

    private mutating func place(_ key: Key, slot: Int32) {
        let mask = buckets.count - 1
        var index = key.hashValue & mask
        while buckets[index] >= 0 { index = (index + 1) & mask }
        buckets[index] = slot
        count += 1
    }
}
