#if canImport(Glibc)
import Glibc
#endif
import Control
import DaemonKit
import IPVS
import KeepalivedConfig
import Logging
import Platform
import Wire

/// ipvsd's logic: keeps the kernel's IPVS table equal to the configuration and checkd's health verdicts,
/// and the connection-sync daemon in step with vrrpd's instance states.
final class IPVSDaemonService: DaemonService {
    var peerConnections: [DaemonRole: Bool] {
        let roles = Set((listener?.connections ?? []).compactMap(\.peerRole))
        return [.vrrpd: roles.contains(.vrrpd), .checkd: roles.contains(.checkd)]
    }

    private let context: DaemonContext
    private var logger: Logger { context.logger }
    private(set) var listener: MessageListener?
    let keeper: TableKeeper
    private let sync: SyncDaemonControl
    private var flushOnStop: Bool
    /// A reconcile is scheduled on the loop; health bursts (checkd's snapshot) coalesce into one.
    private var reconcilePending = false
    /// The checkd connections already sent the quorum view that answers their snapshot.
    private var quorumSnapshotSent: Set<ObjectIdentifier> = []
    /// What each vrrpd connection has been told of the pools' quorum (tandem_announce follows it there).
    private var quorumToldVrrpd: [ObjectIdentifier: [String: Bool]] = [:]
    /// How often the table is compared with the kernel even when nothing was reported
    /// (so a change made behind ipvsd's back with ipvsadm is undone).
    static let period: Duration = .seconds(10)
    /// A reconcile blocks the loop while it reads the whole table (seconds, for thousands of services: see
    /// bench/results/ipvs.md): the next periodic one waits at least this many times as long as the last took.
    static let periodPerReconcileTime = 5
    /// What checkd has been told of each pool's quorum (it runs quorum_up/quorum_down: ipvsd runs no scripts,
    /// so none inherits its CAP_NET_ADMIN), kept in the runtime directory across ipvsd's restarts.
    private var announcedQuorum: QuorumAnnouncements

    /// `openKernel` gives the kernel's IPVS family: over generic netlink, unless a test gives a fake.
    init(_ context: DaemonContext,
         openKernel: (Logger) throws -> IPVSKernel = { logger in try KernelConnection.open(logger: logger) }) throws {
        self.context = context
        let kernel = try openKernel(context.logger)
        kernel.onProgress = { [progress = context.progress] in progress.advanced() }
        announcedQuorum = QuorumAnnouncements(path: context.options.runtimeDirectory + "/ipvsd.quorum")
        keeper = TableKeeper(kernel: kernel, configuration: context.configuration,
                             runtimeDirectory: context.options.runtimeDirectory,
                             announcedQuorum: announcedQuorum.announced, logger: context.logger)
        let loop = context.loop
        sync = SyncDaemonControl(kernel: kernel, settings: context.configuration.global.lvsSyncDaemon,
                                 logger: context.logger, schedule: { delay, body in _ = loop.schedule(after: delay, body) })
        flushOnStop = context.configuration.global.lvsFlushOnStop
    }

    func start() throws {
        ConnectionTimeouts.apply(context.configuration.global.lvsTimeouts, to: keeper.kernel, logger: logger)
        keeper.reconcile(reason: "start")
        schedulePeriodicReconcile()
        listener = try MessageListener(
            path: context.socketPath, allowedUIDs: context.allowedPeerUIDs, rolesOfUID: context.rolesOfPeerUID,
            loop: context.loop, logger: logger,
            onMessage: { [unowned self] connection, message in receive(message, from: connection) },
            onDisconnect: { [unowned self] connection in
                announcedQuorum.forget(connection)
                quorumSnapshotSent.remove(ObjectIdentifier(connection))
                quorumToldVrrpd[ObjectIdentifier(connection)] = nil
                logger.info("peer \(connection.peerRole?.name ?? "unknown") disconnected; the table stays as it is")
            })
    }

    private func schedulePeriodicReconcile(lastTook: Duration = .zero) {
        let delay = max(Self.period, lastTook * Self.periodPerReconcileTime)
        context.loop.schedule(after: delay) { [unowned self] in
            let clock = ContinuousClock()
            let began = clock.now
            keeper.reconcile(reason: "periodic")
            announceQuorumChanges()
            schedulePeriodicReconcile(lastTook: clock.now - began)
        }
    }

    private func reconcileSoon() {
        guard !reconcilePending else { return }
        reconcilePending = true
        context.loop.schedule(after: .zero) { [unowned self] in
            reconcileHealthNow()
            announceQuorumChanges()
        }
    }

    /// Applies the health reported since the last reconcile, if that reconcile is still pending.
    private func reconcileHealthNow() {
        guard reconcilePending else { return }
        reconcilePending = false
        keeper.reconcileHealthChanges()
    }

    /// Tells every checkd whose snapshot is in about pools whose quorum changed since the last announcement.
    /// At the first start after boot nothing was announced, so every pool's state goes out as a change and checkd
    /// runs quorum_up (or quorum_down) as keepalived does at its start; after a restart of ipvsd only what
    /// changed meanwhile does. A pool whose quorum rests on provisional verdicts waits until checkd has reported
    /// on each of its servers: a script must not run for a state checkd's own checks have not confirmed.
    private func announceQuorumChanges() {
        tellVrrpdQuorum()
        guard announcedQuorum.hasListeners else { return }
        let changes = announcedQuorum.changes(to: keeper.quorumUp, holdingBack: keeper.unsettledPools)
        if !changes.isEmpty && !announcedQuorum.save() {
            logger.warning("could not write \(announcedQuorum.path); after a restart quorum scripts may run again")
        }
        for connection in listener?.connections ?? [] where announcedQuorum.isSynchronized(connection) {
            for (name, up) in changes { send(.quorum(virtualServer: name, up: up), to: connection) }
        }
    }

    /// vrrpd hears every pool's quorum as it is now (tandem_announce publishes an address only while the pools on
    /// it have quorum), without checkd's script bookkeeping: the first time on a connection as a snapshot, then
    /// each change. A pool resting on provisional verdicts is left out until checkd has confirmed them, so a
    /// restarted ipvsd does not withdraw an address on health it has not heard yet; vrrpd keeps the last view.
    private func tellVrrpdQuorum(_ only: MessageConnection? = nil) {
        let settled = keeper.quorumUp.filter { !keeper.unsettledPools.contains($0.key) }
        for connection in listener?.connections ?? [] where connection.peerRole == .vrrpd {
            if let only, connection !== only { continue }
            let key = ObjectIdentifier(connection)
            guard let told = quorumToldVrrpd[key] else {
                if only == nil { continue }  // not introduced yet: its hello brings the snapshot
                send(.hello(role: .ipvsd, pid: getpid()), to: connection)
                send(.snapshotBegin, to: connection)
                for (name, up) in settled.sorted(by: { $0.key < $1.key }) {
                    send(.quorum(virtualServer: name, up: up), to: connection)
                }
                send(.snapshotEnd, to: connection)
                quorumToldVrrpd[key] = settled
                continue
            }
            let changed = settled.filter { told[$0.key] != $0.value }.sorted { $0.key < $1.key }
            for (name, up) in changed { send(.quorum(virtualServer: name, up: up), to: connection) }
            if !changed.isEmpty { quorumToldVrrpd[key] = told.merging(settled) { _, new in new } }
        }
    }

    /// After a checkd's health snapshot: what checkd has already been told, as a snapshot (checkd takes a state
    /// first learned in a snapshot as its baseline and runs no script for it), then what that health changed.
    private func sendQuorumSnapshot(to connection: MessageConnection) {
        reconcileHealthNow()
        announcedQuorum.synchronized(connection)
        send(.hello(role: .ipvsd, pid: getpid()), to: connection)
        send(.snapshotBegin, to: connection)
        for (name, up) in announcedQuorum.announced.sorted(by: { $0.key < $1.key }) {
            send(.quorum(virtualServer: name, up: up), to: connection)
        }
        send(.snapshotEnd, to: connection)
        announceQuorumChanges()
    }

    private func send(_ message: WireMessage, to connection: MessageConnection) {
        do { try connection.send(message) } catch {
            logger.warning("could not tell \(connection.peerRole?.name ?? "a peer") \(message): \(error)")
        }
    }

    /// The connection has already refused what its sender may not send: health only from checkd, instance
    /// states only from vrrpd (`WireMessage.expectedSenders`).
    private func receive(_ message: WireMessage, from connection: MessageConnection) {
        switch message {
        case .hello(let role, let pid):
            logger.peerConnected(role, pid: pid, on: connection)
            if role == .vrrpd && quorumToldVrrpd[ObjectIdentifier(connection)] == nil {
                reconcileHealthNow()
                tellVrrpdQuorum(connection)
            }
        case .realServerHealth(let report):
            if keeper.record(report) {
                logger.info("real server \(report.id) is \(report.up ? "up" : "down") (weight \(report.weight))",
                            metadata: ["MESSAGE_ID": "\(MessageID.realServerChange)", "REAL_SERVER": "\(report.id)"])
                reconcileSoon()
            }
        case .instanceState(let name, let state, _):
            sync.instance(name, isNow: state)
        case .snapshotEnd where connection.peerRole == .checkd:
            // checkd sends one snapshot per connection; answering each snapshotEnd would let a peer make ipvsd
            // repeat its quorum view at will.
            if quorumSnapshotSent.insert(ObjectIdentifier(connection)).inserted { sendQuorumSnapshot(to: connection) }
        case .snapshotBegin, .snapshotEnd, .trackScript, .quorum:
            break
        }
    }

    /// ipvsd's part of `tandemctl status`: one dump of the kernel's table with its counters (and of the sync
    /// daemons when lvs_sync_daemon is configured), set beside TableKeeper's state by `virtualServerStatuses`.
    /// The dump blocks the loop as a reconcile's does (every answer received tells systemd the daemon advances).
    func describe(into status: inout DaemonStatus) {
        let kernel = keeper.kernel
        let clock = ContinuousClock()
        let began = clock.now
        var entries: [IPVSKernelService]?
        var errors: [String] = []
        do { entries = try kernel.dumpTableWithCounters() } catch {
            errors.append("cannot read the kernel's IPVS table: \(error)")
        }
        var daemons: [IPVSSyncDaemon]?
        if sync.settings != nil {
            do { daemons = try kernel.dumpSyncDaemons() } catch {
                errors.append("cannot read the kernel's sync daemons: \(error)")
            }
        }
        let dumped = clock.now
        kernel.onProgress()
        status.virtualServers = virtualServerStatuses(pools: keeper.pools.pools, health: keeper.health,
                                                      provisional: keeper.provisional, quorumUp: keeper.quorumUp,
                                                      kernel: entries)
        status.kernelError = errors.isEmpty ? nil : errors.joined(separator: "; ")
        status.syncDaemon = syncDaemonStatus(sync.settings, running: daemons)
        kernel.onProgress()
        lastStatusTook = (dump: dumped - began, total: clock.now - began)
        logger.debug("status: \(entries?.count ?? 0) kernel service(s) read in \(lastStatusTook.dump), answer built in \(lastStatusTook.total)")
    }

    /// How long the last status answer took: reading the kernel, and in all (for tests and the debug log).
    private(set) var lastStatusTook: (dump: Duration, total: Duration) = (.zero, .zero)

    func reload(_ configuration: KeepalivedConfiguration) throws {
        keeper.update(configuration)
        sync.update(configuration.global.lvsSyncDaemon)
        flushOnStop = configuration.global.lvsFlushOnStop
        ConnectionTimeouts.apply(configuration.global.lvsTimeouts, to: keeper.kernel, logger: logger)
        keeper.reconcile(reason: "reload", usingKnownView: true)
        announceQuorumChanges()
    }

    func rebindRemovedSockets() throws -> [String] {
        guard let listener else { return [] }
        return try listener.rebindIfRemoved() ? [listener.path] : []
    }

    func shutdown() {
        listener?.close()
        // The table stays by default: traffic keeps flowing while ipvsd restarts.
        if flushOnStop { keeper.removeManagedServices() }
    }
}
