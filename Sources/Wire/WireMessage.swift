// The messages the three daemons exchange (DESIGN.md "Messages"). Identities are stable across
// reloads: a real server by (protocol, VIP or fwmark, port, RIP, RPORT), an instance by its name.

import Vocabulary

/// Which daemon is speaking; sent in `hello`.
public enum DaemonRole: UInt8, Sendable, CaseIterable {
    case vrrpd = 1
    case ipvsd = 2
    case checkd = 3
}

/// A VRRP instance's state as other daemons need it (notify scripts, the IPVS sync daemon).
public enum InstanceStateKind: UInt8, Sendable, CaseIterable {
    case initialize = 0
    case backup = 1
    case master = 2
    case fault = 3
    case stop = 4
}

/// checkd's verdict on one real server.
public struct RealServerHealth: Hashable, Sendable {
    public var id: RealServerID
    /// True when its checks pass.
    public var up: Bool
    /// The weight ipvsd should give it (keepalived's `weight`, possibly changed by MISC_CHECK).
    public var weight: Int32

    /// A health verdict for `id`.
    public init(id: RealServerID, up: Bool, weight: Int32) {
        self.id = id
        self.up = up
        self.weight = weight
    }
}

/// One datagram between two daemons.
public enum WireMessage: Hashable, Sendable {
    /// The first message on a connection: who is speaking.
    case hello(role: DaemonRole, pid: Int32)
    /// checkd → ipvsd: a real server went up or down, or changed weight.
    case realServerHealth(RealServerHealth)
    /// checkd → vrrpd: a vrrp_script's result.
    case trackScript(name: String, ok: Bool)
    /// vrrpd → ipvsd, checkd: an instance's state.
    case instanceState(name: String, state: InstanceStateKind, priority: UInt8)
    /// ipvsd → checkd: a virtual server's quorum state (named as in ipvsd's logs, "TCP 192.0.2.1:80"), on
    /// a change and in every snapshot; checkd runs its quorum_up/quorum_down.
    case quorum(virtualServer: String, up: Bool)
    /// Opens a sender's full current view, sent on every (re)connect.
    case snapshotBegin
    /// Closes the full view opened by `snapshotBegin`.
    case snapshotEnd
}

extension WireMessage {
    /// The daemons that may send this message; a receiver drops it from anyone else
    /// (e.g. only checkd reports health, only vrrpd reports instance state).
    public var expectedSenders: Set<DaemonRole> {
        switch self {
        case .hello, .snapshotBegin, .snapshotEnd: return Set(DaemonRole.allCases)
        case .realServerHealth, .trackScript: return [.checkd]
        case .instanceState: return [.vrrpd]
        case .quorum: return [.ipvsd]
        }
    }
}
