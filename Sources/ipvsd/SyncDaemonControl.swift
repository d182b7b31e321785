// The kernel's connection-sync daemon follows the VRRP instance named by `lvs_sync_daemon`:
// master while that instance is MASTER, backup otherwise, so connections survive a failover.
// On a change the new role starts first and the old one stops `overlap` later (the kernel runs both at once):
// during a planned handover the old master keeps its VIPs a moment and still takes new connections, which its
// master daemon must still sync and the new master's backup daemon must still receive. keepalived stops the old
// role first, so connections opened in that moment are lost on the next hop.
import IPVS
import KeepalivedConfig
import Logging
import Wire
import Vocabulary

/// Starts and stops the kernel's sync daemons as the tracked instance changes state.
final class SyncDaemonControl {
    private let kernel: IPVSKernel
    private let logger: Logger
    private(set) var settings: LVSSyncDaemon?
    /// The role last set successfully; nil before the first state report.
    private(set) var role: IPVSSyncState?
    private let overlap: Duration
    private let schedule: (Duration, @escaping () -> Void) -> Void

    /// `schedule` runs the old role's stop `overlap` later (the event loop's timer; at once by default, in tests).
    init(kernel: IPVSKernel, settings: LVSSyncDaemon?, logger: Logger, overlap: Duration = .seconds(5),
         schedule: @escaping (Duration, @escaping () -> Void) -> Void = { _, body in body() }) {
        self.kernel = kernel
        self.settings = settings
        self.logger = logger
        self.overlap = overlap
        self.schedule = schedule
    }

    /// Takes a reloaded `lvs_sync_daemon`; a changed one is restarted on the next state report.
    func update(_ newSettings: LVSSyncDaemon?) {
        if newSettings != settings { role = nil }
        settings = newSettings
    }

    /// Reacts to vrrpd's report about `instance`.
    func instance(_ instance: String, isNow state: InstanceStateKind) {
        guard let settings, settings.vrrpInstance == instance else { return }
        let wanted: IPVSSyncState
        switch state {
        case .master: wanted = .master
        case .backup, .fault: wanted = .backup
        case .initialize, .stop: return
        }
        guard wanted != role else { return }
        let other: IPVSSyncState = wanted == .master ? .backup : .master
        // ipvsadm --start-daemon master --mcast-interface eth0 --syncid 1 (the role wanted)
        do {
            _ = try kernel.perform(.startSyncDaemon(daemon(wanted, settings)))
            role = wanted
            logger.notice("connection sync daemon is now \(wanted) on \(settings.interface) (instance \(instance)); the \(other) one stops in \(overlap)",
                          metadata: ["VRRP_INSTANCE": "\(instance)"])
        } catch let error where error.errno == 17 {
            role = wanted  // EEXIST: already running in this role.
        } catch {
            logger.error("starting the \(wanted) sync daemon on \(settings.interface): \(error); retried on the next state change",
                         metadata: ["VRRP_INSTANCE": "\(instance)"])
            return
        }
        schedule(overlap) { [weak self] in
            // Flipped back meanwhile: the other role is the wanted one again, and stays.
            guard let self, self.role == wanted else { return }
            self.stop(other)
        }
    }

    /// ipvsadm --stop-daemon backup (the role not wanted). It may not be running; ESRCH/ENOENT is the normal case.
    private func stop(_ state: IPVSSyncState) {
        do { _ = try kernel.perform(.stopSyncDaemon(state)) } catch let error where error.errno != nil {
        } catch {
            logger.warning("stopping the \(state) sync daemon: \(error)")
        }
    }

    private func daemon(_ state: IPVSSyncState, _ s: LVSSyncDaemon) -> IPVSSyncDaemon {
        IPVSSyncDaemon(state: state, interface: s.interface, syncID: UInt32(s.syncID), maxPayload: s.maximumLength,
                       group: s.group, port: s.port, ttl: s.ttl)
    }
}
