import Glibc
import Logging
import Platform

/// How a script ended.
public enum ProcessExit: Hashable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)
    /// Still running at its timeout: its whole process group was killed.
    case timedOut
    case failedToStart(String)

    public var description: String {
        switch self {
        case .exited(let status): return "exit status \(status)"
        case .signaled(let signal): return "killed by signal \(signal)"
        case .timedOut: return "timed out (process group killed)"
        case .failedToStart(let reason): return "could not start: \(reason)"
        }
    }
}

/// Runs programs for MISC_CHECK, vrrp_script and notify scripts without blocking the loop.
///
/// Each child gets its argument vector (no shell unless the command names one), a clean environment, stdio on
/// /dev/null, its own process group, an empty signal mask and default dispositions. Its exit is seen through a
/// pidfd on the loop (Linux ≥ 5.3) and reaped with a non-blocking waitpid: unlike SIGCHLD through a signalfd,
/// this does not depend on every thread of the process blocking SIGCHLD. At the timeout the whole group is
/// SIGKILLed, so grandchildren do not outlive it.
public final class ProcessRunner {
    /// The only environment a script gets.
    public static let environment = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]
    private static let searchPath = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]

    private struct Child {
        var pidfd: OwnedDescriptor?
        var timer: TimerID?
        var completion: (ProcessExit) -> Void
        /// Whether what the script left in its process group is killed when it exits.
        var killsLeftovers: Bool
    }

    private let loop: EventLoop
    private var children: [pid_t: Child] = [:]
    private typealias PidfdOpen = @convention(c) (pid_t, UInt32) -> Int32
    private let pidfdOpen: PidfdOpen?

    /// The number of children running now.
    public var runningCount: Int { children.count }

    /// A runner on `loop`.
    public init(loop: EventLoop) {
        self.loop = loop
        // glibc 2.36 has pidfd_open, but Swift's Glibc module does not import <sys/pidfd.h>.
        pidfdOpen = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pidfd_open")
            .map { unsafeBitCast($0, to: PidfdOpen.self) }
    }

    /// Starts `arguments` and calls `completion` on the loop when it ends or at `timeout`; returns its pid.
    ///
    /// With `killingLeftovers` (checks and track scripts, which run again and again), whatever the script left
    /// running in its process group (`cmd &`) is SIGKILLed when it exits, so every run does not leave orphans. A
    /// notify script keeps what it started, as under keepalived (`notify_master "service start"` may background a
    /// process); under systemd the unit's cgroup ends those with checkd. A child that calls setsid() has left the
    /// group: only the cgroup catches it.
    @discardableResult
    public func run(_ arguments: [String], timeout: Duration?, killingLeftovers: Bool = true,
                    completion: @escaping (ProcessExit) -> Void) -> pid_t? {
        guard let program = arguments.first, !program.isEmpty else {
            completion(.failedToStart("empty command"))
            return nil
        }
        guard let path = Self.resolve(program) else {
            completion(.failedToStart("\(program): not found in \(Self.searchPath.joined(separator: ":"))"))
            return nil
        }
        let pid: pid_t
        switch Self.spawn(path: path, arguments: arguments) {
        case .success(let spawned): pid = spawned
        case .failure(let error):
            completion(.failedToStart(error.description))
            return nil
        }
        let number = pidfdOpen?(pid, 0) ?? -1
        let pidfd = number >= 0 ? OwnedDescriptor(adopting: number) : nil
        var child = Child(pidfd: pidfd, timer: nil, completion: completion, killsLeftovers: killingLeftovers)
        if let timeout {
            child.timer = loop.schedule(after: timeout) { [weak self] in self?.expire(pid) }
        }
        children[pid] = child
        if let pidfd {
            do {
                try loop.watchReadable(pidfd) { [weak self] in self?.reap(pid, exited: true) }
            } catch {
                pollForExit(pid)
            }
        } else {
            pollForExit(pid)
        }
        return pid
    }

    /// Without a pidfd: look again every 20 ms (never a blocking wait).
    private func pollForExit(_ pid: pid_t) {
        loop.schedule(after: .milliseconds(20)) { [weak self] in
            guard let self, children[pid] != nil else { return }
            if !reap(pid) { pollForExit(pid) }
        }
    }

    /// Reaps `pid` if it has ended; true when it did. `exited`: its pidfd said so, and it is a zombie not yet
    /// reaped, which keeps its pid (and so its process group's id) from being reused: the moment to kill what it
    /// left in the group. Without a pidfd that happens right after the reap.
    @discardableResult
    private func reap(_ pid: pid_t, exited: Bool = false) -> Bool {
        let killsLeftovers = children[pid]?.killsLeftovers ?? false
        if exited && killsLeftovers { kill(-pid, SIGKILL) }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid else {
            if result < 0 && errno == ECHILD { end(pid, .failedToStart("child vanished")) }
            return result < 0
        }
        if !exited && killsLeftovers { kill(-pid, SIGKILL) }
        // WIFEXITED/WEXITSTATUS are macros: decode the wait status by hand.
        let signal = status & 0x7f
        end(pid, signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal))
        return true
    }

    private func expire(_ pid: pid_t) {
        guard children[pid] != nil else { return }
        children[pid]?.timer = nil
        kill(-pid, SIGKILL)
        kill(pid, SIGKILL)
        // The kill is immediate but the exit is not: reap without blocking, then report the timeout.
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) != pid {
            // Report now; a later reap of the zombie is done by the pidfd/poll path of this entry.
            let completion = children[pid]?.completion
            children[pid]?.completion = { _ in }
            completion?(.timedOut)
            return
        }
        end(pid, .timedOut)
    }

    private func end(_ pid: pid_t, _ exit: ProcessExit) {
        guard let child = children.removeValue(forKey: pid) else { return }
        if let timer = child.timer { loop.cancel(timer) }
        child.pidfd?.close()
        // A process killed at its timeout was already reported as timed out.
        child.completion(exit)
    }

    // A runner let go with children still running: their pidfds are still its to close.
    deinit {
        for child in children.values { child.pidfd?.close() }
    }

    /// Kills every running child's process group (shutdown).
    public func killAll() {
        for pid in Array(children.keys) {
            kill(-pid, SIGKILL)
            children[pid]?.completion = { _ in }
        }
    }

    /// The program's path: as given when it has a slash, else found in the clean PATH (not checkd's own).
    static func resolve(_ program: String) -> String? {
        if program.contains("/") { return program }
        return searchPath.map { "\($0)/\(program)" }.first { access($0, X_OK) == 0 }
    }

    struct SpawnError: Error, CustomStringConvertible {
        let description: String
    }

    private static func spawn(path: String, arguments: [String]) -> Result<pid_t, SpawnError> {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        // The loop blocks signals for its signalfd; a child must not inherit that mask or those dispositions.
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK
                                                     | POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard result == 0 else { return .failure(SpawnError(description: "\(path): \(String(cString: strerror(result)))")) }
        return .success(pid)
    }
}
