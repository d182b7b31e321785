import Vocabulary

/// `tandemctl realserver status --json`: schema tandem.realserver/1 (docs/json/realserver.md). Pure: built from
/// the request, what the kernel has and the state file, so every problem it names is tested without a kernel.
struct RealserverReport: Codable, Equatable, Sendable {
    var schema = "tandem.realserver/1"
    /// True when every VIP checked is on its device, that device is up and every sysctl has its value.
    var ok: Bool
    /// What is not as a real server needs it, one sentence each; empty when `ok`.
    var problems: [String]
    var stateFile: String
    var vips: [VIPEntry]
    var sysctls: [SysctlEntry]
    /// What the last `down` will restore: the sysctls `up` changed, with the values they had before.
    var restoreOnLastDown: [RestoreEntry]

    struct VIPEntry: Codable, Equatable, Sendable {
        var address: String
        var device: String
        var present: Bool
        /// The prefix length it has on the device; absent when not present.
        var prefixLength: Int?
        var deviceUp: Bool
        /// Recorded in the state file by `up`.
        var recorded: Bool
    }

    struct RestoreEntry: Codable, Equatable, Sendable {
        var name: String
        /// The value it had before `up` changed it: what the last `down` writes back.
        var previous: Int
        /// The value `up` wrote; a sysctl no longer at this value is left as it is by `down`.
        var set: Int
    }

    struct SysctlEntry: Codable, Equatable, Sendable {
        var name: String
        /// Absent when it cannot be read (its device does not exist).
        var value: Int?
        var expected: Int
        var ok: Bool
    }

    /// `vips` empty: the VIPs the state file records (each on the device `up` put it on).
    init(_ vips: [IPAddress], setup: RealserverSetup, observed: RealserverObservation, state: RealserverState,
         stateFile: String) {
        self.stateFile = stateFile
        var problems: [String] = []
        let checked = vips.isEmpty ? state.vips.compactMap { IPAddress($0.address) } : vips
        if checked.isEmpty { problems.append("no VIP given and none recorded in \(stateFile)") }
        self.vips = checked.map { vip in
            let device = state.recorded(vip)?.device ?? setup.device(for: vip.family)
            let present = observed.devices[device]
            let length = present?.addresses[vip]
            if present == nil {
                problems.append("\(vip): \(device) does not exist")
            } else if length == nil {
                problems.append("\(vip) is not on \(device)")
            } else if present?.up != true {
                problems.append("\(vip) is on \(device), but \(device) is down")
            }
            return VIPEntry(address: vip.description, device: device, present: length != nil, prefixLength: length,
                            deviceUp: present?.up == true, recorded: state.recorded(vip) != nil)
        }
        // The sysctls of each IPv4 device checked: with VIPs from the state file, the devices they are on.
        var wanted: [(Sysctl, Int)] = []
        for device in Set(self.vips.filter { IPAddress($0.address)?.family == .ipv4 }.map(\.device)).sorted() {
            // rp_filter matters on a tunnel device only: tunl0, or the --interface given with --tunnel.
            let onTunnel = device == RealserverSetup(tunnel: true).device(for: .ipv4) || (setup.tunnel && setup.interface == device)
            for entry in RealserverSetup(tunnel: onTunnel, interface: device).sysctls(hasIPv4: true)
            where !wanted.contains(where: { $0.0 == entry.0 }) {
                wanted.append(entry)
            }
        }
        sysctls = wanted.map { sysctl, expected in
            let value = observed.sysctls[sysctl]
            if let value, value != expected {
                problems.append("\(sysctl) is \(value), should be \(expected)")
            } else if value == nil {
                problems.append("cannot read \(sysctl)")
            }
            return SysctlEntry(name: sysctl.description, value: value, expected: expected, ok: value == expected)
        }
        restoreOnLastDown = state.sysctls.map { RestoreEntry(name: $0.sysctl.description, previous: $0.previous, set: $0.set) }
        self.problems = problems
        ok = problems.isEmpty
    }

    /// What `status` prints without --json.
    var text: String {
        var lines: [String] = []
        for vip in vips {
            let place = vip.present ? "on \(vip.device) as /\(vip.prefixLength ?? 0)" : "NOT on \(vip.device)"
            lines.append("\(vip.address)  \(place)\(vip.present && !vip.deviceUp ? " (DOWN)" : "")"
                         + (vip.recorded ? "" : "  (not recorded by up)"))
        }
        for sysctl in sysctls {
            lines.append("\(sysctl.name) = \(sysctl.value.map(String.init) ?? "unreadable")"
                         + (sysctl.ok ? "" : "  (should be \(sysctl.expected))"))
        }
        lines.append(ok ? "OK: set up as a real server" : "NOT OK:")
        lines += problems.map { "  ! \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }
}
