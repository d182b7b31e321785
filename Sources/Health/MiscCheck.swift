import KeepalivedConfig

// keepalived 2.2.7's MISC_CHECK rules, read for behaviour only in check/check_misc.c (misc_check_thread,
// misc_check_child_thread) and lib/notify.c (system_call_script): what a program's end says, and how long it
// may run. What a result does to the checker's state and weight is CheckerState's.

/// How a MISC_CHECK program ended, told apart as keepalived does.
public enum MiscCheckEnd: Hashable, Sendable, CustomStringConvertible {
    /// It exited with `status`; `dynamic` is the checker's misc_dynamic.
    case exited(status: Int32, dynamic: Bool)
    /// A signal ended it, or it was killed at its timeout: a failure that leaves the weight as it was.
    case killed(String)

    /// How the program's end reads. One that could not be started counts as exit status 0: keepalived's child
    /// exits 0 when the exec fails ("script errors aren't server errors"), and disables at start a script it
    /// cannot find, leaving the server up either way.
    public init(_ exit: ProcessExit, dynamic: Bool) {
        switch exit {
        case .exited(let status): self = .exited(status: status, dynamic: dynamic)
        case .signaled, .timedOut: self = .killed("\(exit)")
        case .failedToStart: self = .exited(status: 0, dynamic: dynamic)
        }
    }

    /// Exit status 0 is up; with misc_dynamic 2–255 is up too (and sets the weight to status − 2); any other
    /// status, a signal or the timeout is down.
    public var passed: Bool {
        guard case .exited(let status, let dynamic) = self else { return false }
        return status == 0 || dynamic && (2...255).contains(status)
    }

    /// The weight an exit status sets under misc_dynamic: status − 2, or nil (the configured weight) for 0.
    var dynamicWeight: Int? {
        guard case .exited(let status, true) = self, (2...255).contains(status) else { return nil }
        return Int(status) - 2
    }

    public var description: String {
        switch self {
        case .exited(let status, _): return "exit status \(status)"
        case .killed(let how): return how
        }
    }

    /// How long a MISC_CHECK program may run before it is killed: `misc_timeout`, else the delay_loop of its
    /// virtual server (not the checker's or the real server's: keepalived reads checker->vs->delay_loop), else
    /// keepalived's default delay_loop of 60 s.
    public static func timeout(of check: HealthCheck, in virtualServer: VirtualServer) -> Duration {
        if case .misc(_, let timeout?, _) = check.kind { return timeout }
        return virtualServer.timing.delayLoop ?? .seconds(60)
    }
}
