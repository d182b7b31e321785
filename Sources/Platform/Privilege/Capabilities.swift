import CCap
import CShim
import Glibc

/// Why a capability change failed.
public enum CapabilityError: Error, Sendable, Equatable {
    /// A libcap or system call failed.
    case system(SystemError)
    /// /proc/thread-self/status could not be read or parsed.
    case unreadableStatus
}

/// Dropping privileges at start-up. Capabilities are per thread in Linux: call these in main
/// before any other thread exists, so every later thread inherits the reduced sets.
public enum Capabilities {
    /// Keeps only `kept`: drops every other capability from the bounding, permitted, effective and
    /// inheritable sets, makes the kept ones effective and ambient (so exec'd helpers keep them),
    /// and sets NO_NEW_PRIVS so no setuid binary or file capability can bring anything back.
    public static func restrict(to kept: Set<Capability>) throws(CapabilityError) {
        try dropBounding(except: kept)
        try setProcess(permitted: kept, effective: kept, inheritable: kept)
        try setAmbient(kept)
        try noNewPrivileges()
    }

    /// Becomes `uid`/`gid` with no supplementary groups while keeping `keeping`, in the order that
    /// works: trim to keeping + SETUID/SETGID (+SETPCAP to edit the bounding set later), KEEPCAPS,
    /// setgroups/setgid/setuid, then drop the helpers, raise ambient, set NO_NEW_PRIVS.
    public static func dropToUser(uid: uid_t, gid: gid_t, keeping: Set<Capability>) throws(CapabilityError) {
        let transitional = keeping.union([.setuid, .setgid, .setpcap])
        try dropBounding(except: transitional)
        try setProcess(permitted: transitional, effective: transitional, inheritable: keeping)
        try check(tandem_prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)")
        try check(setgroups(0, nil), "setgroups")
        try check(setgid(gid), "setgid")
        try check(setuid(uid), "setuid")
        // Leaving uid 0 cleared the effective set; permitted survived thanks to KEEPCAPS.
        // SETPCAP must be effective once more to shrink the bounding set.
        try setProcess(permitted: transitional, effective: [.setpcap], inheritable: keeping)
        try dropBounding(except: keeping)
        try setProcess(permitted: keeping, effective: keeping, inheritable: keeping)
        try check(tandem_prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0), "prctl(PR_SET_KEEPCAPS)")
        try setAmbient(keeping)
        try noNewPrivileges()
    }

    /// The calling thread's effective capabilities (CapEff of /proc/thread-self/status).
    public static func effectiveSet() -> Set<Capability> {
        (try? current(.effective)) ?? []
    }

    /// One of the calling thread's capability sets, from /proc/thread-self/status.
    public static func current(_ kind: CapabilitySetKind) throws(CapabilityError) -> Set<Capability> {
        guard let status = readFile("/proc/thread-self/status") else { throw .unreadableStatus }
        for line in status.split(separator: "\n") where line.hasPrefix(kind.rawValue + ":") {
            let hex = line.dropFirst(kind.rawValue.count + 1).filter { !$0.isWhitespace }
            guard let mask = UInt64(hex, radix: 16) else { throw .unreadableStatus }
            return Capability.set(fromMask: mask)
        }
        throw .unreadableStatus
    }

    // MARK: Steps

    private static func dropBounding(except kept: Set<Capability>) throws(CapabilityError) {
        let keptValues = Set(kept.map(\.rawValue))
        // Every capability the kernel knows, including ones newer than our enum.
        for value in 0..<cap_max_bits() where !keptValues.contains(value) {
            // Only drop what is there: dropping needs SETPCAP, which a trimmed process may lack.
            if cap_get_bound(value) == 1 {
                try check(cap_drop_bound(value), "cap_drop_bound(\(value))")
            }
        }
    }

    private static func setProcess(permitted: Set<Capability>, effective: Set<Capability>,
                                   inheritable: Set<Capability>) throws(CapabilityError) {
        guard let caps = cap_init() else { throw .system(.current("cap_init")) }
        defer { cap_free(UnsafeMutableRawPointer(caps)) }
        for (flag, set) in [(CAP_PERMITTED, permitted), (CAP_EFFECTIVE, effective), (CAP_INHERITABLE, inheritable)]
        where !set.isEmpty {
            let values = set.map(\.rawValue)
            try check(cap_set_flag(caps, flag, Int32(values.count), values, CAP_SET), "cap_set_flag")
        }
        try check(cap_set_proc(caps), "cap_set_proc")
    }

    private static func setAmbient(_ kept: Set<Capability>) throws(CapabilityError) {
        try check(cap_reset_ambient(), "cap_reset_ambient")
        for capability in kept.sorted(by: { $0.rawValue < $1.rawValue }) {
            try check(cap_set_ambient(capability.rawValue, CAP_SET), "cap_set_ambient(\(capability))")
        }
    }

    private static func noNewPrivileges() throws(CapabilityError) {
        try check(tandem_prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
    }

    private static func check(_ result: Int32, _ call: @autoclosure () -> String) throws(CapabilityError) {
        if result != 0 { throw .system(SystemError.current(call())) }
    }
}

/// The whole content of a small file (e.g. under /proc), nil when it cannot be read.
func readFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var content: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
        let count = retryingOnInterrupt { chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) } }
        if count < 0 { return nil }
        if count == 0 { break }
        content += chunk[0..<count]
    }
    return String(decoding: content, as: UTF8.self)
}
