// Random services, destinations and tables for the property tests. Keys come from small pools so
// that desired and kernel tables overlap often; settings vary so that edits happen.
@testable import IPVS
import Vocabulary
import TestSupport

enum TableGenerator {
    static let serviceAddresses = ["192.0.2.1", "192.0.2.2", "203.0.113.9", "2001:db8::1", "2001:db8::2"]
        .map { IPAddress($0)! }
    static let destinationAddresses = ["198.51.100.1", "198.51.100.2", "198.51.100.3", "2001:db8:1::1", "2001:db8:1::2"]
        .map { IPAddress($0)! }
    static let schedulers = ["rr", "wrr", "lc", "wlc", "sh", "mh", "twos", "fo", "ovf", "lblcr"]

    static func pick<T>(_ items: [T], _ rng: inout SplitMix64) -> T { items[Int(rng.next() % UInt64(items.count))] }
    static func chance(_ percent: UInt64, _ rng: inout SplitMix64) -> Bool { rng.next() % 100 < percent }

    static func randomServiceKey(_ rng: inout SplitMix64) -> IPVSServiceKey {
        if chance(25, &rng) {
            return .firewallMark(pick([.ipv4, .ipv6], &rng), UInt32(1 + rng.next() % 3))
        }
        return .address(pick([.tcp, .udp, .sctp], &rng), pick(serviceAddresses, &rng), port: pick([80, 443], &rng))
    }

    static func randomService(_ rng: inout SplitMix64, key: IPVSServiceKey) -> IPVSService {
        let flags = IPVSServiceFlags(rawValue: UInt32(truncatingIfNeeded: rng.next()) & IPVSServiceFlags.userSettable.rawValue)
        let netmask: UInt32 = key.family == .ipv4
            ? pick([0xFFFF_FFFF, 0xFFFF_FF00, 0xFFFF_0000], &rng)
            : pick([128, 64, 48], &rng)
        return IPVSService(key: key, scheduler: pick(schedulers, &rng), flags: flags,
                           timeout: pick([0, 300, 3600], &rng), netmask: netmask,
                           persistenceEngine: chance(10, &rng) ? "sip" : nil)
    }

    static func randomDestinationKey(_ rng: inout SplitMix64) -> IPVSDestinationKey {
        IPVSDestinationKey(address: pick(destinationAddresses, &rng), port: pick([80, 8080], &rng))
    }

    static func randomForwarding(_ rng: inout SplitMix64) -> IPVSForwarding {
        switch rng.next() % 6 {
        case 0: return .masquerade
        case 1: return .local
        case 2: return .bypass
        case 3: return .tunnel(IPVSTunnel(type: pick([.ipip, .gue, .gre], &rng), port: pick([0, 6080], &rng),
                                          flags: IPVSTunnelFlags(rawValue: UInt16(rng.next() % 4))))
        default: return .route
        }
    }

    static func randomDestination(_ rng: inout SplitMix64, key: IPVSDestinationKey) -> IPVSDestination {
        IPVSDestination(key: key, forwarding: randomForwarding(&rng), weight: Int32(rng.next() % 4),
                        upperThreshold: pick([0, 100], &rng), lowerThreshold: pick([0, 10], &rng))
    }

    static func randomServer(_ rng: inout SplitMix64, key: IPVSServiceKey) -> IPVSVirtualServer {
        let count = Int(rng.next() % 5)
        return IPVSVirtualServer(randomService(&rng, key: key),
                                 destinations: (0..<count).map { _ in randomDestination(&rng, key: randomDestinationKey(&rng)) })
    }

    static func randomTable(_ rng: inout SplitMix64, maxServers: Int = 8) -> IPVSTable {
        IPVSTable((0..<Int(rng.next() % UInt64(maxServers + 1))).map { _ in randomServer(&rng, key: randomServiceKey(&rng)) })
    }

    /// `table` with a few random changes: settings, destinations added, changed or removed, servers added or removed.
    static func mutated(_ table: IPVSTable, _ rng: inout SplitMix64) -> IPVSTable {
        var out = table
        for key in table.servers.keys.sorted() {
            switch rng.next() % 8 {
            case 0: out.servers[key] = nil
            case 1: out.servers[key]?.service = randomService(&rng, key: key)
            case 2:
                let d = randomDestination(&rng, key: randomDestinationKey(&rng))
                out.servers[key]?.destinations[d.key] = d
            case 3:
                if let dk = out.servers[key]?.destinations.keys.sorted().first { out.servers[key]?.destinations[dk] = nil }
            case 4:
                if let dk = out.servers[key]?.destinations.keys.sorted().last {
                    out.servers[key]?.destinations[dk] = randomDestination(&rng, key: dk)
                }
            default: break
            }
        }
        if chance(30, &rng) {
            let key = randomServiceKey(&rng)
            out.servers[key] = randomServer(&rng, key: key)
        }
        return out
    }
}
