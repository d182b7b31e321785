import KeepalivedConfig
import Wire

extension DaemonRole {
    /// The program name, used for logs, sockets and the journal's SYSLOG_IDENTIFIER.
    public var name: String {
        switch self {
        case .vrrpd: return "vrrpd"
        case .ipvsd: return "ipvsd"
        case .checkd: return "checkd"
        }
    }

    /// The parts of keepalived.conf this daemon reads; errors elsewhere do not stop it.
    public var configScopes: Set<ConfigScope> {
        switch self {
        case .vrrpd: return [.vrrp]
        case .ipvsd: return [.virtualServers]
        case .checkd: return [.vrrp, .virtualServers]
        }
    }

    /// Where this daemon listens for the others' messages (checkd only connects).
    public func socketPath(in runtimeDirectory: String) -> String {
        runtimeDirectory + "/" + name + ".sock"
    }

    /// One line saying what this daemon takes from the configuration.
    public func summary(of config: KeepalivedConfiguration) -> String {
        func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
        let realServers = config.virtualServers.reduce(0) { $0 + $1.realServers.count }
        switch self {
        case .vrrpd:
            let names = config.vrrpInstances.map(\.name).joined(separator: ", ")
            return "\(count(config.vrrpInstances.count, "vrrp_instance"))\(names.isEmpty ? "" : " (\(names))"), "
                + "\(count(config.syncGroups.count, "vrrp_sync_group")), \(count(config.vrrpScripts.count, "vrrp_script"))"
        case .ipvsd:
            return "\(count(config.virtualServers.count, "virtual_server")), \(count(realServers, "real_server"))"
                + (config.virtualServers.contains { $0.sorryServer != nil } ? ", sorry servers" : "")
        case .checkd:
            let checks = config.virtualServers.reduce(0) { $0 + $1.realServers.reduce(0) { $0 + $1.checks.count } }
            return "\(count(checks, "health check")) on \(count(realServers, "real_server")), "
                + "\(count(config.vrrpScripts.count, "vrrp_script"))"
        }
    }
}
