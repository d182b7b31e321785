import Vocabulary

// `tandemctl realserver`: what a DR or TUN real server needs (the seeds' realserver.sh by hand), as a pure planner.
// Given the request, what the kernel has now and what earlier `up`s recorded, it says what to change, what is
// already so, and what to record; Realserver.swift reads the kernel, applies the actions and writes the state.

/// Which devices and sysctls a request concerns: `--tunnel` and `--interface`.
struct RealserverSetup: Equatable, Sendable {
    var tunnel = false
    /// `--interface`: the device for both families; nil for the default (lo, or the tunnel devices).
    var interface: String?

    /// DR: the loopback, where the VIP is local without being answered for on the LAN. TUN: the fallback tunnel
    /// device the kernel decapsulates IPIP (IPv4) or IPv6-in-IPv6 packets on.
    func device(for family: IPAddressFamily) -> String {
        if let interface { return interface }
        guard tunnel else { return "lo" }
        return family == .ipv4 ? "tunl0" : "ip6tnl0"
    }

    /// The module whose loading creates a tunnel device in every network namespace (the fallback device).
    static func module(creating device: String) -> String? {
        switch device {
        case "tunl0": return "ipip"
        case "ip6tnl0": return "ip6_tunnel"
        default: return nil
        }
    }

    /// The sysctls a real server with IPv4 VIPs needs, in the order they are set. Only IPv4 has them: IPv6
    /// neighbour discovery answers only for addresses on the interface the solicitation came in on, so a VIP on
    /// lo is never announced on the LAN, while IPv4 ARP answers for any local address unless told not to.
    /// - arp_ignore 1: answer ARP only for addresses of the interface asked on (not the VIP on lo);
    /// - arp_announce 2: never use the VIP as the source of our own ARP requests;
    ///   both on `all` and on the VIP's device, as the seed scripts do (the kernel takes the larger of the two);
    /// - TUN: rp_filter 0 on `all` and the tunnel device, else the kernel drops the decapsulated packets, whose
    ///   source (the client) is not routed back through the tunnel.
    func sysctls(hasIPv4: Bool) -> [(Sysctl, Int)] {
        guard hasIPv4 else { return [] }
        let device = device(for: .ipv4)
        var wanted: [(Sysctl, Int)] = [
            (Sysctl("all", "arp_ignore"), 1), (Sysctl("all", "arp_announce"), 2),
            (Sysctl(device, "arp_ignore"), 1), (Sysctl(device, "arp_announce"), 2),
        ]
        if tunnel { wanted += [(Sysctl("all", "rp_filter"), 0), (Sysctl(device, "rp_filter"), 0)] }
        return wanted
    }
}

/// One per-interface IPv4 sysctl, net.ipv4.conf.DEVICE.KEY.
struct Sysctl: Hashable, Codable, Comparable, Sendable, CustomStringConvertible {
    var device: String
    var key: String

    init(_ device: String, _ key: String) {
        self.device = device
        self.key = key
    }

    /// As sysctl(8) names it.
    var description: String { "net.ipv4.conf.\(device).\(key)" }
    /// Its file: a device name may hold dots (eth0.100), so the path is built from the parts, not the name.
    var path: String { "/proc/sys/net/ipv4/conf/\(device)/\(key)" }

    static func < (a: Sysctl, b: Sysctl) -> Bool { (a.device, a.key) < (b.device, b.key) }
}

/// What the kernel has now, for the devices and sysctls a plan looks at.
struct RealserverObservation: Equatable, Sendable {
    struct Device: Equatable, Sendable {
        var up: Bool
        /// Each address on the device and its prefix length.
        var addresses: [IPAddress: Int]
    }
    /// Devices that exist; a device missing here does not exist.
    var devices: [String: Device] = [:]
    /// Sysctl values read; one missing could not be read (its device does not exist).
    var sysctls: [Sysctl: Int] = [:]
}

/// What `up` changed, kept in STATE-DIR/state.json so that `down` undoes exactly that and nothing else.
struct RealserverState: Codable, Equatable, Sendable {
    var schema = "tandem.realserver-state/1"
    /// The VIPs `up` was asked for (added, or found already there), where and at which prefix length.
    var vips: [VIP] = []
    /// Each sysctl `up` changed, the value it had before and the value `up` wrote; restored when the last VIP goes.
    var sysctls: [SavedSysctl] = []
    /// Devices `up` found down and brought up; brought down again when the last VIP goes.
    var broughtUp: [String] = []

    struct VIP: Codable, Equatable, Sendable {
        var address: String
        var device: String
        var prefixLength: Int
    }

    struct SavedSysctl: Codable, Equatable, Sendable {
        var device: String
        var key: String
        var previous: Int
        var set: Int
        var sysctl: Sysctl { Sysctl(device, key) }
    }

    var isEmpty: Bool { vips.isEmpty && sysctls.isEmpty && broughtUp.isEmpty }

    func recorded(_ address: IPAddress) -> VIP? { vips.first { IPAddress($0.address) == address } }
}

/// One change to make, in order.
enum RealserverAction: Equatable, Sendable, CustomStringConvertible {
    case bringUp(String)
    case bringDown(String)
    case addAddress(IPAddress, prefixLength: Int, device: String)
    case removeAddress(IPAddress, prefixLength: Int, device: String)
    case setSysctl(Sysctl, Int, was: Int?)

    /// The line printed once the change is made.
    var description: String {
        switch self {
        case .bringUp(let device): return "brought \(device) up"
        case .bringDown(let device): return "brought \(device) down (it was down before up)"
        case .addAddress(let address, let length, let device): return "added \(address)/\(length) on \(device)"
        case .removeAddress(let address, let length, let device): return "removed \(address)/\(length) from \(device)"
        case .setSysctl(let sysctl, let value, let was):
            return "set \(sysctl) = \(value)" + (was.map { " (was \($0))" } ?? "")
        }
    }
}

/// A plan: the changes, what was already so (one sentence each), and the state to record.
struct RealserverPlan: Equatable, Sendable {
    var actions: [RealserverAction] = []
    var unchanged: [String] = []
    var state: RealserverState
    /// Why the plan cannot be carried out (a device that does not exist); nothing is changed when not empty.
    var errors: [String] = []

    /// `up VIP...`: each VIP on its device at /32 or /128 (one already there, at any prefix length, is left as it
    /// is), the device up, the sysctls set; previous sysctl values and devices brought up recorded once, at the
    /// first `up` that changed them, so that a second `up` records nothing new and the last `down` restores
    /// what was there before the first.
    static func up(_ vips: [IPAddress], setup: RealserverSetup, observed: RealserverObservation,
                   state: RealserverState) -> RealserverPlan {
        var plan = RealserverPlan(state: state)
        var devicesUp: Set<String> = [], missing: Set<String> = []
        for vip in vips {
            let device = setup.device(for: vip.family)
            guard let present = observed.devices[device] else {
                guard missing.insert(device).inserted else { continue }
                plan.errors.append("\(device) does not exist" + (RealserverSetup.module(creating: device).map {
                    " (it comes with the kernel module \($0); loading it did not create it)"
                } ?? ""))
                continue
            }
            if !present.up, !devicesUp.contains(device) {
                devicesUp.insert(device)
                plan.actions.append(.bringUp(device))
                if !plan.state.broughtUp.contains(device) { plan.state.broughtUp.append(device) }
            }
            let length: Int
            if let existing = present.addresses[vip] {
                length = existing
                plan.unchanged.append("\(vip)/\(existing) is already on \(device)")
            } else {
                length = vip.maximumPrefixLength
                plan.actions.append(.addAddress(vip, prefixLength: length, device: device))
            }
            let record = RealserverState.VIP(address: vip.description, device: device, prefixLength: length)
            if let index = plan.state.vips.firstIndex(where: { IPAddress($0.address) == vip }) {
                plan.state.vips[index] = record
            } else {
                plan.state.vips.append(record)
            }
        }
        for (sysctl, value) in setup.sysctls(hasIPv4: vips.contains { $0.family == .ipv4 }) {
            // A missing device has been named above; its sysctls cannot be there either.
            if sysctl.device != "all", observed.devices[sysctl.device] == nil { continue }
            guard let current = observed.sysctls[sysctl] else {
                plan.errors.append("cannot read \(sysctl)")
                continue
            }
            if current == value {
                plan.unchanged.append("\(sysctl) is already \(value)")
                continue
            }
            plan.actions.append(.setSysctl(sysctl, value, was: current))
            if let index = plan.state.sysctls.firstIndex(where: { $0.sysctl == sysctl }) {
                // Changed back by someone since our first `up`: the value before that `up` is still what to restore.
                plan.state.sysctls[index].set = value
            } else {
                plan.state.sysctls.append(.init(device: sysctl.device, key: sysctl.key, previous: current, set: value))
            }
        }
        if !plan.errors.isEmpty {
            // All or nothing: a half set-up real server answers for some VIPs and not others.
            plan.actions = []
            plan.state = state
        }
        return plan
    }

    /// `down VIP...`: each VIP removed from the device `up` recorded for it (else the one the options name), at
    /// the prefix length it has there; an absent VIP is no error. When no VIP recorded by `up` is left, the
    /// sysctls `up` changed get back their previous values — unless someone changed them since (then they are
    /// left, and said so) — and the devices `up` brought up go down again. The rule is the state file, not what
    /// is on lo: an address the operator put there by hand is not ours to count.
    static func down(_ vips: [IPAddress], setup: RealserverSetup, observed: RealserverObservation,
                     state: RealserverState) -> RealserverPlan {
        var plan = RealserverPlan(state: state)
        for vip in vips {
            let device = state.recorded(vip)?.device ?? setup.device(for: vip.family)
            if let length = observed.devices[device]?.addresses[vip] {
                plan.actions.append(.removeAddress(vip, prefixLength: length, device: device))
            } else {
                plan.unchanged.append("\(vip) is not on \(device)")
            }
            plan.state.vips.removeAll { IPAddress($0.address) == vip }
        }
        guard plan.state.vips.isEmpty else {
            if !state.sysctls.isEmpty {
                let left = plan.state.vips.map(\.address).joined(separator: ", ")
                plan.unchanged.append("sysctls kept: VIPs set up by up are left (\(left))")
            }
            return plan
        }
        for saved in state.sysctls {
            let current = observed.sysctls[saved.sysctl]
            if current == saved.set {
                plan.actions.append(.setSysctl(saved.sysctl, saved.previous, was: current))
            } else if current == saved.previous {
                plan.unchanged.append("\(saved.sysctl) is already \(saved.previous)")
            } else {
                plan.unchanged.append("\(saved.sysctl) left at \(current.map(String.init) ?? "unreadable"): changed since up set it to \(saved.set), so not restored to \(saved.previous)")
            }
        }
        for device in state.broughtUp where observed.devices[device]?.up == true {
            plan.actions.append(.bringDown(device))
        }
        plan.state.sysctls = []
        plan.state.broughtUp = []
        return plan
    }
}
