// What one vrrp_instance needs from keepalived.conf, in the state machine's terms.

import Vocabulary

/// `state MASTER` / `state BACKUP`: keepalived's initial "wantstate".
public enum VRRPInitialState: Hashable, Sendable {
    case master
    case backup
}

/// Gratuitous ARP / unsolicited NA settings (keepalived's garp_* keywords and their defaults).
public struct VRRPGratuitousConfig: Hashable, Sendable {
    /// `garp_master_delay`: delay of the second burst after becoming MASTER; zero disables it (default 5 s).
    public var masterDelay: Duration = .seconds(5)
    /// `garp_master_repeat`: messages per VIP in each burst after becoming MASTER (default 5).
    public var masterRepeat: Int = 5
    /// `garp_master_refresh`: the least time between refresh bursts while MASTER, counted from becoming MASTER and
    /// checked each time an advert is sent (keepalived's vrrp_state_master_tx); zero means none (default).
    public var masterRefresh: Duration = .zero
    /// `garp_master_refresh_repeat`: messages per VIP in each refresh burst (default 1).
    public var masterRefreshRepeat: Int = 1
    /// `garp_lower_prio_repeat`: burst when MASTER hears a lower priority advert (default: masterRepeat).
    public var lowerPriorityRepeat: Int = 5
    /// `garp_lower_prio_delay`: delay of the second such burst; zero disables it (default: masterDelay).
    public var lowerPriorityDelay: Duration = .seconds(5)
    /// `lower_prio_no_advert`: a MASTER hearing a lower priority sends no advert in answer (default: it does).
    public var lowerPriorityNoAdvert = false
    /// `higher_prio_send_advert`: a MASTER hearing a higher priority sends one advert before it yields.
    public var higherPrioritySendAdvert = false

    /// keepalived's defaults.
    public init() {}
}

/// The configuration of one VRRP instance as the state machine and receive checks use it.
public struct VRRPInstanceConfig: Hashable, Sendable {
    /// Instance name (for logs; stable identity across reloads).
    public var name: String
    /// Virtual router identifier 1...255.
    public var vrid: UInt8
    /// VRRP version (keepalived's default is 2; IPv6 requires 3).
    public var version: VRRPVersion
    /// `priority` 1...255; 255 is the address owner. 0 means unset (keepalived derives it from `state`).
    public var priority: UInt8
    /// `advert_int`.
    public var advertInterval: Duration
    /// `state`.
    public var initialState: VRRPInitialState
    /// False for `nopreempt`.
    public var preempt: Bool
    /// `preempt_delay` (zero: none).
    public var preemptDelay: Duration
    /// `virtual_ipaddress` entries, all of the instance's family.
    public var virtualAddresses: [IPAddress]
    /// `virtual_ipaddress_excluded` entries, of either family: held with the VIPs but never advertised.
    public var excludedAddresses: [IPAddress]
    /// Our primary address: the advert source, compared on equal priority.
    public var primaryAddress: IPAddress
    /// v2 `authentication` (ignored for v3).
    public var authentication: VRRPAuthentication
    /// `unicast_peer` addresses; empty for multicast.
    public var unicastPeers: [IPAddress]
    /// `check_unicast_src` (or global_defs' `vrrp_check_unicast_src`): a unicast advert from an address not in
    /// `unicastPeers` is dropped. Off, as in keepalived: any source is heard.
    public var checkUnicastSource = false
    /// GARP/NA behaviour.
    public var gratuitous: VRRPGratuitousConfig
    /// `down_timer_adverts` (RFC: 3).
    public var downTimerAdverts: UInt64

    /// Creates a configuration with keepalived's defaults for everything not given.
    public init(name: String, vrid: UInt8, version: VRRPVersion = .v2, priority: UInt8 = 100,
                advertInterval: Duration = .seconds(1), initialState: VRRPInitialState = .backup,
                preempt: Bool = true, preemptDelay: Duration = .zero,
                virtualAddresses: [IPAddress], excludedAddresses: [IPAddress] = [], primaryAddress: IPAddress,
                authentication: VRRPAuthentication = .none, unicastPeers: [IPAddress] = [],
                gratuitous: VRRPGratuitousConfig = .init(), downTimerAdverts: UInt64 = 3) {
        self.name = name
        self.vrid = vrid
        self.version = version
        self.priority = priority
        self.advertInterval = advertInterval
        self.initialState = initialState
        self.preempt = preempt
        self.preemptDelay = preemptDelay
        self.virtualAddresses = virtualAddresses
        self.excludedAddresses = excludedAddresses
        self.primaryAddress = primaryAddress
        self.authentication = authentication
        self.unicastPeers = unicastPeers
        self.gratuitous = gratuitous
        self.downTimerAdverts = downTimerAdverts
    }

    /// The address family, from the primary address.
    public var family: IPAddressFamily { primaryAddress.family }

    /// What a Master holds and announces: the VIPs, then the excluded ones (keepalived's vip and evip lists).
    public var installedAddresses: [IPAddress] { virtualAddresses + excludedAddresses }

    /// True for priority 255.
    public var isAddressOwner: Bool { priority == 255 }

    /// The configuration after keepalived's vrrp_complete_instance() fix-ups (it logs each one as a config error).
    public var normalized: VRRPInstanceConfig {
        var c = self
        if c.priority == 0 { c.priority = c.initialState == .master ? 255 : 100 }
        if c.family == .ipv6 { c.version = .v3 }
        if c.version == .v3 { c.authentication = .none }
        // nopreempt cannot apply to an owner, nor (like preempt_delay) to `state MASTER`.
        if c.isAddressOwner || c.initialState == .master { c.preempt = true }
        if c.initialState == .master { c.preemptDelay = .zero }
        if c.advertInterval == .zero { c.advertInterval = .seconds(1) }
        // keepalived rounds to the wire's unit (nearest second for v2, nearest centisecond for v3) and clamps.
        let ns = max(0, c.advertInterval.totalNanoseconds)
        func rounded(_ unit: Int64) -> Int64 { ns / unit + (ns % unit >= unit / 2 ? 1 : 0) }
        if c.version == .v2 {
            c.advertInterval = .seconds(min(max(rounded(1_000_000_000), 1), 255))
        } else {
            c.advertInterval = .centiseconds(min(max(rounded(10_000_000), 1), 0x0FFF))
        }
        c.downTimerAdverts = min(max(c.downTimerAdverts, 1), 100)
        return c
    }

    /// The receive checks for this instance.
    public var receiveFilter: VRRPReceiveFilter {
        VRRPReceiveFilter(vrid: vrid, version: version, family: family, authentication: authentication,
                          advertInterval: advertInterval, virtualAddresses: virtualAddresses, unicastPeers: unicastPeers,
                          checkUnicastSource: checkUnicastSource)
    }
}
