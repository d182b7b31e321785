import Control
import Foundation
import Logging
import Platform
import Wire

/// A daemon's control socket, RUNTIME-DIR/NAME.control: answers `status` with what the shell knows of the
/// daemon (identity, uptime, configuration, peers), to root and the admin group; passes a request that changes
/// something (vrrpd's switchover) to the daemon's logic when the peer is root.
final class ControlEndpoint {
    private let role: DaemonRole
    private let options: DaemonOptions
    private let startedAt = Date()
    private var configLoadedAt = Date()
    private var malformedRequests = 0
    private weak var service: (any DaemonService)?
    private var listener: ControlListener?

    /// Opens the socket; when that fails the daemon runs on without it, logging that `tandemctl status` will
    /// report it as not reachable.
    init(role: DaemonRole, options: DaemonOptions, loop: EventLoop, logger: Logger) {
        self.role = role
        self.options = options
        let adminGroup = getgrnam(options.adminGroup).map { $0.pointee.gr_gid }
        if adminGroup == nil { logger.debug("admin group \(options.adminGroup) does not exist here: only root may read status") }
        // Mode 0660 with the admin group: connect(2) itself is refused to everybody else, the peer check after
        // accept is the second fence.
        do {
            listener = try ControlListener(
                path: role.controlSocketPath(in: options.runtimeDirectory), adminGroup: adminGroup, loop: loop,
                logger: logger, socketMode: 0o660, socketGroup: adminGroup, maxRequestSize: ControlCodec.maxRequestSize
            ) { [unowned self] access, request, oversized in answer(request, access: access, oversized: oversized) }
        } catch {
            logger.warning("no control socket (tandemctl status will report \(role.name) as not reachable): \(error)")
        }
    }

    /// The daemon whose own state the status adds (`DaemonService.describe(into:)`), once it is built.
    func attach(_ service: any DaemonService) { self.service = service }

    func configurationLoaded() { configLoadedAt = Date() }

    func close() { listener?.close() }

    /// The control socket's path, when it was bound again because its file had gone.
    func rebindIfRemoved() throws -> [String] {
        guard let listener else { return [] }
        return try listener.rebindIfRemoved() ? [listener.path] : []
    }

    private func answer(_ request: ArraySlice<UInt8>, access: ControlAccess, oversized: Int?) -> [UInt8] {
        if let oversized {
            malformedRequests += 1
            return ControlCodec.encode(.error("\(ControlError.oversized(oversized))"))
        }
        do throws(ControlError) {
            let decoded = try ControlCodec.decodeRequest(request)
            if decoded == .status { return ControlCodec.encode(.status(status())) }
            guard access == .administrator else {
                return ControlCodec.encode(.error("\(decoded.verb) changes what \(role.name) does: root only"))
            }
            guard let service else { return ControlCodec.encode(.error("\(role.name) is still starting")) }
            return ControlCodec.encode(service.perform(decoded))
        } catch {
            malformedRequests += 1
            return ControlCodec.encode(.error("\(error)"))
        }
    }

    func status() -> DaemonStatus {
        let peers = (service?.peerConnections ?? [:]).sorted { $0.key.rawValue < $1.key.rawValue }
            .map { PeerLink(peer: $0.key.name, connected: $0.value) }
        var status = DaemonStatus(
            name: role.name, version: TandemVersion.string, pid: getpid(),
            startedAt: startedAt.timeIntervalSince1970, uptimeSeconds: Date().timeIntervalSince(startedAt),
            configFile: options.configFile, configLoadedAt: configLoadedAt.timeIntervalSince1970, peers: peers,
            malformedRequests: malformedRequests, refusedConnections: listener?.refusedConnections ?? 0)
        status.configID = options.configID
        service?.describe(into: &status)
        return status
    }
}

extension DaemonRole {
    /// RUNTIME-DIR/NAME.control: the operator's read-only socket, beside the daemons' message socket.
    public func controlSocketPath(in runtimeDirectory: String) -> String {
        runtimeDirectory + "/" + name + ".control"
    }
}
