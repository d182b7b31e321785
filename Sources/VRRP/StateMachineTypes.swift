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
}
