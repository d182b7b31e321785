import Wire
import Vocabulary

/// One attempt the scheduler hands out: which checker or script, and of which configuration generation
/// (a result for a checker that a reload replaced is ignored).
public struct HealthTask: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// The `index`-th checker of a real server.
        case check(RealServerID, index: Int)
        /// A vrrp_script by name.
        case script(String)
    }

    public var kind: Kind
    public var generation: UInt64
    /// Where the scheduler keeps the checker's real server, so a result finds it without hashing the id;
    /// checked against `generation`, with a look-up by id when a reload moved it.
    var slot: Int = -1

    public var description: String {
        switch kind {
        case .check(let id, let index): return "check \(index) of \(id)"
        case .script(let name): return "vrrp_script \(name)"
        }
    }
}

/// What the scheduler asks the daemon to do after a result or a reload.
public enum HealthEvent: Hashable, Sendable {
    /// Tell ipvsd: the first verdict on a real server, or a change of it.
    case realServerHealth(RealServerHealth)
    /// Run the real server's notify_up or notify_down: it changed from its previous (or assumed) state.
    case realServerTransition(RealServerID, up: Bool)
    /// Tell vrrpd: the first verdict on a track script, or a change of it.
    case trackScript(name: String, ok: Bool)
}
