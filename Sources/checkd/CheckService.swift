#if canImport(Glibc)
import Glibc
#endif
import DaemonKit
import KeepalivedConfig
import Logging
import Platform
import Wire

/// checkd's messaging: connects to vrrpd and ipvsd, and on every (re)connect sends its current view once,
/// framed as a snapshot. A check with no result yet is not in the view, so a restarted checkd moves nothing.
final class CheckService: DaemonService {
    private let context: DaemonContext
    private var logger: Logger { context.logger }
    private var vrrpd: MessageClient?
    private var ipvsd: MessageClient?
    /// Results known so far; empty until the first checks complete.
    private(set) var realServerHealth: [RealServerID: RealServerHealth] = [:]
    private(set) var trackScriptResults: [String: Bool] = [:]

    init(_ context: DaemonContext) {
        self.context = context
    }

    func start() {
        vrrpd = MessageClient(
            path: context.socketPath(of: .vrrpd), loop: context.loop, logger: logger,
            onConnect: { [unowned self] connection in
                sendSnapshot(to: connection, trackScriptResults.map { .trackScript(name: $0.key, ok: $0.value) })
            },
            onMessage: { [unowned self] _, message in
                if case .instanceState(let name, let state, let priority) = message {
                    logger.debug("instance \(name) is \(state) at priority \(priority)")
                }
            })
        ipvsd = MessageClient(
            path: context.socketPath(of: .ipvsd), loop: context.loop, logger: logger,
            onConnect: { [unowned self] connection in
                sendSnapshot(to: connection, realServerHealth.values.map { .realServerHealth($0) })
            })
    }

    private func sendSnapshot(to connection: MessageConnection, _ view: [WireMessage]) {
        do {
            try connection.send(.hello(role: .checkd, pid: getpid()))
            try connection.send(.snapshotBegin)
            for message in view { try connection.send(message) }
            try connection.send(.snapshotEnd)
        } catch {
            logger.warning("could not send the current view: \(error); it is sent again on reconnect")
        }
    }

    func reload(_ configuration: KeepalivedConfiguration) throws {}

    func shutdown() {
        vrrpd?.close()
        ipvsd?.close()
    }
}
