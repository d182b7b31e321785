import Foundation

/// Network namespaces joined by one bridge, made by a test and removed when it ends (also on failure):
/// every node gets `eth0` on the bridge. Lab traffic stays inside; addresses come from 192.0.2.0/24.
public final class NetworkLab {
    /// Root, iproute2 and network namespaces are all needed; the reason when they are not here.
    public static let unavailableReason: String? = {
        guard getuid() == 0 else { return "needs root to create network namespaces" }
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") || FileManager.default.isExecutableFile(atPath: "/sbin/ip")
        else { return "needs iproute2 (ip)" }
        let probe = "tdm-probe-\(getpid())"
        guard NetworkLab.sh("ip netns add \(probe) && ip netns del \(probe)").status == 0 else {
            return "cannot create network namespaces here"
        }
        return nil
    }()

    public static var available: Bool { unavailableReason == nil }

    /// How many labs this process has made.
    private static let labsMade = LabCounter()

    public let tag: String
    private(set) var nodes: [String] = []
    private var processes: [DaemonProcess] = []
    private var switchNamespace: String { "\(tag)-sw" }

    public init() throws {
        // A counter, not a random number: tests make labs in parallel, and two with the same tag share (and one
        // removes) each other's namespaces; 3 random digits collided within one run.
        tag = "tdm\(getpid() % 10000)\(String(format: "%03d", Self.labsMade.next() % 1000))"
        try run("ip netns add \(switchNamespace)")
        try run("ip -n \(switchNamespace) link add br0 type bridge && ip -n \(switchNamespace) link set br0 up")
    }

    /// The namespace name of a node.
    public func namespace(_ node: String) -> String { "\(tag)-\(node)" }

    /// Adds a node with `eth0` on the bridge and the given addresses (CIDR).
    public func addNode(_ node: String, addresses: [String]) throws {
        let ns = namespace(node)
        try run("ip netns add \(ns)")
        nodes.append(node)
        // The bridge side is "port-NODE": a bare short name could be read by ip as one of its keywords.
        try run("ip link add name port-\(node) netns \(switchNamespace) type veth peer name eth0 netns \(ns)")
        try run("ip -n \(switchNamespace) link set dev port-\(node) master br0 && ip -n \(switchNamespace) link set dev port-\(node) up")
        try run("ip -n \(ns) link set lo up && ip -n \(ns) link set eth0 up")
        for address in addresses { try run("ip -n \(ns) addr add \(address) dev eth0") }
    }

    /// Gives a node a second interface, `name`, on the same bridge (a second LAN in the seeds' topologies).
    public func addInterface(_ node: String, _ name: String, addresses: [String]) throws {
        let ns = namespace(node)
        try run("ip link add name port-\(node)-\(name) netns \(switchNamespace) type veth peer name \(name) netns \(ns)")
        try run("ip -n \(switchNamespace) link set dev port-\(node)-\(name) master br0 && ip -n \(switchNamespace) link set dev port-\(node)-\(name) up")
        try run("ip -n \(ns) link set \(name) up")
        for address in addresses { try run("ip -n \(ns) addr add \(address) dev \(name)") }
    }

    /// Bridge port isolation (kernel ≥ 4.18): isolated nodes no longer reach each other, but still reach every node
    /// that is not isolated — a cut between two routers while their clients keep talking to both.
    public func isolate(_ node: String, _ on: Bool) throws {
        try run("ip netns exec \(switchNamespace) bridge link set dev port-\(node) isolated \(on ? "on" : "off")")
    }

    /// The MAC address of a node's interface.
    public func macAddress(_ node: String, _ interface: String = "eth0") -> String {
        exec(node, "cat /sys/class/net/\(interface)/address").output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a shell command on the host; throws with its output when it fails.
    @discardableResult
    public func run(_ command: String) throws -> String {
        let (status, output) = Self.sh(command)
        guard status == 0 else { throw TestSupportError("\(command) failed (\(status)): \(output)") }
        return output
    }

    /// Runs a command inside a node's namespace.
    @discardableResult
    public func exec(_ node: String, _ command: String) -> (status: Int32, output: String) {
        Self.sh("ip netns exec \(namespace(node)) \(command)")
    }

    /// Starts a long-running program in a node's namespace; it is ended by PID when the lab goes.
    public func spawn(_ node: String, _ executable: String, _ arguments: [String], logFile: URL) throws -> DaemonProcess {
        let name = URL(fileURLWithPath: executable).lastPathComponent
        let process = try DaemonProcess(path: "/usr/sbin/ip", ["netns", "exec", namespace(node), executable]
                                        + DaemonProcess.asTestRuns(name, arguments), logFile: logFile)
        processes.append(process)
        return process
    }

    /// True when `address` is configured on the node's eth0.
    public func hasAddress(_ node: String, _ address: String) -> Bool {
        exec(node, "ip -o -4 addr show dev eth0").output.contains(" \(address)/")
    }

    /// Waits until `condition` holds, polling; returns the time it took, or nil on timeout.
    public func waitUntil(timeout: Duration, pollEvery: Duration = .milliseconds(20), _ condition: () -> Bool) -> Duration? {
        let clock = ContinuousClock()
        let start = clock.now
        while clock.now - start < timeout {
            if condition() { return clock.now - start }
            Thread.sleep(forTimeInterval: Double(pollEvery.components.attoseconds) / 1e18 + Double(pollEvery.components.seconds))
        }
        // One look after the deadline: on a loaded machine one check (a process to spawn) can outlast the whole
        // timeout, and what it saw was the state at its start, long before.
        return condition() ? clock.now - start : nil
    }

    /// Holds `condition` true for the whole `duration` (polling); false at the first miss.
    public func holds(for duration: Duration, _ condition: () -> Bool) -> Bool {
        let clock = ContinuousClock()
        let start = clock.now
        while clock.now - start < duration {
            if !condition() { return false }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return true
    }

    /// Runs `command` with /bin/sh, stdin from /dev/null, stdout and stderr together; its exit status (128 + the
    /// signal for one killed) and output. posix_spawn and a blocking waitpid on this thread, not Foundation's
    /// Process: Process learns of the child's exit on a dispatch queue, and on a loaded 2-core machine with many
    /// tests blocking threads that news came seconds late, so a wait that polls with commands saw stale state
    /// after its deadline (CI: a takeover of 0.6 s measured as 10.3 s).
    public static func sh(_ command: String) -> (status: Int32, output: String) {
        var fds: [Int32] = [-1, -1]
        // A socket pair, made close-on-exec at once (Glibc's module has no pipe2): a child another thread spawns
        // meanwhile must not keep the write end, or this read would never see its end.
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            return (127, "socketpair: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 2)
        // Every signal at its default and none blocked, as Foundation's Process starts its children: what this
        // process ignores (SIGPIPE) would otherwise be ignored in the command too, and `yes | head` would print
        // "Broken pipe" errors instead of ending quietly.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let words: [String] = ["/bin/sh", "-c", command]
        let arguments = words.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, arguments, environ)
        close(fds[1])
        guard spawned == 0 else {
            close(fds[0])
            return (127, "posix_spawn /bin/sh: \(String(cString: strerror(spawned)))")
        }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fds[0], &buffer, buffer.count)
            if count > 0 {
                output += buffer[..<count]
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                break
            }
        }
        close(fds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { return (127, "waitpid: \(String(cString: strerror(errno)))") }
        }
        let signal = status & 0x7f
        let exitStatus = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return (exitStatus, String(decoding: output, as: UTF8.self))
    }

    deinit {
        for process in processes where process.process.isRunning {
            kill(process.pid, SIGKILL)
            process.process.waitUntilExit()
        }
        for node in nodes { _ = Self.sh("ip netns del \(namespace(node))") }
        _ = Self.sh("ip netns del \(switchNamespace)")
    }
}


extension NetworkLab {
    /// Runs `body` on a thread of its own in the network namespace `namespace` (setns affects only the calling
    /// thread, so the test's other threads stay where they are) and returns what it returned or threw.
    public static func onThread<T>(inNamespace namespace: String, _ body: @escaping @Sendable () throws -> T) throws -> T {
        let result = ResultBox<T>()
        let thread = Thread {
            let fd = open("/var/run/netns/\(namespace)", O_RDONLY | O_CLOEXEC)
            // setns(2) is not in Swift's Glibc module: found by name. 0x40000000 is CLONE_NEWNET.
            typealias SetNS = @convention(c) (Int32, Int32) -> Int32
            guard fd >= 0, let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns"),
                  unsafeBitCast(symbol, to: SetNS.self)(fd, 0x4000_0000) == 0 else {
                result.set(.failure(TestSupportError("setns \(namespace): \(String(cString: strerror(errno)))")))
                return
            }
            close(fd)
            result.set(Result { try body() })
        }
        thread.start()
        while result.get() == nil { Thread.sleep(forTimeInterval: 0.01) }
        return try result.get()!.get()
    }
}

/// The result a namespace thread hands back to the test.
private final class ResultBox<T>: @unchecked Sendable {
    private var value: Result<T, Error>?
    private let lock = NSLock()
    func get() -> Result<T, Error>? { lock.lock(); defer { lock.unlock() }; return value }
    func set(_ new: Result<T, Error>) { lock.lock(); value = new; lock.unlock() }
}

/// A number that goes up by one on each call, from any thread.
private final class LabCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
}
