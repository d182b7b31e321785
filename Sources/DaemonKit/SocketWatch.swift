import Logging
import Platform
import Wire

/// Someone removed /run/tandem (or a socket in it) under a running daemon: its open connections go on, but no new
/// peer and no tandemctl can reach it. Every few seconds this looks, binds the sockets again where it can, and
/// says so; where it cannot (under systemd the unit sees /run read-only but for its old /run/tandem), it says
/// once what is lost and how to get it back. Never fatal: the daemon's work matters more than its sockets.
final class SocketWatch {
    static let interval: Duration = .seconds(2)
    private let role: DaemonRole
    private let loop: EventLoop
    private let logger: Logger
    private let control: ControlEndpoint
    private unowned let service: any DaemonService
    private var reportedFailure = false

    init(role: DaemonRole, loop: EventLoop, logger: Logger, control: ControlEndpoint, service: any DaemonService) {
        self.role = role
        self.loop = loop
        self.logger = logger
        self.control = control
        self.service = service
    }

    func start() {
        _ = loop.schedule(after: Self.interval) { [self] in
            look()
            start()
        }
    }

    private func look() {
        do {
            let rebound = try control.rebindIfRemoved() + service.rebindRemovedSockets()
            for path in rebound {
                logger.warning("\(path) was removed under \(role.name); bound it again (open connections were kept)")
            }
            if !rebound.isEmpty { reportedFailure = false }
        } catch {
            guard !reportedFailure else { return }
            reportedFailure = true
            logger.error("a socket of \(role.name) was removed and cannot be bound again (\(error)): new peers and tandemctl cannot reach it until `systemctl restart \(role.name)`; what it does goes on")
        }
    }
}
