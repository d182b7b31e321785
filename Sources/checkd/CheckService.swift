#if canImport(Glibc)
import Glibc
#endif
import DaemonKit
import Health
import KeepalivedConfig
import Logging
import Platform
import Wire

/// checkd's logic: runs the health checks and track scripts, tells ipvsd and vrrpd about changes only, sends
/// its current view once on every (re)connect (a check with no result yet is not in it, so a restarted checkd
/// moves nothing), and runs notify scripts when vrrpd reports a state change or a real server changes.
final class CheckService: DaemonService {
    var peerConnections: [DaemonRole: Bool] {
        [.vrrpd: vrrpd?.isConnected ?? false, .ipvsd: ipvsd?.isConnected ?? false]
    }

    /// Notify scripts get this long before their process group is killed (keepalived has no bound; we keep one
    /// so a hung script cannot pile up).
    static let notifyTimeout: Duration = .seconds(60)

    private let context: DaemonContext
    private var logger: Logger { context.logger }
    private(set) var vrrpd: MessageClient?
    private(set) var ipvsd: MessageClient?
    private var monitor: HealthMonitor!
    /// The checks, for the operator's status (nil only while the service is being built).
    var healthMonitor: HealthMonitor? { monitor }
    private var notifyPlanner: NotifyPlanner
    private var quorumPlanner: QuorumNotifyPlanner
    /// True between vrrpd's snapshotBegin and snapshotEnd.
    private var inVRRPSnapshot = false
    /// True between ipvsd's snapshotBegin and snapshotEnd.
    private var inIPVSSnapshot = false

    init(_ context: DaemonContext) {
        self.context = context
        notifyPlanner = NotifyPlanner(configuration: context.configuration)
        quorumPlanner = QuorumNotifyPlanner(configuration: context.configuration)
        monitor = HealthMonitor(configuration: context.configuration, loop: context.loop, logger: context.logger) {
            [unowned self] events in handle(events)
        }
    }

    func start() {
        raiseDescriptorLimit()
        warnAboutScriptUsers()
        vrrpd = MessageClient(
            path: context.socketPath(of: .vrrpd), loop: context.loop, logger: logger,
            expectedServerUIDs: context.trustedServerUIDs, expectedRole: .vrrpd,
            onConnect: { [unowned self] connection in
                inVRRPSnapshot = false
                sendSnapshot(to: connection, monitor.trackScriptView.sorted { $0.key < $1.key }
                    .map { .trackScript(name: $0.key, ok: $0.value) })
            },
            onMessage: { [unowned self] _, message in received(message) })
        ipvsd = MessageClient(
            path: context.socketPath(of: .ipvsd), loop: context.loop, logger: logger,
            expectedServerUIDs: context.trustedServerUIDs, expectedRole: .ipvsd,
            onConnect: { [unowned self] connection in
                inIPVSSnapshot = false
                sendSnapshot(to: connection, monitor.realServerView.map { .realServerHealth($0) })
            },
            onMessage: { [unowned self] _, message in receivedFromIPVSD(message) })
        monitor.start()
        let summary = monitor.summary
        logger.info("checking \(summary.realServers) real servers with \(summary.checkers) checkers (\(summary.probes) distinct probes), \(summary.scripts) track scripts")
        returnFreedMemory()
    }

    /// Reading a large configuration peaks well above what checking it needs (the text, the syntax tree, the
    /// model while it is built); glibc keeps those freed pages. Hand them back once they are garbage.
    private func returnFreedMemory() {
        #if canImport(Glibc)
        // <malloc.h> is not in Swift's Glibc module: look malloc_trim up like ProcessRunner does pidfd_open.
        typealias MallocTrim = @convention(c) (Int) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") {
            _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
        }
        #endif
    }

    /// Every concurrent check holds a socket: take the hard limit of descriptors, so thousands of checks do not
    /// fail with EMFILE and look like dead backends.
    private func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 {
            logger.warning("could not raise the open-file limit to \(limit.rlim_max)")
        }
    }

    /// checkd has no capabilities, so it cannot switch users: say so once instead of silently ignoring `user`
    /// (a script that names checkd's own user is fine).
    private func warnAboutScriptUsers() {
        guard getuid() != 0 else { return }
        let myName = getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) }
        let configuration = context.configuration
        var naming = configuration.vrrpScripts.filter { $0.user != nil && $0.user != myName }
            .map { "vrrp_script \($0.name)" }
        if let user = configuration.global.scriptUser, user != myName { naming.insert("script_user", at: 0) }
        if !naming.isEmpty {
            logger.notice("\(naming.joined(separator: ", ")) name a user; checkd runs every script as its own unprivileged user \(myName ?? "uid \(getuid())")")
        }
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

    // MARK: Results

    private func handle(_ events: [HealthEvent]) {
        for event in events {
            switch event {
            case .realServerHealth(let health):
                send(.realServerHealth(health), via: ipvsd)
            case .trackScript(let name, let ok):
                send(.trackScript(name: name, ok: ok), via: vrrpd)
            case .realServerTransition(let id, let up):
                if let command = monitor.notifyCommand(of: id, up: up) {
                    runNotify(command, arguments: command.arguments, about: "real server \(id) \(up ? "up" : "down")")
                }
            }
        }
    }

    /// Between connections a change is not queued: the snapshot on reconnect carries the current view.
    private func send(_ message: WireMessage, via client: MessageClient?) {
        guard let client, client.isConnected else { return }
        do { try client.send(message) } catch {
            logger.warning("could not send \(message): \(error); the next snapshot carries it")
        }
    }

    // MARK: VRRP states

    private func received(_ message: WireMessage) {
        switch message {
        case .snapshotBegin: inVRRPSnapshot = true
        case .snapshotEnd: inVRRPSnapshot = false
        case .instanceState(let name, let state, let priority):
            logger.debug("instance \(name) is \(state) at priority \(priority)")
            for invocation in notifyPlanner.observe(instance: name, state: state, priority: priority,
                                                    inSnapshot: inVRRPSnapshot) {
                runNotify(invocation.command, arguments: invocation.arguments, about: "\(name) \(state)")
            }
        default:
            break
        }
    }

    // MARK: Quorum

    /// ipvsd's quorum states: a change runs the virtual server's quorum_up or quorum_down.
    private func receivedFromIPVSD(_ message: WireMessage) {
        switch message {
        case .snapshotBegin: inIPVSSnapshot = true
        case .snapshotEnd: inIPVSSnapshot = false
        case .quorum(let name, let up):
            logger.debug("\(name) has \(up ? "" : "no ")quorum")
            if let command = quorumPlanner.observe(virtualServer: name, up: up, inSnapshot: inIPVSSnapshot) {
                runNotify(command, arguments: command.arguments, about: "\(name) quorum \(up ? "up" : "down")")
            }
        default:
            break
        }
    }

    private func runNotify(_ command: ScriptCommand, arguments: [String], about: String) {
        if command.user != nil && getuid() != 0 {
            logger.debug("notify script \(command.text) asks for user \(command.user ?? ""); checkd runs it as itself")
        }
        monitor.runner.run(arguments, timeout: Self.notifyTimeout, killingLeftovers: false) { [logger] exit in
            let metadata: Logger.Metadata = ["SCRIPT": "\(command.text)", "SCRIPT_RESULT": "\(exit)"]
            if exit == .exited(0) {
                logger.info("notify script for \(about): \(exit)", metadata: metadata)
            } else {
                logger.warning("notify script for \(about): \(exit)", metadata: metadata)
            }
        }
    }

    // MARK: Reload and stop

    func reload(_ configuration: KeepalivedConfiguration) throws {
        notifyPlanner.update(configuration)
        quorumPlanner.update(configuration)
        monitor.reload(configuration)
        returnFreedMemory()
    }

    func shutdown() {
        monitor.shutdown()
        vrrpd?.close()
        ipvsd?.close()
    }
}
