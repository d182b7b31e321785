#if canImport(Glibc)
import Glibc
#endif
import Logging
import Platform
import Wire

extension DaemonRole {
    /// The capabilities this daemon needs and keeps; everything else is dropped at start.
    public var capabilities: Set<Capability> {
        switch self {
        case .vrrpd: return [.netAdmin, .netRaw]
        case .ipvsd: return [.netAdmin]
        case .checkd: return []
        }
    }
}

/// Drops what the daemon does not need, whoever started it: under systemd the unit has already narrowed the
/// sets and this confirms it; started by hand as root, this is what takes the privileges away.
enum PrivilegeDrop {
    static func apply(role: DaemonRole, user: String?, logger: Logger) throws {
        let wanted = role.capabilities
        if let user {
            guard let entry = getpwnam(user) else { throw DaemonError("user \(user) does not exist") }
            let uid = entry.pointee.pw_uid, gid = entry.pointee.pw_gid
            if getuid() != uid {
                try Capabilities.dropToUser(uid: uid, gid: gid, keeping: wanted)
                logger.info("running as \(user) (uid \(uid)) with \(describe(Capabilities.effectiveSet()))")
                return
            }
        }
        let permitted = (try? Capabilities.current(.permitted)) ?? []
        let bounding = (try? Capabilities.current(.bounding)) ?? []
        if permitted.isSubset(of: wanted) && (bounding.isSubset(of: wanted) || !permitted.contains(.setpcap)) {
            // Nothing held beyond what is needed (systemd's unit, or an unprivileged start).
            if !wanted.isSubset(of: permitted) {
                logger.warning("started without \(describe(wanted.subtracting(permitted))); \(role.name) needs \(describe(wanted))")
            }
            return
        }
        try Capabilities.restrict(to: wanted.intersection(permitted))
        logger.info("capabilities dropped to \(describe(Capabilities.effectiveSet()))")
    }

    static func describe(_ set: Set<Capability>) -> String {
        set.isEmpty ? "no capabilities" : set.map(\.description).sorted().joined(separator: ", ")
    }
}

struct DaemonError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
