// A deterministic, in-memory VRRP network for tests: instances exchange real encoded packets through the
// decoder and receive filter, and time only moves when the lab says so (discrete-event simulation).
@testable import VRRP
import Vocabulary

struct Lab {
    struct Node {
        var vrrp: VRRPInstance
        /// Link connected: adverts reach the others and theirs reach us (a cut cable, without telling the node).
        var connected = true
        var holdsAddresses = false
        var log: [(at: MonotonicInstant, action: VRRPAction)] = []
    }

    var nodes: [Node]
    var now = MonotonicInstant(nanoseconds: 1_000_000_000_000)
    let origin = MonotonicInstant(nanoseconds: 1_000_000_000_000)
    var delay: Duration = .zero
    var drops = VRRPDropCounters()
    private var queue: [(at: MonotonicInstant, seq: Int, to: Int, from: Int, bytes: [UInt8])] = []
    private var seq = 0

    init(_ configs: [VRRPInstanceConfig]) {
        nodes = configs.map { Node(vrrp: VRRPInstance(config: $0)) }
    }

    /// Seconds since the lab's origin, as an instant.
    func at(_ seconds: Double) -> MonotonicInstant { origin + .nanoseconds(Int64(seconds * 1e9)) }
    /// An offset in nanoseconds since the origin, for exact comparisons.
    func offset(_ t: MonotonicInstant) -> Int64 { (t - origin).totalNanoseconds }

    mutating func inject(_ event: VRRPEvent, node i: Int) {
        let actions = nodes[i].vrrp.handle(event, at: now)
        apply(actions, node: i)
    }

    mutating func apply(_ actions: [VRRPAction], node i: Int) {
        for a in actions {
            nodes[i].log.append((now, a))
            switch a {
            case .sendAdvertisement(let ad):
                guard nodes[i].connected else { continue }
                let c = nodes[i].vrrp.config
                let group = IPAddress.vrrpGroup(c.family)
                let bytes = c.family == .ipv4 ? ad.encodeIPv4Datagram(source: c.primaryAddress, destination: group)
                                              : ad.encodeMessage(source: c.primaryAddress, destination: group)
                for j in nodes.indices where j != i && nodes[j].connected {
                    seq += 1
                    queue.append((now + delay, seq, j, i, bytes))
                }
            case .addVirtualAddresses: nodes[i].holdsAddresses = true
            case .removeVirtualAddresses: nodes[i].holdsAddresses = false
            default: break
            }
        }
    }

    private mutating func deliver(_ bytes: [UInt8], to j: Int, from i: Int) {
        let c = nodes[j].vrrp.config
        let outcome = c.family == .ipv4
            ? c.receiveFilter.receiveIPv4(datagram: bytes)
            : c.receiveFilter.receiveIPv6(payload: bytes, source: nodes[i].vrrp.config.primaryAddress,
                                          destination: .vrrpGroup(.ipv6), hopLimit: 255)
        switch outcome {
        case .accepted(let ad, let source, _): inject(.advertisement(ad, from: source), node: j)
        case .dropped(let r): drops.record(r)
        case .notForMe: break
        }
    }

    /// Runs the network until `end` (inclusive): deliveries first, then timers, in time order.
    mutating func run(until end: MonotonicInstant) {
        var steps = 0
        while steps < 1_000_000 {
            steps += 1
            let nextPacket = queue.min { ($0.at, $0.seq) < ($1.at, $1.seq) }
            let nextTimer = nodes.indices.compactMap { i in nodes[i].vrrp.nextDeadline.map { ($0, i) } }.min { $0.0 < $1.0 }
            if let p = nextPacket, p.at <= end, nextTimer.map({ p.at <= $0.0 }) ?? true {
                now = max(now, p.at)
                queue.removeAll { $0.seq == p.seq }
                deliver(p.bytes, to: p.to, from: p.from)
            } else if let (t, i) = nextTimer, t <= end {
                now = max(now, t)
                inject(.timerFired, node: i)
            } else {
                break
            }
        }
        now = max(now, end)
    }

    mutating func run(for seconds: Double) { run(until: now + .nanoseconds(Int64(seconds * 1e9))) }

    /// State changes of node `i`, with their instants.
    func transitions(_ i: Int) -> [(at: MonotonicInstant, from: VRRPState, to: VRRPState, reason: VRRPTransitionReason)] {
        nodes[i].log.compactMap { e in
            if case .stateChanged(let f, let t, let r) = e.action { return (e.at, f, t, r) }
            return nil
        }
    }

    /// The instant node `i` last entered `state`.
    func lastEntered(_ state: VRRPState, _ i: Int) -> MonotonicInstant? { transitions(i).last { $0.to == state }?.at }

    /// Adverts node `i` sent at or after `t`.
    func adverts(_ i: Int, since t: MonotonicInstant = .init(nanoseconds: 0)) -> [(at: MonotonicInstant, ad: VRRPAdvertisement)] {
        nodes[i].log.compactMap { e in
            if e.at >= t, case .sendAdvertisement(let ad) = e.action { return (e.at, ad) }
            return nil
        }
    }

    var states: [VRRPState] { nodes.map(\.vrrp.state) }
}

/// A test instance on 192.0.2.0/24 with VIP 192.0.2.100.
func config(_ name: String, host: UInt8, priority: UInt8, version: VRRPVersion = .v2, interval: Duration = .seconds(1),
            state: VRRPInitialState = .backup, preempt: Bool = true, preemptDelay: Duration = .zero,
            gratuitous: VRRPGratuitousConfig = .init(), vrid: UInt8 = 51) -> VRRPInstanceConfig {
    VRRPInstanceConfig(name: name, vrid: vrid, version: version, priority: priority, advertInterval: interval,
                       initialState: state, preempt: preempt, preemptDelay: preemptDelay,
                       virtualAddresses: [.ipv4(192, 0, 2, 100)], primaryAddress: .ipv4(192, 0, 2, host),
                       gratuitous: gratuitous)
}

/// Microseconds to nanoseconds, for readable exact expectations.
func us(_ n: Int64) -> Int64 { n * 1_000 }
