import KeepalivedConfig
import TestSupport
import VRRP
import TestSupport
@testable import vrrpd
import Vocabulary

/// A machine on the fake LAN: its interfaces and addresses, its advert sockets, its announcements, its log and
/// the vrrpd engine running on them.
final class FakeHost {
    struct Transition: Equatable {
        var time: MonotonicInstant
        var instance: String
        var state: VRRPState
        var priority: UInt8
    }

    let name: String
    let id: Int
    let loop: ManualLoop
    let wire: FakeWire
    let log = CapturedLog()
    lazy var interfaces = FakeInterfaces(host: self)
    lazy var addressControl = FakeAddressControl(host: self)
    lazy var announcer = RecordingAnnouncer(host: self)
    lazy var adverts = FakeAdvertNetwork(host: self)
    lazy var routeControl = FakeRouteControl()
    private(set) var engine: VRRPEngine?
    private(set) var transitions: [Transition] = []

    init(name: String, id: Int, wire: FakeWire) {
        self.name = name
        self.id = id
        self.wire = wire
        self.loop = wire.loop
    }

    var environment: VRRPEnvironment {
        VRRPEnvironment(clock: ManualClock(loop, owner: id), adverts: adverts, addresses: addressControl,
                        announcer: announcer, links: interfaces, routes: routeControl)
    }

    /// Plugs `interface` into `segment` with its own address (the host's primary address there).
    @discardableResult
    func plug(_ interface: String, into segment: String, _ address: String, prefixLength: Int = 24) -> FakeHost {
        interfaces.add(interface, segment: segment, addresses: [(ip(address), prefixLength)])
        return self
    }

    /// Starts vrrpd's engine on `config`, keepalived.conf text.
    @discardableResult
    func start(_ config: String) throws -> VRRPEngine {
        let engine = try VRRPEngine(environment: environment, logger: log.logger(label: "test.vrrpd"))
        engine.onStateChange = { [unowned self] instance, state, priority in
            transitions.append(Transition(time: loop.now, instance: instance, state: state, priority: priority))
        }
        self.engine = engine
        engine.apply(try parseConfiguration(config))
        return engine
    }

    /// SIGHUP with a new configuration.
    func reload(_ config: String) throws {
        engine?.apply(try parseConfiguration(config))
    }

    /// SIGTERM: a master sends priority 0 and releases its VIPs.
    func stop() {
        engine?.shutdown()
        engine = nil
    }

    /// SIGKILL: nothing more is sent or done, and the VIPs stay where they are, as the kernel keeps them.
    func crash() {
        loop.forget(owner: id)
        for transport in adverts.open { transport.close() }
        interfaces.forgetWatcher()
        engine = nil
    }

    func state(_ instance: String) -> VRRPState? {
        engine?.states.first { $0.name == instance }?.state
    }

    func priority(_ instance: String) -> UInt8? {
        engine?.states.first { $0.name == instance }?.priority
    }

    /// Whether `address` is on `interface` (on any interface when nil).
    func holds(_ address: String, on interface: String? = nil) -> Bool {
        let names = interface.map { [$0] } ?? interfaces.names
        return names.contains { interfaces.assigned(on: $0).contains { $0.address == ip(address) } }
    }

    /// When `instance` last entered `state`.
    func lastEntered(_ state: VRRPState, _ instance: String) -> MonotonicInstant? {
        transitions.last { $0.instance == instance && $0.state == state }?.time
    }
}

/// Hosts on one fake wire with one manual loop: the whole world of a test.
final class FakeLAN {
    let loop = ManualLoop()
    let wire: FakeWire
    private var count = 0

    init() { wire = FakeWire(loop: loop) }

    /// A host with `eth0` on the segment "lan".
    func host(_ name: String, eth0 address: String) -> FakeHost {
        count += 1
        return FakeHost(name: name, id: count, wire: wire).plug("eth0", into: "lan", address)
    }

    /// Runs every host's timers and sockets for `seconds` of manual time.
    func run(seconds: Double) {
        loop.advance(by: .nanoseconds(Int64(seconds * 1e9)))
    }

    /// Runs until `condition` holds; how long that took, or nil if not within `seconds`.
    func run(until condition: () -> Bool, within seconds: Double) -> Duration? {
        loop.advance(until: condition, within: .nanoseconds(Int64(seconds * 1e9)))
    }
}
