import KeepalivedConfig

/// `lvs_sync_daemon`: the MASTER's kernel sends its connections to the BACKUP's, which accepts only messages of
/// its own sync id on its own group and port. Both nodes must run it, following the same virtual router.
enum SyncDaemonRules {
    static func check(_ pair: inout NodePair, _ matching: InstanceMatching) {
        let subject = "lvs_sync_daemon"
        switch (pair.a.configuration.global.lvsSyncDaemon, pair.b.configuration.global.lvsSyncDaemon) {
        case (nil, nil):
            return
        case (let daemon?, nil):
            pair.report(.warning, .syncDaemonMismatch, subject,
                        "lvs_sync_daemon runs here but not on the other node: connections are synced one way only, and lost on a failover from the other node",
                        at: daemon.location, other: nil)
        case (nil, let daemon?):
            pair.reportOnB(.warning, .syncDaemonMismatch, subject,
                           "lvs_sync_daemon runs here but not on the other node: connections are synced one way only, and lost on a failover from the other node",
                           at: daemon.location, other: nil)
        case (let a?, let b?):
            let followed = matching.counterpartOnB(of: a.vrrpInstance)?.name ?? a.vrrpInstance
            var differences: [String] = []
            if followed != b.vrrpInstance {
                differences.append("it follows vrrp_instance \(a.vrrpInstance) here but \(b.vrrpInstance) there")
            }
            if a.syncID != b.syncID { differences.append("id \(a.syncID) here, \(b.syncID) there") }
            if a.port != b.port { differences.append("port \(text(a.port)) here, \(text(b.port)) there") }
            if a.group != b.group { differences.append("group \(text(a.group)) here, \(text(b.group)) there") }
            guard !differences.isEmpty else { return }
            pair.report(.error, .syncDaemonMismatch, subject,
                        "lvs_sync_daemon differs from the other node's: \(differences.joined(separator: "; ")); the backup's kernel does not take the master's connections",
                        at: a.location, other: b.location)
        }
    }

    private static func text<T>(_ value: T?) -> String { value.map { "\($0)" } ?? "default" }
}
