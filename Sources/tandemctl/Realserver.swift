import ArgumentParser
import Foundation
import Glibc
import Platform
import Vocabulary

// The I/O shell of `tandemctl realserver`: reads the kernel and the state file, lets RealserverPlan decide, then
// applies the plan (addresses over rtnetlink, links with SIOCSIFFLAGS, sysctls in /proc/sys) and says what it did.

struct Realserver: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set this node up as an LVS DR or TUN real server: VIPs on lo (or the tunnel device) and the ARP sysctls.",
        discussion: """
            What a real server behind a DR or TUN virtual_server needs and the seeds' realserver.sh does by hand: \
            each VIP on lo as /32 (IPv6 /128), so the node accepts packets for it without answering ARP for it \
            on the LAN, and net.ipv4.conf.{all,lo}.arp_ignore=1, arp_announce=2. With --tunnel (LVS-TUN) the \
            VIPs go on tunl0 (IPv4, module ipip) or ip6tnl0 (IPv6, module ip6_tunnel), brought up, and \
            rp_filter is 0 on `all` and on tunl0. The sysctls are IPv4's: IPv6 answers neighbour solicitations \
            only for addresses of the interface asked on, so IPv6 VIPs need none.

            `up` records what it changed (the VIPs, each sysctl's previous value, devices it brought up) in \
            STATE-DIR/state.json; `down` removes the VIPs named and, when no VIP recorded by `up` is left, \
            restores those sysctls (unless someone changed them since) and devices. Both are idempotent. \
            up and down need root (CAP_NET_ADMIN); status does not.
            """,
        subcommands: [RealserverUp.self, RealserverDown.self, RealserverStatus.self])
}

/// The options every realserver subcommand takes.
struct RealserverOptions: ParsableArguments {
    @Flag(help: "LVS-TUN: the VIPs on tunl0 (IPv4) and ip6tnl0 (IPv6), rp_filter 0 on all and tunl0.")
    var tunnel = false

    @Option(help: "The device for the VIPs (default lo; with --tunnel tunl0 and ip6tnl0).")
    var interface: String?

    @Option(name: .customLong("state-dir"), help: "Where up records what it changed, for down.",
            completion: .directory)
    var stateDirectory = "/run/tandem/realserver"

    @Flag(help: "Print one JSON object (schema tandem.realserver/1, described in docs/json/realserver.md); up and down print the state after their change.")
    var json = false

    var setup: RealserverSetup { RealserverSetup(tunnel: tunnel, interface: interface) }
    var stateFile: String { stateDirectory + "/state.json" }
}

/// VIP arguments: addresses, either family, without a prefix length (the prefix is always the host's).
enum VIPText {
    static func parse(_ texts: [String]) throws -> [IPAddress] {
        var result: [IPAddress] = []
        for text in texts {
            guard let address = IPAddress(text) else {
                throw ValidationError("'\(text)' is not an IP address: give each VIP as an address, e.g. 192.0.2.10 or 2001:db8::10, without a prefix length")
            }
            guard !address.isMulticast, address != .v4(0), address != .v6(high: 0, low: 0) else {
                throw ValidationError("'\(text)' cannot be a VIP: it is a multicast or unspecified address")
            }
            if !result.contains(address) { result.append(address) }
        }
        return result
    }
}

struct RealserverUp: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Add the VIPs and set the sysctls (an address already there is left as it is).",
        discussion: "Exit status: 0 done (also when nothing needed changing), 1 a change failed, 64 a usage error.")

    @OptionGroup var options: RealserverOptions
    @Argument(help: "The VIPs, IPv4 or IPv6 addresses.") var vips: [String]

    func validate() throws {
        guard !vips.isEmpty else { throw ValidationError("give at least one VIP") }
        _ = try VIPText.parse(vips)
    }

    func run() throws {
        let addresses = try VIPText.parse(vips)
        try RealserverShell.withLockedState(options) { state in
            let setup = options.setup
            // A tunnel device exists once its module is loaded; load it before looking, as `modprobe ipip` would.
            for device in Set(addresses.map { setup.device(for: $0.family) }) where NetworkInterface(named: device) == nil {
                if let module = RealserverSetup.module(creating: device) { _ = KernelModule.load(module) }
            }
            let wanted = setup.sysctls(hasIPv4: addresses.contains { $0.family == .ipv4 }).map(\.0)
            let observed = RealserverShell.observe(devices: addresses.map { setup.device(for: $0.family) },
                                                   sysctls: wanted + state.sysctls.map(\.sysctl))
            let plan = RealserverPlan.up(addresses, setup: setup, observed: observed, state: state)
            guard plan.errors.isEmpty else { throw RealserverShell.Failure(plan.errors.joined(separator: "; ")) }
            // The state first: should a change fail halfway, down still knows what to undo.
            if plan.state != state { try RealserverShell.save(plan.state, options) }
            try RealserverShell.apply(plan)
            state = plan.state
        }
        if options.json { try RealserverStatus.write(RealserverStatus.report(addresses, options: options), json: true) }
    }
}

struct RealserverDown: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Remove the VIPs; with the last VIP up recorded, restore what up changed.",
        discussion: "Exit status: 0 done (also when a VIP was not there), 1 a change failed, 64 a usage error.")

    @OptionGroup var options: RealserverOptions
    @Argument(help: "The VIPs, IPv4 or IPv6 addresses.") var vips: [String]

    func validate() throws {
        guard !vips.isEmpty else { throw ValidationError("give at least one VIP") }
        _ = try VIPText.parse(vips)
    }

    func run() throws {
        let addresses = try VIPText.parse(vips)
        try RealserverShell.withLockedState(options) { state in
            let devices = addresses.map { state.recorded($0)?.device ?? options.setup.device(for: $0.family) }
            let observed = RealserverShell.observe(devices: devices + state.broughtUp,
                                                   sysctls: state.sysctls.map(\.sysctl))
            let plan = RealserverPlan.down(addresses, setup: options.setup, observed: observed, state: state)
            try RealserverShell.apply(plan)
            if plan.state != state { try RealserverShell.save(plan.state, options) }
            state = plan.state
        }
        if options.json { try RealserverStatus.write(RealserverStatus.report(addresses, options: options), json: true) }
    }
}

struct RealserverStatus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Say whether the VIPs are on their device and the sysctls set.",
        discussion: """
            Without VIPs, checks those `up` recorded. Exit status: 0 every VIP is present on an up device and \
            every sysctl has its value, 1 otherwise, 64 a usage error.
            """)

    @OptionGroup var options: RealserverOptions
    @Argument(help: "The VIPs to check (default: those up recorded).") var vips: [String] = []

    func validate() throws { _ = try VIPText.parse(vips) }

    func run() throws {
        let report = try Self.report(try VIPText.parse(vips), options: options)
        try Self.write(report, json: options.json)
        if !report.ok { throw ExitCode.failure }
    }

    /// What the kernel has now for `addresses` (those up recorded when empty).
    static func report(_ addresses: [IPAddress], options: RealserverOptions) throws -> RealserverReport {
        let state = try RealserverShell.load(options.stateFile)
        let checked = addresses.isEmpty ? state.vips.compactMap { IPAddress($0.address) } : addresses
        let devices = checked.map { state.recorded($0)?.device ?? options.setup.device(for: $0.family) }
        let sysctls = Set(devices).flatMap { device in
            ["arp_ignore", "arp_announce", "rp_filter"].flatMap { [Sysctl("all", $0), Sysctl(device, $0)] }
        }
        let observed = RealserverShell.observe(devices: devices, sysctls: sysctls)
        return RealserverReport(addresses, setup: options.setup, observed: observed, state: state,
                                stateFile: options.stateFile)
    }

    static func write(_ report: RealserverReport, json: Bool) throws {
        if json {
            try writeJSON(report)
        } else {
            FileHandle.standardOutput.write(Data(report.text.utf8))
        }
    }
}

/// The kernel and the state file.
enum RealserverShell {
    /// A failure the operator reads as one line, "tandemctl realserver: …", exit status 1.
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
        /// For an errno: EPERM and EACCES say plainly that root is needed.
        init(_ what: String, errno: Int32) {
            let reason = String(cString: strerror(errno))
            description = errno == EPERM || errno == EACCES
                ? "\(what): \(reason): run it as root (it needs CAP_NET_ADMIN)" : "\(what): \(reason)"
        }
    }

    /// Runs `body` with the state file read, holding an exclusive lock so two `up`s at once do not lose each
    /// other's record; failures are printed as one line and exit 1.
    static func withLockedState(_ options: RealserverOptions, _ body: (inout RealserverState) throws -> Void) throws {
        do {
            try makeDirectories(options.stateDirectory)
            let lock = open(options.stateDirectory + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard lock >= 0 else { throw Failure("cannot open \(options.stateDirectory)/lock", errno: errno) }
            defer { close(lock) }
            guard flock(lock, LOCK_EX) == 0 else { throw Failure("cannot lock \(options.stateDirectory)/lock", errno: errno) }
            var state = try load(options.stateFile)
            try body(&state)
        } catch let failure as Failure {
            FileHandle.standardError.write(Data("tandemctl realserver: \(failure)\n".utf8))
            throw ExitCode.failure
        }
    }

    /// mkdir -p: /run/tandem itself may not exist yet (systemd-tmpfiles makes it for the daemons).
    static func makeDirectories(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0, errno != EEXIST { throw Failure("cannot create \(prefix)", errno: errno) }
        }
    }

    static func load(_ path: String) throws -> RealserverState {
        guard let data = FileManager.default.contents(atPath: path) else { return RealserverState() }
        do {
            return try JSONDecoder().decode(RealserverState.self, from: data)
        } catch {
            throw Failure("\(path) is not a state file tandemctl wrote (\(error)); remove it to start afresh")
        }
    }

    /// Written to a temporary file and renamed, so the state file is never half written; an empty state removes it.
    static func save(_ state: RealserverState, _ options: RealserverOptions) throws {
        guard !state.isEmpty else {
            if unlink(options.stateFile) != 0, errno != ENOENT { throw Failure("cannot remove \(options.stateFile)", errno: errno) }
            return
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let temporary = options.stateFile + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: try encoder.encode(state) + Data("\n".utf8)),
              rename(temporary, options.stateFile) == 0 else {
            throw Failure("cannot write \(options.stateFile)", errno: errno)
        }
    }

    static func observe(devices: [String], sysctls: [Sysctl]) -> RealserverObservation {
        var observed = RealserverObservation()
        for name in Set(devices) {
            guard let interface = NetworkInterface(named: name) else { continue }
            var addresses: [IPAddress: Int] = [:]
            for entry in interface.addressesWithPrefixLength() {
                if let address = IPAddress(bytes: entry.address) { addresses[address] = entry.prefixLength }
            }
            observed.devices[name] = .init(up: interface.isUp, addresses: addresses)
        }
        for sysctl in Set(sysctls) {
            if let value = readSysctl(sysctl) { observed.sysctls[sysctl] = value }
        }
        return observed
    }

    /// Makes the changes in order, printing each once made, then what was already so.
    static func apply(_ plan: RealserverPlan) throws {
        let addresses = plan.actions.contains { if case .addAddress = $0 { return true }; if case .removeAddress = $0 { return true }; return false }
            ? try AddressControl() : nil
        for action in plan.actions {
            switch action {
            case .bringUp(let device), .bringDown(let device):
                guard let interface = NetworkInterface(named: device) else { throw Failure("\(device) does not exist") }
                do {
                    if case .bringUp = action { try interface.setUp(true) } else { try interface.setUp(false) }
                } catch let error as SystemError {
                    throw Failure("cannot bring \(device) \(action == .bringUp(device) ? "up" : "down")", errno: error.errno)
                }
            case .addAddress(let address, let length, let device), .removeAddress(let address, let length, let device):
                guard let interface = NetworkInterface(named: device), let control = addresses else {
                    throw Failure("\(device) does not exist")
                }
                do {
                    if case .addAddress = action {
                        try control.add(address.bytes, prefixLength: length, interfaceIndex: interface.index)
                    } else {
                        try control.remove(address.bytes, prefixLength: length, interfaceIndex: interface.index)
                    }
                } catch let error as AddressControlError {
                    throw Failure(error.description + (error.permissionDenied ? ": run it as root (it needs CAP_NET_ADMIN)" : ""))
                }
            case .setSysctl(let sysctl, let value, _):
                try writeSysctl(sysctl, value)
            }
            print(action)
        }
        for line in plan.unchanged { print(line) }
        if plan.actions.isEmpty { print("nothing to change: already so") }
    }

    static func readSysctl(_ sysctl: Sysctl) -> Int? {
        guard let text = try? String(contentsOfFile: sysctl.path, encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    // echo 1 > /proc/sys/net/ipv4/conf/all/arp_ignore
    static func writeSysctl(_ sysctl: Sysctl, _ value: Int) throws {
        let descriptor = open(sysctl.path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure("cannot open \(sysctl.path)", errno: errno) }
        defer { close(descriptor) }
        let text = "\(value)\n"
        let written = text.withCString { write(descriptor, $0, strlen($0)) }
        guard written == text.utf8.count else { throw Failure("cannot write \(value) to \(sysctl.path)", errno: errno) }
    }
}
