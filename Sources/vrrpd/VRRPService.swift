#if canImport(Glibc)
import Glibc
#endif
import Control
import DaemonKit
import KeepalivedConfig
import Logging
import Platform
import VRRP
import Wire

/// vrrpd's daemon logic: the VRRP engine plus its messages. It takes track-script results from checkd and keeps
/// the last ones known when checkd goes away (a checkd restart never moves a VIP); it tells ipvsd and checkd each
/// instance's state.
final class VRRPService: DaemonService {
    func describe(into status: inout DaemonStatus) {
        status.instances = engine?.instanceStatuses ?? []
        if let announcer = engine?.announcer, !announcer.plan.isEmpty { status.announcements = announcer.statuses }
        status.droppedAdverts = Dictionary(uniqueKeysWithValues: (engine?.drops.nonZero ?? []).map { ($0.reason.rawValue, $0.count) })
    }

    var peerConnections: [DaemonRole: Bool] {
        [.ipvsd: ipvsd?.isConnected ?? false,
         .checkd: listener?.connections.contains { $0.peerRole == .checkd } ?? false]
    }

    private let context: DaemonContext
    private var logger: Logger { context.logger }
    private var configuration: KeepalivedConfiguration
    private(set) var listener: MessageListener?
    private var ipvsd: MessageClient?
    private(set) var engine: VRRPEngine?
    private let makeEnvironment: (EventLoop) throws -> VRRPEnvironment
    /// The last result checkd reported for each vrrp_script, kept across checkd restarts.
    private(set) var trackScriptResults: [String: Bool] = [:]

    /// `environment` builds what the engine does I/O through: the kernel's, unless a test gives fakes.
    init(_ context: DaemonContext, environment: @escaping (EventLoop) throws -> VRRPEnvironment = VRRPEnvironment.live) {
        self.context = context
        self.configuration = context.configuration
        self.makeEnvironment = environment
    }

    func start() throws {
        listener = try MessageListener(
            path: context.socketPath, allowedUIDs: context.allowedPeerUIDs, rolesOfUID: context.rolesOfPeerUID,
            loop: context.loop, logger: logger,
            onMessage: { [unowned self] connection, message in receive(message, from: connection) },
            onDisconnect: { [unowned self] connection in
                logger.info("peer \(connection.peerRole?.name ?? "unknown") disconnected; last track script results kept")
            })
        ipvsd = MessageClient(
            path: context.socketPath(of: .ipvsd), loop: context.loop, logger: logger,
            expectedServerUIDs: context.trustedServerUIDs, expectedRole: .ipvsd,
            onConnect: { [unowned self] connection in sendSnapshot(to: connection) },
            onMessage: { [unowned self] connection, message in receive(message, from: connection) })
        let engine = try VRRPEngine(environment: makeEnvironment(context.loop), logger: logger)
        engine.onStateChange = { [unowned self] name, state, priority in
            let message = WireMessage.instanceState(name: name, state: state.wireKind, priority: priority)
            // Between connections nothing is queued: the snapshot on reconnect carries the current states.
            if let ipvsd, ipvsd.isConnected {
                do { try ipvsd.send(message) } catch {
                    logger.warning("could not send \(message) to ipvsd: \(error); the next snapshot carries it")
                }
            }
            // Only to a checkd that said hello: it has had vrrpd's own hello in answer, and refuses anything before.
            for connection in listener?.connections ?? [] where connection.peerRole == .checkd {
                try? connection.send(message)
            }
        }
        self.engine = engine
        engine.apply(configuration)
        // keepalived prints its statistics on SIGUSR2; so do we: every dropped packet by reason.
        try context.loop.onSignal(SIGUSR2) { [unowned self] in
            let drops = engine.drops.nonZero.map { "\($0.reason.rawValue)=\($0.count)" }.joined(separator: " ")
            logger.notice("statistics: \(engine.drops.total) VRRP packets dropped\(drops.isEmpty ? "" : ": " + drops)")
        }
    }

    private func sendSnapshot(to connection: MessageConnection) {
        do {
            try connection.send(.hello(role: .vrrpd, pid: getpid()))
            try connection.send(.snapshotBegin)
            for (name, state, priority) in engine?.states ?? [] {
                try connection.send(.instanceState(name: name, state: state.wireKind, priority: priority))
            }
            try connection.send(.snapshotEnd)
        } catch {
            logger.warning("could not send the instances' states to \(connection.peerRole?.name ?? "a peer"): \(error)")
        }
    }

    /// The connection has already refused what its sender may not send: track results only from checkd
    /// (`WireMessage.expectedSenders`).
    private func receive(_ message: WireMessage, from connection: MessageConnection) {
        switch message {
        case .hello(let role, let pid):
            logger.peerConnected(role, pid: pid, on: connection)
            if role == .checkd { sendSnapshot(to: connection) }
        case .trackScript(let name, let ok):
            guard configuration.vrrpScript(named: name) != nil else {
                connection.logThrottled("undefined track script", to: logger, {
                    "track script result for \(name), which the configuration does not define; ignored"
                })
                return
            }
            if trackScriptResults.updateValue(ok, forKey: name) != ok {
                logger.info("track script \(name) is \(ok ? "OK" : "failing")", metadata: ["VRRP_SCRIPT": "\(name)"])
                engine?.updateTrackResults(trackScriptResults)
            }
        case .quorum(let pool, let up):
            // From ipvsd only (expectedSenders); what tandem_announce follows. Kept when ipvsd goes away, so an
            // ipvsd restart withdraws nothing.
            engine?.announcer.updateQuorum(pool, up: up)
        case .snapshotBegin, .snapshotEnd:
            break
        default:
            logger.debug("ignored \(message) from \(connection.peerRole?.name ?? "peer")")
        }
    }

    func reload(_ configuration: KeepalivedConfiguration) throws {
        self.configuration = configuration
        // Results of scripts that no longer exist are forgotten; the others stay.
        trackScriptResults = trackScriptResults.filter { configuration.vrrpScript(named: $0.key) != nil }
        engine?.updateTrackResults(trackScriptResults)
        engine?.apply(configuration)
    }

    /// switchover and resume (root only, checked by the control endpoint).
    func perform(_ request: ControlRequest) -> ControlResponse {
        guard let engine else { return .error("vrrpd is still starting") }
        switch request {
        case .status:
            return .error("status is answered by the control endpoint")
        case .switchover(let names):
            do {
                let started = try engine.handOver(names, holdBack: true)
                return .ok("handing over \(started.joined(separator: ", ")); this node stays BACKUP until `tandemctl resume`")
            } catch {
                return .error("\(error)")
            }
        case .resume(let names):
            let released = engine.releaseHold(names)
            return .ok(released.isEmpty ? "no instance was held back" : "released \(released.joined(separator: ", ")): preempting as configured again")
        }
    }

    func rebindRemovedSockets() throws -> [String] {
        guard let listener else { return [] }
        return try listener.rebindIfRemoved() ? [listener.path] : []
    }

    /// Make before break on `systemctl stop`: every Master hands over before the addresses go.
    func prepareToStop(_ ready: @escaping () -> Void) {
        guard let engine else { return ready() }
        engine.handOverBeforeStop(ready)
    }

    func shutdown() {
        engine?.shutdown()
        ipvsd?.close()
        listener?.close()
    }
}

extension VRRPState {
    var wireKind: InstanceStateKind {
        switch self {
        case .initialize: return .initialize
        case .backup: return .backup
        case .master: return .master
        case .fault: return .fault
        }
    }
}
