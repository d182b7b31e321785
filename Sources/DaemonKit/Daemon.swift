#if canImport(Glibc)
import Glibc
#endif
import Control
import KeepalivedConfig
import Logging
import Platform
import Wire

/// What a daemon's own logic gives the shared shell: how to take a new configuration and how to stop.
public protocol DaemonService: AnyObject {
    /// Applies a reloaded configuration; only what changed is touched. Throwing keeps the running state.
    func reload(_ configuration: KeepalivedConfiguration) throws
    /// Stops cleanly before the process exits (SIGTERM/SIGINT).
    func shutdown()
    /// Whether each peer daemon this one talks to is connected now, for the control socket's status.
    var peerConnections: [DaemonRole: Bool] { get }
    /// Adds what only this daemon knows to its status document (the shell has filled the common fields).
    func describe(into status: inout DaemonStatus)
    /// Carries out a control request that changes something (the peer is root); answers at once.
    func perform(_ request: ControlRequest) -> ControlResponse
    /// Binds the daemon's listening sockets again when their files were removed (e.g. /run/tandem deleted under
    /// it); returns the paths it bound again. Throws when one could not be.
    func rebindRemovedSockets() throws -> [String]
    /// Called on SIGTERM/SIGINT before `shutdown()`, with the loop still running: calls `ready` when the daemon
    /// may stop (vrrpd hands its Master instances over first). A second signal stops at once.
    func prepareToStop(_ ready: @escaping () -> Void)
}

extension DaemonService {
    public var peerConnections: [DaemonRole: Bool] { [:] }
    public func describe(into status: inout DaemonStatus) {}
    public func perform(_ request: ControlRequest) -> ControlResponse { .error("this daemon does not take \(request.verb)") }
    public func prepareToStop(_ ready: @escaping () -> Void) { ready() }
    public func rebindRemovedSockets() throws -> [String] { [] }
}

/// Everything a daemon's logic needs from the shell.
public struct DaemonContext {
    public let role: DaemonRole
    public let options: DaemonOptions
    public let loop: EventLoop
    public let logger: Logger
    public let configuration: KeepalivedConfiguration
    /// Root, this daemon's own uid and the `--peer-user` users: who may connect to this daemon's socket.
    public let allowedPeerUIDs: Set<uid_t>
    /// The roles a peer may claim in its hello, by uid: a `--peer-user` (checkd's user, `tandem-checkd`) may
    /// claim only checkd; root and this daemon's own uid may claim any (vrrpd and ipvsd run as root, and a test
    /// runs all three as one user).
    public var rolesOfPeerUID: [uid_t: Set<DaemonRole>] {
        var roles: [uid_t: Set<DaemonRole>] = [:]
        for uid in allowedPeerUIDs where uid != 0 && uid != getuid() { roles[uid] = [.checkd] }
        return roles
    }
    /// For work that blocks the loop for long but advances step by step: keeps systemd's watchdog and
    /// start/stop timeouts from taking it for a hang.
    public let progress: SystemdProgress

    /// The uids another daemon's listener may run as (root and this daemon's own): a client connected to any
    /// other has found an impostor at the socket's name, and sends it nothing.
    public var trustedServerUIDs: Set<uid_t> { MessageListener.trustedListenerUIDs }

    public var socketPath: String { role.socketPath(in: options.runtimeDirectory) }
    public func socketPath(of peer: DaemonRole) -> String { peer.socketPath(in: options.runtimeDirectory) }
}

/// The life of a daemon process: flags, logging, configuration, signals, systemd notification and the watchdog,
/// around the event loop that runs the daemon's own logic.
public enum DaemonMain {
    /// Runs the daemon and returns its exit status.
    public static func run(role: DaemonRole, options: DaemonOptions,
                           makeService: (DaemonContext) throws -> DaemonService) -> Int32 {
        if options.configTest {
            return ConfigCheck.run(role: role, path: options.configFile, configID: options.configID)
        }

        LoggingSetup.bootstrap(identifier: role.name, console: options.logConsole, detail: options.logDetail)
        // Journal entries are written by their own thread: what is queued when the daemon returns goes out first.
        defer { JournalWriter.shared.flush() }
        var logger = Logger(label: "tandem.\(role.name)")
        logger.logLevel = options.logDetail ? .debug : .info
        let notifier = SystemdNotifier()
        let progress = SystemdProgress(notifier: notifier)

        guard let configuration = loadConfiguration(role: role, options: options, logger: logger,
                                                    advanced: progress.advanced) else {
            logger.critical("not starting: \(options.configFile) has errors in the part \(role.name) reads",
                            metadata: ["MESSAGE_ID": "\(MessageID.configError)"])
            return 1
        }

        do {
            // Before anything is bound or connected to in it: a directory others may write is refused. One this
            // daemon cannot even create (checkd, unprivileged, before tmpfiles.d or vrrpd made it) is not fatal:
            // checkd binds nothing there but its control socket, and checks the uid of every server it reaches.
            do {
                try RuntimeDirectory.prepare(options.runtimeDirectory, trustedOwners: MessageListener.trustedListenerUIDs)
            } catch let error as SystemError where error.errno == EACCES || error.errno == EPERM {
                logger.warning("cannot make \(options.runtimeDirectory) (\(error)); its servers are looked for there until it exists")
            }
            let loop = try EventLoop()
            // Bound before the privilege drop: checkd (tandem-checkd) may not create files in /run/tandem, and a
            // bound socket needs no file permission to accept on. Not fatal: the control socket is the operator's
            // view, the daemon's work matters more.
            let control = ControlEndpoint(role: role, options: options, loop: loop, logger: logger)
            let user = try userToRun(role: role, options: options, configuration: configuration)
            if role == .checkd && getuid() == 0 && (user == nil || user == "root") {
                logger.warning("checkd runs as root (\(user == nil ? "script_user root" : "--user root")): every script it runs, runs as root")
            }
            try PrivilegeDrop.apply(role: role, user: user, logger: logger)
            let context = DaemonContext(role: role, options: options, loop: loop, logger: logger,
                                        configuration: configuration,
                                        allowedPeerUIDs: peerUIDs(options.peerUsers, logger: logger),
                                        progress: progress)
            let service = try makeService(context)
            shareSocket(context.socketPath, group: options.socketGroup)
            control.attach(service)

            var stopAsked = false
            let stopSignal = {
                if stopAsked { loop.stop(); return }
                stopAsked = true
                notifier.stopping()
                progress.phase = .stopping
                logger.info("stopping")
                service.prepareToStop { loop.stop() }
            }
            try loop.onSignal(SIGTERM, stopSignal)
            try loop.onSignal(SIGINT, stopSignal)
            let reloader = try Reloader(role: role, options: options, logger: logger, notifier: notifier,
                                        progress: progress, loop: loop, service: service, control: control)
            try loop.onSignal(SIGHUP) { reloader.requested() }
            // Fed from the loop itself, so a stalled loop stops feeding it and systemd restarts us.
            notifier.attachWatchdog(to: loop)
            SocketWatch(role: role, loop: loop, logger: logger, control: control, service: service).start()

            logger.info("started: \(role.summary(of: configuration))", metadata: ["MESSAGE_ID": "\(MessageID.started)"])
            notifier.ready(status: "running: \(role.summary(of: configuration))")
            progress.phase = .running
            try loop.run()

            control.close()
            service.shutdown()
            return 0
        } catch {
            logger.critical("\(role.name) failed: \(error)")
            return 1
        }
    }

    /// Reads the configuration, logging each finding about this daemon's part; nil when that part has errors.
    static func loadConfiguration(role: DaemonRole, options: DaemonOptions, logger: Logger,
                                  advanced: () -> Void) -> KeepalivedConfiguration? {
        let result = ConfigLoader.load(path: options.configFile, configID: options.configID,
                                       host: ConfigCheck.hostFacts, advanced: advanced)
        for finding in result.diagnostics(for: role.configScopes) {
            let metadata: Logger.Metadata = [
                "MESSAGE_ID": "\(MessageID.configError)", "CONFIG_FILE": "\(finding.location.file)",
                "CONFIG_LINE": "\(finding.location.line)",
            ]
            if finding.severity == .error {
                logger.error("\(finding)", metadata: metadata)
            } else {
                logger.warning("\(finding)", metadata: metadata)
            }
        }
        return result.configuration(for: role.configScopes)
    }

    /// checkd keeps root only when told to: by hand as root it becomes tandem-checkd when that user exists, and
    /// without it refuses to start unless `--user root` or global_defs' `script_user root` says to run scripts as
    /// root (keepalived would run them as root with a warning; a script's privilege should be chosen, not fallen into).
    static func userToRun(role: DaemonRole, options: DaemonOptions,
                          configuration: KeepalivedConfiguration) throws -> String? {
        if let user = options.user { return user }
        guard role == .checkd && getuid() == 0 else { return nil }
        if getpwnam("tandem-checkd") != nil { return "tandem-checkd" }
        if configuration.global.scriptUser == "root" { return nil }
        throw DaemonError("checkd was started as root and the user tandem-checkd does not exist: it will not run scripts as root unasked. Give --user USER (an unprivileged user), or --user root (or script_user root in global_defs) to run them as root knowingly")
    }

    /// Gives the daemon's socket to the group checkd is in (tmpfiles.d makes /run/tandem that group's too).
    static func shareSocket(_ path: String, group: String) {
        guard access(path, F_OK) == 0, let entry = getgrnam(group) else { return }
        _ = chown(path, UInt32.max, entry.pointee.gr_gid)
    }

    static func peerUIDs(_ users: [String], logger: Logger) -> Set<uid_t> {
        var uids: Set<uid_t> = [0, getuid()]
        for user in users {
            if let entry = getpwnam(user) {
                uids.insert(entry.pointee.pw_uid)
            } else {
                logger.debug("peer user \(user) does not exist here; ignored")
            }
        }
        return uids
    }
}

/// SIGHUP: keepalived.conf is read on a thread of its own (`BackgroundWork`) and applied on the loop, so reading a
/// large or hostile file never holds the loop (vrrpd's adverts, the watchdog, the sockets). A SIGHUP that comes
/// while a reading runs is taken when that one is done: one more reading then, of the file as it is by then.
final class Reloader {
    private let role: DaemonRole
    private let options: DaemonOptions
    private let logger: Logger
    private let notifier: SystemdNotifier
    private let progress: SystemdProgress
    private let loop: EventLoop
    private unowned let service: any DaemonService
    private let control: ControlEndpoint
    private let reading: BackgroundWork<KeepalivedConfiguration?>
    private var again = false
    private var progressTimer: TimerID?
    private var stepsSeen = 0

    init(role: DaemonRole, options: DaemonOptions, logger: Logger, notifier: SystemdNotifier,
         progress: SystemdProgress, loop: EventLoop, service: any DaemonService, control: ControlEndpoint) throws {
        self.role = role
        self.options = options
        self.logger = logger
        self.notifier = notifier
        self.progress = progress
        self.loop = loop
        self.service = service
        self.control = control
        reading = try BackgroundWork(loop: loop)
    }

    func requested() {
        guard !reading.isRunning else {
            again = true
            return
        }
        notifier.reloading()
        progress.phase = .reloading
        stepsSeen = 0
        let (role, options, logger) = (role, options, logger)
        reading.start({ advanced in
            DaemonMain.loadConfiguration(role: role, options: options, logger: logger, advanced: advanced)
        }, completion: { [unowned self] next in apply(next) })
        watchProgress()
    }

    /// Tells systemd the reload advances while the reading reports steps (a reading stuck on one is not helped).
    private func watchProgress() {
        progressTimer = loop.schedule(after: .seconds(1)) { [unowned self] in
            guard reading.isRunning else { return }
            let steps = reading.stepsDone
            if steps != stepsSeen {
                stepsSeen = steps
                progress.advanced()
            }
            watchProgress()
        }
    }

    private func apply(_ next: KeepalivedConfiguration?) {
        if let progressTimer { loop.cancel(progressTimer) }
        progressTimer = nil
        defer {
            notifier.ready(status: "running")
            progress.phase = .running
            if again {
                again = false
                requested()
            }
        }
        guard let next else {
            logger.error("reload refused: \(options.configFile) has errors; the running configuration stays",
                         metadata: ["MESSAGE_ID": "\(MessageID.configError)"])
            return
        }
        do {
            try service.reload(next)
            control.configurationLoaded()
            logger.info("reloaded \(options.configFile): \(role.summary(of: next))")
        } catch {
            logger.error("reload failed: \(error); the running configuration stays")
        }
    }
}
