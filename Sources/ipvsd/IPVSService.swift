import DaemonKit
import KeepalivedConfig
import Logging
import Platform
import Wire

/// ipvsd's messaging: real-server health from checkd and instance states from vrrpd.
final class IPVSService: DaemonService {
    private let context: DaemonContext
    private var logger: Logger { context.logger }
    private var listener: MessageListener?
    /// The last health checkd reported per real server; a real server with no report keeps its configured state.
    private(set) var health: [RealServerID: RealServerHealth] = [:]
    private(set) var instanceStates: [String: InstanceStateKind] = [:]

    init(_ context: DaemonContext) {
        self.context = context
    }

    func start() throws {
        listener = try MessageListener(
            path: context.socketPath, allowedUIDs: context.allowedPeerUIDs, loop: context.loop, logger: logger,
            onMessage: { [unowned self] connection, message in receive(message, from: connection) },
            onDisconnect: { [unowned self] connection in
                logger.info("peer \(connection.peerRole?.name ?? "unknown") disconnected; the table stays as it is")
            })
    }

    private func receive(_ message: WireMessage, from connection: MessageConnection) {
        switch message {
        case .hello(let role, let pid):
            logger.peerConnected(role, pid: pid, on: connection)
        case .realServerHealth(let report):
            if health.updateValue(report, forKey: report.id) != report {
                logger.info("real server \(report.id) is \(report.up ? "up" : "down") (weight \(report.weight))",
                            metadata: ["MESSAGE_ID": "\(MessageID.realServerChange)", "REAL_SERVER": "\(report.id)"])
            }
        case .instanceState(let name, let state, _):
            instanceStates[name] = state
        case .snapshotBegin, .snapshotEnd, .trackScript:
            break
        }
    }

    func reload(_ configuration: KeepalivedConfiguration) throws {}

    func shutdown() {
        listener?.close()
    }
}
