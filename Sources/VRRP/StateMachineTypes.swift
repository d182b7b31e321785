// The vocabulary between the VRRP state machine and its I/O shell: states, events in, actions out.

import Vocabulary

/// RFC 5798 states plus keepalived's FAULT.
public enum VRRPState: String, Hashable, Sendable {
    case initialize
    case backup
    case master
    case fault
}

/// Why a state changed (for logs, notify scripts and the MESSAGE_ID of the journal entry).
public enum VRRPTransitionReason: String, Hashable, Sendable {
    /// Initialize → Backup at start or after a fault cleared at start.
    case startup
    /// Priority 255: Master at once.
    case addressOwner
    /// Backup heard nothing for Master_Down_Interval.
    case masterDown
    /// Backup took over Skew_Time after a priority-0 advert (graceful stop of the master).
    case masterReleased
    /// Backup ignored a lower-priority master's adverts (preempt) and took over.
    case preempted
    /// Master heard a higher priority (or equal priority from a higher address).
    case higherPriorityAdvert
    /// A tracked interface went down.
    case interfaceDown
    /// A weight-0 tracked script failed (or has not reported yet).
    case trackFault
    /// Every fault cleared: Fault → Backup.
    case recovered
    /// A vrrp_sync_group member moved and this instance followed.
    case syncGroup
    /// The daemon is stopping.
    case shutdown
    /// A planned handover: the peer answered this Master's priority-0 adverts by becoming Master.
    case handedOver
}

/// Something that happened, fed to the state machine with the instant it happened.
public enum VRRPEvent: Hashable, Sendable {
    /// Start the instance (once).
    case startup
    /// An advert that passed `VRRPReceiveFilter` for this instance, and its IP source.
    case advertisement(VRRPAdvertisement, from: IPAddress)
    /// The shell's timer reached `nextDeadline` (early or repeated calls are harmless).
    case timerFired
    /// Stop: a Master sends priority 0 and releases its addresses.
    case shutdown
    /// A tracked interface without weight is down (its own interface, unless `dont_track_primary`, or one of its
    /// track_interface entries): `VRRPTrackingResult.isInterfaceFault`.
    case interfaceDown
    /// No unweighted tracked interface is down any more.
    case interfaceUp
    /// A weight-0 tracked script is failing or pending (`VRRPTrackingResult.isScriptFault`).
    case trackDown
    /// No weight-0 tracked script is failing or pending any more.
    case trackUp
    /// Tracking changed the effective priority (ignored for an address owner).
    case priorityChanged(UInt8)
    /// Hand Master over to the peer without a gap (make before break): see `VRRPHandoverRequest`.
    case handOver(VRRPHandoverRequest)
    /// Ends the hold a handover with `holdBack` left: the instance preempts again as configured.
    case releaseHold
}

/// A planned handover (tandemctl switchover, or vrrpd stopping). The Master advertises priority 0 and keeps its
/// addresses until a peer's advert shows the peer is Master (a Backup takes over Skew_Time after priority 0, RFC
/// 5798 §6.4.2, keepalived alike); it keeps them `linger` longer, so the peer's gratuitous ARPs/NAs reach the
/// neighbours while packets still sent to this node are forwarded, then releases them. No peer within
/// `timeout`: it advertises its own priority again and stays Master.
public struct VRRPHandoverRequest: Hashable, Sendable {
    public var timeout: Duration
    public var linger: Duration
    /// Stay Backup afterwards as if `nopreempt` (until `.releaseHold` or this node is Master again): an operator's
    /// switchover must not be undone by preemption one Master_Down_Interval later.
    public var holdBack: Bool

    public init(timeout: Duration, linger: Duration, holdBack: Bool) {
        self.timeout = timeout
        self.linger = linger
        self.holdBack = holdBack
    }
}

/// How a handover ended.
public enum VRRPHandoverOutcome: Hashable, Sendable {
    /// A peer became Master (its address, when this instance saw its advert; nil when the sync group moved it).
    case completed(newMaster: IPAddress?)
    /// No peer advert within the timeout: still Master, advertising its own priority again.
    case noPeerAnswered
    /// Asked while not Master: nothing to hand over.
    case notMaster
    /// A fault, the sync group or a stop ended it before a peer answered.
    case interrupted
}

/// Something the shell must do, in the order given.
public enum VRRPAction: Hashable, Sendable {
    /// Encode and send this advert now (to the VRRP group or the unicast peers).
    case sendAdvertisement(VRRPAdvertisement)
    /// Add these virtual addresses to the interface.
    case addVirtualAddresses([IPAddress])
    /// Remove these virtual addresses from the interface.
    case removeVirtualAddresses([IPAddress])
    /// Send `repeat` gratuitous ARPs (IPv4) or unsolicited NAs (IPv6) for each of these addresses.
    case sendGratuitous([IPAddress], repeat: Int)
    /// The state changed; log it, tell checkd (notify scripts) and ipvsd (sync daemon).
    case stateChanged(from: VRRPState, to: VRRPState, reason: VRRPTransitionReason)
    /// A handover asked for with `.handOver` has ended.
    case handoverEnded(VRRPHandoverOutcome)
}
