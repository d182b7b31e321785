#if canImport(Glibc)
import Glibc
#endif
import DaemonKit
import KeepalivedConfig
import Logging
import Platform
import Wire

/// vrrpd's messaging: it takes track-script results from checkd and keeps the last ones known when checkd goes
/// away (a checkd restart never moves a VIP); it tells ipvsd and checkd each instance's state.
final class VRRPService: DaemonService {
    private let context: DaemonContext
    private var logger: Logger { context.logger }
    private var configuration: KeepalivedConfiguration
    private var listener: MessageListener?
    private var ipvsd: MessageClient?
    /// The last result checkd reported for each vrrp_script, kept across checkd restarts.
    private(set) var trackScriptResults: [String: Bool] = [:]

    init(_ context: DaemonContext) {
        self.context = context
        self.configuration = context.configuration
    }

    func start() throws {
        listener = try MessageListener(
            path: context.socketPath, allowedUIDs: context.allowedPeerUIDs, loop: context.loop, logger: logger,
            onMessage: { [unowned self] connection, message in receive(message, from: connection) },
            onDisconnect: { [unowned self] connection in
                logger.info("peer \(connection.peerRole?.name ?? "unknown") disconnected; last track script results kept")
            })
        ipvsd = MessageClient(
            path: context.socketPath(of: .ipvsd), loop: context.loop, logger: logger,
            onConnect: { connection in
                try? connection.send(.hello(role: .vrrpd, pid: getpid()))
                try? connection.send(.snapshotBegin)
                try? connection.send(.snapshotEnd)
            })
    }

    private func receive(_ message: WireMessage, from connection: MessageConnection) {
        switch message {
        case .hello(let role, let pid):
            logger.peerConnected(role, pid: pid, on: connection)
        case .trackScript(let name, let ok):
            guard configuration.vrrpScript(named: name) != nil else {
                logger.warning("track script result for \(name), which the configuration does not define; ignored")
                return
            }
            if trackScriptResults.updateValue(ok, forKey: name) != ok {
                logger.info("track script \(name) is \(ok ? "OK" : "failing")", metadata: ["VRRP_SCRIPT": "\(name)"])
            }
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
    }

    func shutdown() {
        ipvsd?.close()
        listener?.close()
    }
}
