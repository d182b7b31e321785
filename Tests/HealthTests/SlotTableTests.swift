import Testing
@testable import Health

/// A key whose hash the test chooses, to force collisions and wrap-around in the table.
private struct CollidingKey: Hashable {
    var name: Int
    var bucket: Int
    static func == (a: CollidingKey, b: CollidingKey) -> Bool { a.name == b.name }
    func hash(into hasher: inout Hasher) { hasher.combine(bucket) }
}

@Suite struct SlotTableTests {
    @Test func findsEverySlotThroughGrowthAndCollisions() {
        var keys: [CollidingKey] = []
        var table = SlotTable<CollidingKey>()
        for name in 0..<1000 {
            // Ten keys share each hash: long probe runs, and growth re-places them all.
            let key = CollidingKey(name: name, bucket: name / 10)
            #expect(table.slot(of: key) { keys[$0] } == nil)
            keys.append(key)
            table.insert(key, slot: keys.count - 1) { keys[$0] }
        }
        #expect(table.count == 1000)
        for (slot, key) in keys.enumerated() {
            #expect(table.slot(of: key) { keys[$0] } == slot)
        }
        #expect(table.slot(of: CollidingKey(name: 5000, bucket: 3)) { keys[$0] } == nil)
    }

    @Test func presizedTableFindsWhatWasInserted() {
        var keys: [Int] = []
        var table = SlotTable<Int>(expecting: 100)
        for key in stride(from: 0, to: 1000, by: 10) {
            keys.append(key)
            table.insert(key, slot: keys.count - 1) { keys[$0] }
        }
        #expect(table.slot(of: 990) { keys[$0] } == 99)
        #expect(table.slot(of: 995) { keys[$0] } == nil)
    }
}
