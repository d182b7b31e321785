import KeepalivedConfig

/// Which quorum_up / quorum_down script a quorum report from ipvsd calls for, as keepalived runs them: the
/// virtual server's script, as written, when its pool gains or loses quorum.
///
/// ipvsd decides the quorum (it holds the health of every real server and the pool's weights); checkd runs the
/// scripts, unprivileged. A state first learned inside ipvsd's snapshot is the baseline and runs nothing, so a
/// restarted checkd or ipvsd does not repeat a transition that already happened.
public struct QuorumNotifyPlanner {
    private var scripts: [String: (up: ScriptCommand?, down: ScriptCommand?)] = [:]
    private var states: [String: Bool] = [:]

    /// A planner for `configuration`'s virtual servers.
    public init(configuration: KeepalivedConfiguration) {
        update(configuration)
    }

    /// Takes a reloaded configuration, keeping the states known so far.
    public mutating func update(_ configuration: KeepalivedConfiguration) {
        scripts = [:]
        for server in configuration.virtualServers where server.quorumUp != nil || server.quorumDown != nil {
            scripts[server.poolName] = (server.quorumUp, server.quorumDown)
        }
    }

    /// The script to run for a report that `virtualServer` (a pool name) has quorum (`up`) or not.
    public mutating func observe(virtualServer: String, up: Bool, inSnapshot: Bool) -> ScriptCommand? {
        let previous = states[virtualServer]
        states[virtualServer] = up
        guard isNotifiedChange(from: previous, to: up, inSnapshot: inSnapshot), let pair = scripts[virtualServer] else {
            return nil
        }
        return up ? pair.up : pair.down
    }
}
