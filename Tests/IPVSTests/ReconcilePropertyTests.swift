// Property tests of the diff over thousands of seeded random cases. A failure names its seed and case.
import Testing
@testable import IPVS
import Vocabulary
import TestSupport

/// Two servers equal as far as the kernel's settable state goes (the kernel's own flag bits aside).
private func sameState(_ a: IPVSVirtualServer?, _ b: IPVSVirtualServer?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case (let a?, let b?): return a.service.hasSameSettings(as: b.service) && a.destinations == b.destinations
    default: return false
    }
}

/// The number of operations a minimal diff needs, counted directly from the definition.
private func minimalOperationCount(desired: IPVSTable, kernel: IPVSTable, managed: Set<IPVSServiceKey>) -> Int {
    var count = 0
    for key in Set(desired.servers.keys).union(kernel.servers.keys) where managed.contains(key) || desired.servers[key] != nil {
        switch (desired.servers[key], kernel.servers[key]) {
        case (let want?, nil): count += 1 + want.destinations.count
        case (nil, _?): count += 1
        case (let want?, let have?):
            if !want.service.hasSameSettings(as: have.service) { count += 1 }
            let keys = Set(want.destinations.keys).union(have.destinations.keys)
            count += keys.filter { want.destinations[$0] != have.destinations[$0] }.count
        case (nil, nil): break
        }
    }
    return count
}

@Test func applyingTheDiffReachesDesiredForManagedAndLeavesTheRestAlone() throws {
    var rng = SplitMix64(seed: 0x1DEA_5EED)
    for n in 0..<4000 {
        let kernel0 = TableGenerator.randomTable(&rng)
        // Half the cases start from the kernel's own table with a few changes: the usual reload.
        let desired = TableGenerator.chance(50, &rng) ? TableGenerator.mutated(kernel0, &rng) : TableGenerator.randomTable(&rng)
        // The kernel reports its hashed bit on live services; that must never look like a change.
        var kernel = kernel0
        for key in kernel.servers.keys { kernel.servers[key]?.service.flags.insert(.hashed) }
        var managed = Set<IPVSServiceKey>()
        for key in Set(kernel.servers.keys).union(desired.servers.keys) where TableGenerator.chance(60, &rng) {
            managed.insert(key)
        }

        let ops = reconcile(desired: desired, kernel: kernel, managed: managed)
        #expect(ops.count == minimalOperationCount(desired: desired, kernel: kernel, managed: managed), "case \(n)")
        var after = kernel
        for op in ops {
            do { try after.apply(op) } catch {
                Issue.record("case \(n): \(op) refused: \(error)")
            }
        }
        let owned = managed.union(desired.servers.keys)
        for key in Set(after.servers.keys).union(kernel.servers.keys).union(desired.servers.keys) {
            if owned.contains(key) {
                #expect(sameState(after.servers[key], desired.servers[key]), "case \(n): \(key) differs")
            } else {
                #expect(after.servers[key] == kernel.servers[key], "case \(n): unmanaged \(key) touched")
            }
        }
        #expect(!ops.contains { op in
            switch op {
            case .addService(let s), .editService(let s): return !owned.contains(s.key)
            case .deleteService(let k), .addDestination(let k, _), .editDestination(let k, _),
                 .deleteDestination(let k, _): return !owned.contains(k)
            }
        }, "case \(n): an operation on an unmanaged service")
        #expect(reconcile(desired: desired, kernel: after, managed: managed).isEmpty, "case \(n): not idempotent")
    }
}

@Test func aSingleDestinationChangeIsExactlyOneOperation() throws {
    var rng = SplitMix64(seed: 0x0E_0C_A5E)
    var checked = 0
    for n in 0..<3000 {
        let kernel = TableGenerator.randomTable(&rng, maxServers: 10)
        guard let key = kernel.servers.keys.sorted().first(where: { !(kernel.servers[$0]?.destinations.isEmpty ?? true) }),
              let server = kernel.servers[key], let dk = server.destinations.keys.sorted().first,
              let current = server.destinations[dk] else { continue }
        var desired = kernel
        let expected: IPVSOperation
        switch rng.next() % 3 {
        case 0:
            var changed = current
            changed.weight = current.weight &+ 1
            desired.servers[key]?.destinations[dk] = changed
            expected = .editDestination(key, changed)
        case 1:
            desired.servers[key]?.destinations[dk] = nil
            expected = .deleteDestination(key, dk)
        default:
            let fresh = IPVSDestination(key: IPVSDestinationKey(address: IPAddress("198.51.100.200")!, port: 9),
                                        forwarding: .masquerade)
            desired.servers[key]?.destinations[fresh.key] = fresh
            expected = .addDestination(key, fresh)
        }
        let managed = Set(kernel.servers.keys)
        #expect(reconcile(desired: desired, kernel: kernel, managed: managed) == [expected], "case \(n)")
        checked += 1
    }
    #expect(checked > 1000)
}

@Test func theDiffIsDeterministic() {
    var rng = SplitMix64(seed: 42)
    for _ in 0..<500 {
        let kernel = TableGenerator.randomTable(&rng)
        let desired = TableGenerator.mutated(kernel, &rng)
        let managed = Set(kernel.servers.keys)
        // Rebuilding the dictionaries in another order must not change the list.
        let shuffledDesired = IPVSTable(desired.servers.values.reversed())
        #expect(reconcile(desired: desired, kernel: kernel, managed: managed)
                == reconcile(desired: shuffledDesired, kernel: kernel, managed: managed))
    }
}
