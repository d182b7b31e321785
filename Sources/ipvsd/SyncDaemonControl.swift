// The kernel's connection-sync daemon follows the VRRP instance named by `lvs_sync_daemon`:
// master while that instance is MASTER, backup otherwise, so connections survive a failover.
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

    init(kernel: IPVSKernel, settings: LVSSyncDaemon?, logger: Logger) {
        self.kernel = kernel
        self.settings = settings
        self.logger = logger
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
        // The other role may not be running; ESRCH/ENOENT there is the normal case.
        // ipvsadm --stop-daemon backup (the role not wanted)
        do { _ = try kernel.perform(.stopSyncDaemon(other)) } catch let error where error.errno != nil {
        } catch {
            logger.warning("stopping the \(other) sync daemon: \(error)")
        }
        // ipvsadm --start-daemon master --mcast-interface eth0 --syncid 1 (the role wanted)
        do {
            _ = try kernel.perform(.startSyncDaemon(daemon(wanted, settings)))
            role = wanted
            logger.notice("connection sync daemon is now \(wanted) on \(settings.interface) (instance \(instance))",
                          metadata: ["VRRP_INSTANCE": "\(instance)"])
        } catch let error where error.errno == 17 {
            role = wanted  // EEXIST: already running in this role.
        } catch {
            logger.error("starting the \(wanted) sync daemon on \(settings.interface): \(error); retried on the next state change",
                         metadata: ["VRRP_INSTANCE": "\(instance)"])
        }
    }

    private func daemon(_ state: IPVSSyncState, _ s: LVSSyncDaemon) -> IPVSSyncDaemon {
        IPVSSyncDaemon(state: state, interface: s.interface, syncID: UInt32(s.syncID), maxPayload: s.maximumLength,
                       group: s.group, port: s.port, ttl: s.ttl)
    }
}
