// One VRRP instance's state machine (RFC 3768/5798 §6, with keepalived's behaviour where they differ).
// Pure: no I/O and no clock. The shell feeds events with the current monotonic instant and carries out actions.

import Vocabulary

/// The state machine of one VRRP instance.
public struct VRRPInstance: Sendable {
    /// The configuration in force (after keepalived's fix-ups, see `VRRPInstanceConfig.normalized`).
    public let config: VRRPInstanceConfig
    public private(set) var state: VRRPState = .initialize
    /// Priority advertised and compared (base priority moved by tracking).
    public private(set) var effectivePriority: UInt8
    /// Master_Adver_Interval: ours while Master, learned from the Master's adverts in v3 Backup.
    public private(set) var masterAdvertInterval: Duration
    /// The current Master's address and priority as last accepted in Backup.
    public private(set) var master: (address: IPAddress, priority: UInt8)?
    /// keepalived's "wantstate": the state this instance wants, whatever its sync group allows.
    public private(set) var wantState: VRRPState

    /// The down timer length now in force (Master_Down_Interval, or Skew_Time after a priority-0 advert).
    private var downTimer: Duration = .zero
    /// Advert timer (Master) or Master_Down timer (Backup).
    private var protocolDeadline: MonotonicInstant?
    private var garpDelayDeadline: MonotonicInstant?
    /// Not a timer of its own: keepalived looks at it only when it sends an advert.
    private var garpRefreshDue: MonotonicInstant?
    private var lowerPriorityGarpDeadline: MonotonicInstant?
    /// keepalived's preempt_time: until then, lower-priority adverts are still accepted.
    private var preemptTime: MonotonicInstant?
    private var nextMasterReason: VRRPTransitionReason = .masterDown
    /// A handover in progress: until then this Master advertises priority 0 and waits for the peer.
    private var handover: (request: VRRPHandoverRequest, deadline: MonotonicInstant)?
    /// After a handover: Backup still holding the addresses until then (the peer's announcements are on their way).
    private var lingerDeadline: MonotonicInstant?
    /// After a handover with `holdBack`: accept a lower-priority Master, as `nopreempt` would.
    public private(set) var isHeldBack = false
    private var addressesSet = false
    private var started = false
    private var stopped = false
    private(set) var interfaceIsDown = false
    private(set) var trackIsDown = false

    // Sync-group hooks, set by VRRPSyncGroup only.
    /// Whether the group lets this instance become Master now (keepalived's vrrp_sync_can_goto_master).
    var syncAllowsMaster = true
    /// Held in Fault because another member of the group is faulty.
    var syncHeldInFault = false
    /// Member of a group whose state is Backup at start (shortens the first down timer, as keepalived does).
    var syncGroupStartsBackup = false

    /// Creates an instance in Initialize; nothing happens until `.startup`.
    public init(config: VRRPInstanceConfig) {
        let c = config.normalized
        self.config = c
        self.effectivePriority = c.priority
        self.masterAdvertInterval = c.advertInterval
        self.wantState = c.initialState == .master ? .master : .backup
    }

    /// When the shell must deliver `.timerFired` next; nil when no timer is pending.
    public var nextDeadline: MonotonicInstant? {
        [protocolDeadline, garpDelayDeadline, lowerPriorityGarpDeadline, handover?.deadline, lingerDeadline].compactMap { $0 }.min()
    }

    /// True while a handover waits for the peer (Master, advertising priority 0).
    public var isHandingOver: Bool { handover != nil }

    /// True while a Backup still holds the addresses after handing over.
    public var isLingering: Bool { lingerDeadline != nil }

    /// The priority in this instance's adverts now: 0 while handing over.
    public var advertisedPriority: UInt8 { handover == nil ? effectivePriority : 0 }

    /// True while an interface or tracking fault of this instance itself is present.
    public var hasOwnFault: Bool { interfaceIsDown || trackIsDown }

    /// The advert this instance sends at `priority` (its effective priority unless stopping).
    public func advertisement(priority: UInt8) -> VRRPAdvertisement {
        VRRPAdvertisement(version: config.version, vrid: config.vrid, priority: priority, interval: config.advertInterval,
                          addresses: config.virtualAddresses, authentication: config.authentication)
    }

    /// Feeds one event that happened at `now`; returns what the shell must do, in order.
    public mutating func handle(_ event: VRRPEvent, at now: MonotonicInstant) -> [VRRPAction] {
        var out: [VRRPAction] = []
        if !stopped {
            switch event {
            case .startup: start(now, &out)
            case .advertisement(let ad, let source): receive(ad, from: source, now, &out)
            case .timerFired: timerFired(now, &out)
            case .shutdown: shutdown(&out)
            case .interfaceDown: setFault(interface: true, track: trackIsDown, now, &out)
            case .interfaceUp: setFault(interface: false, track: trackIsDown, now, &out)
            case .trackDown: setFault(interface: interfaceIsDown, track: true, now, &out)
            case .trackUp: setFault(interface: interfaceIsDown, track: false, now, &out)
            case .priorityChanged(let p): changePriority(p, now)
            case .handOver(let request): beginHandover(request, now, &out)
            case .releaseHold: isHeldBack = false
            }
        }
        return out
    }

    // MARK: - Timers

    private var isOwner: Bool { config.isAddressOwner }

    /// keepalived's VRRP_TIMER_SKEW uses 255 for an owner whatever tracking did.
    private var skewPriority: UInt8 { isOwner ? 255 : effectivePriority }

    private var skewTime: Duration {
        VRRPTimers.skewTime(version: config.version, priority: skewPriority, masterAdvertInterval: masterAdvertInterval)
    }

    private var masterDownInterval: Duration {
        VRRPTimers.masterDownInterval(version: config.version, priority: skewPriority,
                                      masterAdvertInterval: masterAdvertInterval, adverts: config.downTimerAdverts)
    }

    private mutating func armDownTimer(_ length: Duration, _ now: MonotonicInstant) {
        downTimer = length
        protocolDeadline = now + length
    }

    // MARK: - Startup and shutdown

    private mutating func start(_ now: MonotonicInstant, _ out: inout [VRRPAction]) {
        guard !started else { return }
        started = true
        if hasOwnFault || syncHeldInFault {
            // keepalived's vrrp_init_state: an instance that is not up starts in FAULT.
            // wantState keeps `state MASTER` so an owner goes Master as soon as the fault clears.
            state = .fault
            out.append(.stateChanged(from: .initialize, to: .fault, reason: interfaceIsDown ? .interfaceDown : (trackIsDown ? .trackFault : .syncGroup)))
            return
        }
        if wantState == .master && isOwner && syncAllowsMaster {
            // RFC §6.4.1 and keepalived: the address owner becomes Master at once.
            becomeMaster(.addressOwner, now, &out)
            return
        }
        // keepalived: `state MASTER` without priority 255 still starts in BACKUP and waits the full
        // Master_Down_Interval (keepalived.conf(5): "wait between 3 and 4 advert intervals"); only inside a
        // sync group that starts as BACKUP does it wait one advert interval plus the minimum skew.
        state = .backup
        if syncGroupStartsBackup && wantState == .master {
            armDownTimer(masterAdvertInterval + VRRPTimers.minimumSkew(version: config.version, masterAdvertInterval: masterAdvertInterval), now)
        } else {
            armDownTimer(masterDownInterval, now)
        }
        nextMasterReason = .masterDown
        out.append(.stateChanged(from: .initialize, to: .backup, reason: .startup))
    }

    private mutating func shutdown(_ out: inout [VRRPAction]) {
        let old = state
        endHandover(.interrupted, &out)
        if state == .master {
            // RFC §6.4.3: send an advert with priority 0 so a Backup takes over after Skew_Time.
            out.append(.sendAdvertisement(advertisement(priority: 0)))
        }
        releaseAddresses(&out)
        clearTimers()
        stopped = true
        state = .initialize
        if old != .initialize { out.append(.stateChanged(from: old, to: .initialize, reason: .shutdown)) }
    }

    // MARK: - Receiving

    private mutating func receive(_ ad: VRRPAdvertisement, from source: IPAddress, _ now: MonotonicInstant, _ out: inout [VRRPAction]) {
        // The shell's filter routes by VRID; re-check so a misrouted advert cannot move this instance.
        guard ad.vrid == config.vrid, ad.version == config.version else { return }
        switch state {
        case .backup: backupReceive(ad, from: source, now, &out)
        case .master: masterReceive(ad, from: source, now, &out)
        case .initialize, .fault: return   // keepalived ignores adverts in FAULT and INIT
        }
    }

    private mutating func backupReceive(_ ad: VRRPAdvertisement, from source: IPAddress, _ now: MonotonicInstant, _ out: inout [VRRPAction]) {
        if ad.priority == 0 {
            // RFC §6.4.2: the Master is stopping; take over after Skew_Time.
            armDownTimer(skewTime, now)
            nextMasterReason = .masterReleased
            return
        }
        let preemptDelayRunning = config.preemptDelay > .zero && (preemptTime.map { $0 > now } ?? true)
        if !config.preempt || isHeldBack || ad.priority >= effectivePriority || preemptDelayRunning {
            // Accept: this is our Master. v3 learns its interval (RFC 5798 §6.4.2).
            if config.version == .v3 { masterAdvertInterval = ad.interval }
            armDownTimer(masterDownInterval, now)
            master = (source, ad.priority)
            nextMasterReason = .masterDown
            if config.preemptDelay > .zero {
                // keepalived: a lower-priority Master starts preempt_delay; an equal or higher one cancels it.
                if ad.priority >= effectivePriority {
                    preemptTime = nil
                } else if preemptTime == nil {
                    preemptTime = now + config.preemptDelay
                }
            }
            wantState = .backup
        } else {
            // Preempt: ignore a lower-priority Master; the down timer keeps running from the last accepted advert.
            master = (source, ad.priority)
            nextMasterReason = .preempted
        }
    }

    private mutating func masterReceive(_ ad: VRRPAdvertisement, from source: IPAddress, _ now: MonotonicInstant, _ out: inout [VRRPAction]) {
        if let request = handover?.request {
            // Handing over, this instance's priority is 0: any other router's non-zero advert is the peer that took
            // over (our own priority-0 adverts looping back, and another router releasing, are not).
            guard ad.priority > 0 else { return }
            if config.version == .v3 { masterAdvertInterval = ad.interval }
            master = (source, ad.priority)
            wantState = .backup
            endHandover(.completed(newMaster: source), &out)
            isHeldBack = request.holdBack
            leaveMaster(to: .backup, reason: .handedOver, lingering: request.linger, now, &out)
            armDownTimer(masterDownInterval, now)
            preemptTime = nil
            nextMasterReason = .masterDown
            return
        }
        if ad.priority == 0 {
            // RFC §6.4.3: another router released; answer at once and restart the advert timer.
            sendAdvert(now, &out)
            return
        }
        let mine = config.primaryAddress
        if ad.priority > effectivePriority || (ad.priority == effectivePriority && source > mine) {
            // RFC §6.4.3: a better Master exists; become Backup. higher_prio_send_advert: say so once first
            // (keepalived's vrrp_state_master_rx), so a peer that missed us learns of us.
            if config.gratuitous.higherPrioritySendAdvert { sendAdvert(now, &out) }
            if config.version == .v3 { masterAdvertInterval = ad.interval }
            master = (source, ad.priority)
            wantState = .backup
            leaveMaster(to: .backup, reason: .higherPriorityAdvert, now, &out)
            armDownTimer(masterDownInterval, now)
            preemptTime = nil
            nextMasterReason = .masterDown
            return
        }
        if ad.priority == effectivePriority && source == mine {
            return   // our own advert looped back (or a duplicate address): nothing to do
        }
        // Lower priority (or equal and lower address). RFC §6.4.3 says discard; keepalived (followed here for
        // interop) re-asserts with an advert now, so the other side backs off at once, and a GARP burst so
        // neighbours' caches point at us again (garp_lower_prio_repeat / garp_lower_prio_delay);
        // lower_prio_no_advert keeps the advert back.
        if !config.gratuitous.lowerPriorityNoAdvert { sendAdvert(now, &out) }
        let g = config.gratuitous
        if g.lowerPriorityRepeat > 0 && addressesSet {
            out.append(.sendGratuitous(config.installedAddresses, repeat: g.lowerPriorityRepeat))
            if g.lowerPriorityDelay > .zero { lowerPriorityGarpDeadline = now + g.lowerPriorityDelay }
        }
    }

    // MARK: - Timers firing

    private mutating func timerFired(_ now: MonotonicInstant, _ out: inout [VRRPAction]) {
        if let d = lingerDeadline, d <= now {
            lingerDeadline = nil
            if state != .master { releaseAddresses(&out) }
        }
        if let d = handover?.deadline, d <= now, state == .master {
            // Nobody took over: back to our own priority at once, so a Backup that saw the priority-0 adverts
            // learns we are still here before its Skew_Time could pass.
            endHandover(.noPeerAnswered, &out)
            sendAdvert(now, &out)
        }
        if let d = protocolDeadline, d <= now {
            switch state {
            case .backup:
                wantState = .master
                if syncAllowsMaster {
                    becomeMaster(nextMasterReason, now, &out)
                } else {
                    // keepalived: wait for the rest of the sync group to want MASTER too.
                    armDownTimer(masterDownInterval, now)
                }
            case .master:
                sendAdvert(now, &out, due: d)
                refreshIfDue(now, &out)
            case .initialize, .fault:
                protocolDeadline = nil
            }
        }
        guard state == .master, addressesSet else { return }
        let g = config.gratuitous
        if let d = garpDelayDeadline, d <= now {
            garpDelayDeadline = nil
            if g.masterRepeat > 0 { out.append(.sendGratuitous(config.installedAddresses, repeat: g.masterRepeat)) }
        }
        if let d = lowerPriorityGarpDeadline, d <= now {
            lowerPriorityGarpDeadline = nil
            if g.lowerPriorityRepeat > 0 { out.append(.sendGratuitous(config.installedAddresses, repeat: g.lowerPriorityRepeat)) }
        }
    }

    /// keepalived's vrrp_state_master_tx: after an advert, a refresh burst once garp_master_refresh has passed.
    private mutating func refreshIfDue(_ now: MonotonicInstant, _ out: inout [VRRPAction]) {
        guard addressesSet, let due = garpRefreshDue, due <= now else { return }
        let g = config.gratuitous
        garpRefreshDue = now + g.masterRefresh
        if g.masterRefreshRepeat > 0 { out.append(.sendGratuitous(config.installedAddresses, repeat: g.masterRefreshRepeat)) }
    }

    // MARK: - Master entry and exit

    /// Becomes Master: advert first (so the old Master drops the addresses before our GARPs), then addresses, then GARP.
    mutating func becomeMaster(_ reason: VRRPTransitionReason, _ now: MonotonicInstant, _ out: inout [VRRPAction]) {
        let old = state
        state = .master
        wantState = .master
        masterAdvertInterval = config.advertInterval
        master = nil
        preemptTime = nil
        isHeldBack = false
        let wasLingering = lingerDeadline != nil
        lingerDeadline = nil
        sendAdvert(now, &out)
        if wasLingering && addressesSet {
            // Still holding the addresses after a handover, but the neighbours were told to go to the peer.
            let g = config.gratuitous
            if g.masterRepeat > 0 { out.append(.sendGratuitous(config.installedAddresses, repeat: g.masterRepeat)) }
        }
        if !addressesSet {
            addressesSet = true
            out.append(.addVirtualAddresses(config.installedAddresses))
            let g = config.gratuitous
            if g.masterRepeat > 0 { out.append(.sendGratuitous(config.installedAddresses, repeat: g.masterRepeat)) }
            // keepalived (vrrp_state_become_master): second burst after garp_master_delay; the refresh is due
            // garp_master_refresh after becoming MASTER.
            if g.masterDelay > .zero { garpDelayDeadline = now + g.masterDelay }
            if g.masterRefresh > .zero { garpRefreshDue = now + g.masterRefresh }
        }
        out.append(.stateChanged(from: old, to: .master, reason: reason))
    }

    /// Sends an advert and sets the next one. Off the timer (`due` nil: becoming Master, answering an advert,
    /// a handover) the next is one interval from now. Off the advert timer (`due`: the deadline that fired) it is one
    /// interval after that deadline, not after `now`, so however late the timer fires the adverts stay on their grid
    /// and the lateness is not added to every interval; a timer more than an interval late (a stalled process)
    /// restarts the grid one interval from now rather than sending the missed adverts in a burst.
    private mutating func sendAdvert(_ now: MonotonicInstant, _ out: inout [VRRPAction], due: MonotonicInstant? = nil) {
        out.append(.sendAdvertisement(advertisement(priority: advertisedPriority)))
        protocolDeadline = Self.nextAdvert(after: due, interval: config.advertInterval, now: now)
    }

    /// When the advert after one sent at `now` is due: `due` + `interval` when that is still ahead, else (or without
    /// `due`) `now` + `interval`.
    static func nextAdvert(after due: MonotonicInstant?, interval: Duration, now: MonotonicInstant) -> MonotonicInstant {
        if let due, due + interval > now { return due + interval }
        return now + interval
    }

    /// Leaves Master for Backup or Fault; going to Fault first tells the others with priority 0 (keepalived).
    /// `lingering`: after a handover, the addresses stay that long (Backup only).
    mutating func leaveMaster(to new: VRRPState, reason: VRRPTransitionReason, lingering: Duration? = nil,
                              _ now: MonotonicInstant, _ out: inout [VRRPAction]) {
        if new == .fault { out.append(.sendAdvertisement(advertisement(priority: 0))) }
        if let linger = lingering, new == .backup, addressesSet {
            // No more gratuitous bursts of ours: the neighbours must follow the peer's.
            garpDelayDeadline = nil
            garpRefreshDue = nil
            lowerPriorityGarpDeadline = nil
            lingerDeadline = now + linger
        } else {
            releaseAddresses(&out)
        }
        state = new
        out.append(.stateChanged(from: .master, to: new, reason: reason))
    }

    // MARK: - Handover

    private mutating func beginHandover(_ request: VRRPHandoverRequest, _ now: MonotonicInstant, _ out: inout [VRRPAction]) {
        guard state == .master else {
            out.append(.handoverEnded(.notMaster))
            return
        }
        guard handover == nil else { return }   // already under way: the first request's timeout stands
        handover = (request, now + request.timeout)
        // At once rather than at the next advert: the peer's Skew_Time starts now.
        sendAdvert(now, &out)
    }

    private mutating func endHandover(_ outcome: VRRPHandoverOutcome, _ out: inout [VRRPAction]) {
        guard handover != nil else { return }
        handover = nil
        out.append(.handoverEnded(outcome))
    }

    private mutating func releaseAddresses(_ out: inout [VRRPAction]) {
        // A burst still queued for addresses we no longer hold must not go out (keepalived empties its GARP queue).
        garpDelayDeadline = nil
        garpRefreshDue = nil
        lowerPriorityGarpDeadline = nil
        lingerDeadline = nil
        guard addressesSet else { return }
        addressesSet = false
        out.append(.removeVirtualAddresses(config.installedAddresses))
    }

    private mutating func clearTimers() {
        protocolDeadline = nil
        lingerDeadline = nil
        garpDelayDeadline = nil
        garpRefreshDue = nil
        lowerPriorityGarpDeadline = nil
    }

    // MARK: - Fault

    private mutating func setFault(interface: Bool, track: Bool, _ now: MonotonicInstant, _ out: inout [VRRPAction]) {
        let wasFaulty = hasOwnFault
        interfaceIsDown = interface
        trackIsDown = track
        guard started else { return }   // startup decides from the flags
        if hasOwnFault && !wasFaulty {
            enterFault(interface ? .interfaceDown : .trackFault, now, &out)
        } else if !hasOwnFault && wasFaulty {
            tryLeaveFault(now, &out)
        }
    }

    /// Enters Fault (keepalived's down_instance): a Master sends priority 0 and releases its addresses.
    mutating func enterFault(_ reason: VRRPTransitionReason, _ now: MonotonicInstant, _ out: inout [VRRPAction]) {
        wantState = .fault
        endHandover(.interrupted, &out)
        switch state {
        case .master:
            leaveMaster(to: .fault, reason: reason, now, &out)
        case .backup, .initialize:
            releaseAddresses(&out)   // a Backup lingering after a handover
            let old = state
            state = .fault
            out.append(.stateChanged(from: old, to: .fault, reason: reason))
        case .fault:
            break
        }
        clearTimers()
        preemptTime = nil
    }

    /// Leaves Fault when nothing holds the instance there any more (keepalived's try_up_instance).
    mutating func tryLeaveFault(_ now: MonotonicInstant, _ out: inout [VRRPAction]) {
        guard started, !stopped, state == .fault, !hasOwnFault, !syncHeldInFault else { return }
        masterAdvertInterval = config.advertInterval
        if wantState == .master && isOwner && syncAllowsMaster {
            // keepalived keeps an owner's `state MASTER` only while it has never left FAULT since start.
            becomeMaster(.addressOwner, now, &out)
            return
        }
        wantState = .backup
        state = .backup
        preemptTime = nil
        master = nil
        nextMasterReason = .masterDown
        armDownTimer(masterDownInterval, now)
        out.append(.stateChanged(from: .fault, to: .backup, reason: .recovered))
    }

    // MARK: - Priority

    private mutating func changePriority(_ requested: UInt8, _ now: MonotonicInstant) {
        guard !isOwner else { return }   // keepalived never changes an owner's priority
        let p = min(max(requested, 1), 254)
        guard p != effectivePriority else { return }
        effectivePriority = p
        // keepalived (vrrp_set_effective_priority): recompute the down timer and move a Backup's
        // running deadline by the difference, so the skew matches the new priority.
        let old = downTimer
        let new = masterDownInterval
        downTimer = new
        if state == .backup, let d = protocolDeadline {
            protocolDeadline = new >= old ? d + (new - old) : d - (old - new)
        }
    }

    // MARK: - Sync group support

    /// Forced by the sync group to Backup (keepalived's vrrp_sync_backup).
    mutating func syncToBackup(_ now: MonotonicInstant, _ out: inout [VRRPAction]) {
        guard state != .backup, state != .initialize else { return }
        wantState = .backup
        if state == .master {
            // A member handing over goes with the group as if its own peer had answered.
            let linger = handover?.request.linger
            if let request = handover?.request { isHeldBack = request.holdBack }
            endHandover(.completed(newMaster: nil), &out)
            leaveMaster(to: .backup, reason: .syncGroup, lingering: linger, now, &out)
        } else {
            guard !hasOwnFault else { return }
            state = .backup
            out.append(.stateChanged(from: .fault, to: .backup, reason: .syncGroup))
        }
        masterAdvertInterval = config.advertInterval
        preemptTime = nil
        nextMasterReason = .masterDown
        armDownTimer(masterDownInterval, now)
    }

    /// Forced by the sync group to Master (keepalived's vrrp_sync_master).
    mutating func syncToMaster(_ now: MonotonicInstant, _ out: inout [VRRPAction]) {
        guard state == .backup || (state == .fault && !hasOwnFault && !syncHeldInFault) else { return }
        becomeMaster(.syncGroup, now, &out)
    }

    /// Forced by the sync group to Fault (keepalived's vrrp_sync_fault).
    mutating func syncToFault(_ now: MonotonicInstant, _ out: inout [VRRPAction]) {
        syncHeldInFault = true
        guard started, !stopped, state != .fault else { return }
        enterFault(.syncGroup, now, &out)
    }
}
