import Glibc
import KeepalivedConfig
import Logging
import Platform
import Wire
import Vocabulary

/// The checks of a configuration running on one event loop: the pure `HealthScheduler` decides, this class
/// runs the attempts (sockets, TLS, processes) and hands the resulting events to `onEvents`.
public final class HealthMonitor {
    private let loop: EventLoop
    private let logger: Logger
    private var scheduler: HealthScheduler
    private let onEvents: ([HealthEvent]) -> Void
    private let tlsContexts = TLSContexts()
    /// Runs MISC_CHECK programs and track scripts; notify scripts may use it too.
    public let runner: ProcessRunner
    /// Attempts in flight, by identity (cheaper to hash than a task).
    private var probes: [ObjectIdentifier: Probe] = [:]
    private let receiveBuffer = ReceiveBuffer()
    private var timer: TimerID?
    /// The files FILE_CHECKs follow (made at start: it calls back into the monitor).
    private var fileWatch: TrackedFileWatch?
    /// Open while some virtual server has ha_suspend: the node's address changes.
    private var addressMonitor: AddressMonitor?
    private var armedDeadline: MonotonicInstant?
    /// The due tasks of a turn, kept between turns so taking them allocates nothing.
    private var dueTasks: [HealthTask] = []
    /// Made once: re-arming the timer, which most results and turns do, allocates no closure.
    private lazy var onTimer: () -> Void = { [weak self] in
        guard let self else { return }
        timer = nil
        armedDeadline = nil
        tick()
    }
    private var stopped = false

    /// Attempts finished so far (checks and scripts), for status and benchmarks.
    public private(set) var completedAttempts = 0

    /// A monitor of `configuration`'s real servers and tracked vrrp_scripts; nothing runs before `start()`.
    public init(configuration: KeepalivedConfiguration, loop: EventLoop, logger: Logger,
                random: @escaping () -> Double = { Double.random(in: 0...1) },
                onEvents: @escaping ([HealthEvent]) -> Void) {
        self.loop = loop
        self.logger = logger
        self.onEvents = onEvents
        runner = ProcessRunner(loop: loop)
        scheduler = HealthScheduler(configuration: configuration, now: loop.now, random: random)
        // A backend closing mid-write must not kill the process (OpenSSL writes with plain write(2)).
        signal(SIGPIPE, SIG_IGN)
    }

    public func start() {
        stopped = false
        followLocalAddressesIfNeeded()
        TrackedFileWatch.initialise(scheduler.configuration.trackFiles, logger: logger)
        let watch = TrackedFileWatch(loop: loop, logger: logger) { [unowned self] path, value in
            trackedFileChanged(path, value: value)
        }
        fileWatch = watch
        watch.follow(scheduler.trackedFilePaths)
        rearm()
    }

    /// The verdicts known now, for a snapshot.
    public var realServerView: [RealServerHealth] { scheduler.realServerView }
    /// The checkers and scripts as the operator's status shows them, and the loop's clock to date them by.
    public var realServerViews: [HealthScheduler.RealServerView] { scheduler.realServerViews }
    public var scriptViews: [HealthScheduler.ScriptView] { scheduler.scriptViews }
    public var now: MonotonicInstant { loop.now }
    /// The track-script results known now, for a snapshot.
    public var trackScriptView: [String: Bool] { scheduler.trackScriptView }
    /// The number of checkers, of the probes they share, and of scripts being run.
    public var summary: (realServers: Int, checkers: Int, probes: Int, scripts: Int) {
        (scheduler.checkedServerCount, scheduler.checkerCount, scheduler.probeCount, scheduler.scriptNames.count)
    }
    /// Attempts in flight right now.
    public var runningAttempts: Int { probes.count + runner.runningCount }
    /// notify_up / notify_down of a real server.
    public func notifyCommand(of id: RealServerID, up: Bool) -> ScriptCommand? {
        scheduler.notifyCommand(of: id, up: up)
    }

    /// Applies a reloaded configuration (see `HealthScheduler.reload`).
    public func reload(_ configuration: KeepalivedConfiguration) {
        let events = scheduler.reload(configuration, now: loop.now)
        if !events.isEmpty { onEvents(events) }
        if !stopped {
            followLocalAddressesIfNeeded()
            fileWatch?.follow(scheduler.trackedFilePaths)
        }
        rearm()
    }

    /// Stops every attempt and timer; kills running scripts.
    public func shutdown() {
        stopped = true
        if let timer { loop.cancel(timer) }
        timer = nil
        addressMonitor?.fd.close()
        addressMonitor = nil
        fileWatch?.stop()
        fileWatch = nil
        for probe in probes.values { probe.cancel() }
        probes = [:]
        runner.killAll()
    }

    // MARK: FILE_CHECK

    private func trackedFileChanged(_ path: String, value: Int64) {
        guard !stopped else { return }
        let events = scheduler.trackedFileChanged(path, value: value, now: loop.now)
        logHealth(events, after: .failure("\(path) holds \(value)"), check: "FILE_CHECK")
        if !events.isEmpty { onEvents(events) }
    }

    // MARK: ha_suspend

    /// Watches the node's addresses while ha_suspend needs them, and tells the scheduler what they are now.
    private func followLocalAddressesIfNeeded() {
        guard scheduler.needsLocalAddresses else {
            addressMonitor?.fd.close()
            addressMonitor = nil
            return
        }
        let opening = addressMonitor == nil
        if opening {
            do {
                let monitor = try AddressMonitor()
                try loop.watchReadable(monitor.fd) { [weak self] in
                    guard let self, monitor.drain() else { return }
                    readLocalAddresses()
                }
                addressMonitor = monitor
            } catch {
                logger.error("ha_suspend: cannot follow this node's addresses (\(error)); checks of virtual servers with ha_suspend stay suspended")
            }
        }
        readLocalAddresses(logging: !opening)
        if opening {
            for server in scheduler.suspendedVirtualServers {
                logger.info("virtual_server \(server): its address is not on this node, so its checks are suspended (ha_suspend)")
            }
        }
    }

    private func readLocalAddresses(logging: Bool = true) {
        let addresses = Set(NetworkInterface.allAddresses().compactMap { IPAddress(bytes: $0) })
        for (server, suspended) in scheduler.setLocalAddresses(addresses) where logging {
            logger.info(suspended
                ? "virtual_server \(server): its address is not on this node, so its checks are suspended (ha_suspend)"
                : "virtual_server \(server): its address is on this node, so its checks resume (ha_suspend)")
        }
        rearm()
    }

    // MARK: Running attempts

    private func rearm() {
        guard !stopped else { return }
        let deadline = scheduler.nextDeadline()
        guard deadline != armedDeadline || timer == nil else { return }
        if let timer { loop.cancel(timer) }
        timer = nil
        armedDeadline = deadline
        guard let deadline else { return }
        timer = loop.schedule(at: deadline, onTimer)
    }

    /// At most this many attempts start per turn of the loop; the rest start on the next turns, after the loop
    /// has handled up to 64 ready sockets. Starting every due check at once let a stall (the first round's log
    /// lines) gather thousands of checks into one burst that stayed a burst: all started together, finished
    /// together and were due again together, with thousands of sockets open at once and every check late
    /// (bench/results/checkd.md). Interleaving starts with results spreads such a burst out again.
    static let launchesPerTurn = 64

    private func tick() {
        var due = dueTasks
        dueTasks = []
        due.removeAll(keepingCapacity: true)
        scheduler.takeDue(now: loop.now, limit: Self.launchesPerTurn, into: &due)
        for task in due { launch(task) }
        dueTasks = due
        rearm()
    }

    /// Reads the scheduler where it is stored. A non-mutating method called on the stored struct
    /// (`scheduler.plan(for:)`) first copies all of it, a retain of each of its arrays and dictionaries and a
    /// release after, since the property could change during the call; through an exclusive (inout) access the
    /// method reads it in place. For the queries every attempt makes.
    private func inPlace<T>(_ body: (inout HealthScheduler) -> T) -> T { body(&scheduler) }

    private func launch(_ task: HealthTask) {
        let started = loop.now
        if case .script = task.kind, let script = inPlace({ $0.script(for: task) }) {
            guard let command = script.command else { return complete(task, .failure("no script")) }
            runner.run(command.arguments, timeout: script.effectiveTimeout) { [weak self] exit in
                self?.complete(task, exit == .exited(0) ? .success : .failure("\(exit)"), startedAt: started)
            }
            return
        }
        if let plan = inPlace({ $0.plan(for: task) }) { return probe(task, plan, startedAt: started) }
        guard let (check, _, timing) = inPlace({ $0.checker(for: task) }) else { return }
        switch check.kind {
        case .tcp, .http, .ssl, .udp, .dns, .smtp, .ping:
            return  // they have a plan
        case .file:
            return  // never due: the file's changes set it (trackedFileChanged)
        case .misc(let command, _, let dynamic):
            guard let command else { return complete(task, .failure("no misc_path")) }
            let timeout = inPlace({ $0.miscTimeout(for: task) }) ?? timing.delayLoop
            runner.run(command.arguments, timeout: timeout) { [weak self] exit in
                if case .failedToStart(let reason) = exit {
                    self?.logger.warning("\(task): '\(command.text)' could not start (\(reason)); counted as exit status 0, as keepalived does")
                }
                self?.complete(task, .misc(MiscCheckEnd(exit, dynamic: dynamic)), startedAt: started)
            }
        }
    }

    private func probe(_ task: HealthTask, _ plan: ProbePlan, startedAt: MonotonicInstant) {
        let probe: Probe = plan.isDatagram
            ? DatagramProbe(loop: loop, plan: plan, buffer: receiveBuffer) { _ in }
            : NetworkProbe(loop: loop, plan: plan, tlsContexts: tlsContexts, buffer: receiveBuffer) { _ in }
        let key = ObjectIdentifier(probe)
        probe.onCompletion { [unowned self] outcome in
            probes[key] = nil
            complete(task, outcome, startedAt: startedAt)
        }
        probes[key] = probe
        probe.start()
    }

    private func complete(_ task: HealthTask, _ outcome: CheckOutcome, startedAt: MonotonicInstant? = nil) {
        guard !stopped else { return }
        completedAttempts += 1
        if let reason = outcome.failureReason {
            if inPlace({ $0.logsFailure(of: task) }), let (check, target, _) = inPlace({ $0.checker(for: task) }) {
                logger.info("\(check.name) of \(target.address):\(target.port) for \(task) failed: \(reason)",
                            metadata: ["CHECK": "\(check.name)", "REASON": "\(reason)"])
            } else {
                logger.debug("\(task) failed: \(reason)")
            }
        }
        let events = scheduler.complete(task, outcome, now: loop.now, startedAt: startedAt)
        // Most results change nothing: the check's name is looked up only for a line that will be written.
        guard !events.isEmpty else { return rearm() }
        let check = inPlace { $0.checkName(for: task) }
        logHealth(events, after: outcome, check: check)
        for event in events {
            if case .realServerHealth = event { continue }
            log(event, after: outcome, check: check)
        }
        onEvents(events)
        rearm()
    }

    /// One journal line per real server and verdict: a group's real server has a message per service, and a
    /// shared probe one per virtual server that lists the server.
    private func logHealth(_ events: [HealthEvent], after outcome: CheckOutcome, check: String?) {
        var order: [String] = []
        var byServer: [String: (first: HealthEvent, count: Int)] = [:]
        for event in events {
            guard case .realServerHealth(let health) = event else { continue }
            let key = "\(health.id.realAddress) \(health.id.realPort) \(health.up) \(health.weight)"
            if let seen = byServer[key] {
                byServer[key] = (seen.first, seen.count + 1)
            } else {
                order.append(key)
                byServer[key] = (event, 1)
            }
        }
        for key in order {
            let (first, count) = byServer[key]!
            log(first, after: outcome, check: check, otherServices: count - 1)
        }
    }

    private func log(_ event: HealthEvent, after outcome: CheckOutcome, check: String?, otherServices: Int = 0) {
        switch event {
        case .realServerHealth(let health):
            var metadata: Logger.Metadata = [
                "VIRTUAL_SERVER": "\(health.id.virtualService)",
                "REAL_SERVER": "\(health.id.realAddress):\(health.id.realPort)",
                "RS_STATE": "\(health.up ? "UP" : "DOWN")", "WEIGHT": "\(health.weight)",
                "MESSAGE_ID": "\(MessageID.realServerChange)",
            ]
            if let check { metadata["CHECK"] = "\(check)" }
            if let reason = outcome.failureReason { metadata["REASON"] = "\(reason)" }
            let others = otherServices > 0 ? ", and in \(otherServices) more services" : ""
            logger.notice("real server \(health.id) is \(health.up ? "up" : "down") (weight \(health.weight))\(others)",
                          metadata: metadata)
        case .trackScript(let name, let ok):
            var metadata: Logger.Metadata = ["VRRP_SCRIPT": "\(name)", "SCRIPT_STATE": "\(ok ? "OK" : "FAILED")",
                                             "MESSAGE_ID": "\(MessageID.trackScriptChange)"]
            if let reason = outcome.failureReason { metadata["REASON"] = "\(reason)" }
            logger.notice("vrrp_script \(name) is \(ok ? "OK" : "failed")", metadata: metadata)
        case .realServerTransition:
            break
        }
    }
}
