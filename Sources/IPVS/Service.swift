// A virtual service as the kernel knows it: its identity (key) and its settings.

import Vocabulary


/// What identifies a virtual service: (protocol, VIP, port) or (family, firewall mark).
public enum IPVSServiceKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// A service on an address and port; the address family is the address's own.
    case address(TransportProtocol, IPAddress, port: UInt16)
    /// A service matching packets marked by the firewall, for one address family.
    case firewallMark(IPAddressFamily, UInt32)

    /// The address family of the service.
    public var family: IPAddressFamily {
        switch self {
        case .address(_, let address, _): return address.family
        case .firewallMark(let family, _): return family
        }
    }

    public var description: String {
        switch self {
        case .address(let proto, let address, let port):
            let host = address.family == .ipv6 ? "[\(address)]" : "\(address)"
            return "\(proto) \(host):\(port)"
        case .firewallMark(let family, let mark):
            return "fwmark \(mark) \(family == .ipv6 ? "IPv6" : "IPv4")"
        }
    }

    public static func < (a: Self, b: Self) -> Bool {
        switch (a, b) {
        case (.address(let pa, let aa, let pta), .address(let pb, let ab, let ptb)):
            if aa != ab { return aa < ab }
            if pta != ptb { return pta < ptb }
            return pa < pb
        case (.address, .firewallMark): return true
        case (.firewallMark, .address): return false
        case (.firewallMark(let fa, let ma), .firewallMark(let fb, let mb)):
            return fa != fb ? fa < fb : ma < mb
        }
    }
}

/// Virtual service flags (IP_VS_SVC_F_*), sent to the kernel as {flags, mask}.
public struct IPVSServiceFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let persistent = IPVSServiceFlags(rawValue: 0x0001)
    /// Set by the kernel on every live service; never configured, ignored when comparing.
    public static let hashed = IPVSServiceFlags(rawValue: 0x0002)
    public static let onePacket = IPVSServiceFlags(rawValue: 0x0004)
    public static let scheduler1 = IPVSServiceFlags(rawValue: 0x0008)
    public static let scheduler2 = IPVSServiceFlags(rawValue: 0x0010)
    public static let scheduler3 = IPVSServiceFlags(rawValue: 0x0020)
    /// The sh scheduler's "sh-fallback" (scheduler flag 1).
    public static let shFallback = scheduler1
    /// The sh scheduler's "sh-port" (scheduler flag 2).
    public static let shPort = scheduler2

    /// The bits a user may set; the rest are kernel state.
    public static let userSettable: IPVSServiceFlags = [.persistent, .onePacket, .scheduler1, .scheduler2, .scheduler3]
}

/// A virtual service: key plus scheduler, flags and persistence settings.
public struct IPVSService: Hashable, Sendable {
    public var key: IPVSServiceKey
    /// Scheduler name as the kernel knows it (rr, wrr, lc, wlc, sh, mh, twos, ...); at most 15 bytes.
    public var scheduler: String
    public var flags: IPVSServiceFlags
    /// Persistence timeout in seconds.
    public var timeout: UInt32
    /// Persistence granularity: for IPv4 the mask as a number (0xFFFFFF00 is /24), for IPv6 the prefix length.
    public var netmask: UInt32
    /// Persistence engine name (e.g. "sip"), or nil for none.
    public var persistenceEngine: String?

    /// A service with the given settings; the netmask defaults to a full host mask for the key's family.
    public init(key: IPVSServiceKey, scheduler: String, flags: IPVSServiceFlags = [], timeout: UInt32 = 0,
                netmask: UInt32? = nil, persistenceEngine: String? = nil) {
        self.key = key
        self.scheduler = scheduler
        self.flags = flags
        self.timeout = timeout
        self.netmask = netmask ?? IPVSService.fullNetmask(for: key.family)
        self.persistenceEngine = persistenceEngine
    }

    /// The host-sized persistence netmask of a family: 255.255.255.255 or /128 (what ipvsadm defaults to).
    public static func fullNetmask(for family: IPAddressFamily) -> UInt32 {
        family == .ipv4 ? 0xFFFF_FFFF : 128
    }

    /// True when the settings a SET_SERVICE can change are equal (the kernel's own flag bits ignored).
    public func hasSameSettings(as other: IPVSService) -> Bool {
        scheduler == other.scheduler
            && flags.intersection(.userSettable) == other.flags.intersection(.userSettable)
            && timeout == other.timeout
            && netmask == other.netmask
            && (persistenceEngine ?? "") == (other.persistenceEngine ?? "")
    }
}
