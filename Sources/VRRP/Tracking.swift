// Effective priority and fault from tracked scripts and interfaces, as keepalived's vrrp_track.c computes them.

/// The last known result of a tracked script.
public enum VRRPTrackStatus: Hashable, Sendable {
    /// No result yet (checkd has not reported since start).
    case unknown
    /// The script succeeded (risen).
    case ok
    /// The script failed (fallen).
    case failed
}

/// One `track_script` entry of an instance, with the script's defaults and the instance's overrides.
public struct VRRPTrackedScript: Hashable, Sendable {
    /// Script name, for fault reporting.
    public var name: String
    /// `weight` from the vrrp_script block (0 if absent).
    public var scriptWeight: Int
    /// `weight … reverse` from the vrrp_script block.
    public var scriptReverse: Bool
    /// `track_script { name weight N }` override in the instance, if given.
    public var instanceWeight: Int?
    /// `reverse` / `noreverse` after the instance's weight, if given.
    public var instanceReverse: Bool?
    public var status: VRRPTrackStatus

    /// Creates a tracked script entry.
    public init(name: String, scriptWeight: Int = 0, scriptReverse: Bool = false,
                instanceWeight: Int? = nil, instanceReverse: Bool? = nil, status: VRRPTrackStatus = .unknown) {
        self.name = name
        self.scriptWeight = scriptWeight
        self.scriptReverse = scriptReverse
        self.instanceWeight = instanceWeight
        self.instanceReverse = instanceReverse
        self.status = status
    }

    /// The weight in force: the instance override, else the script's; keepalived's range −253...253.
    public var weight: Int { min(max(instanceWeight ?? scriptWeight, -253), 253) }
    /// Whether the sense is reversed: the instance override, else the script's.
    public var reverse: Bool { instanceReverse ?? scriptReverse }
}

/// One interface an instance tracks: its own (unless `dont_track_primary`), those its addresses live on, and its
/// and its sync group's `track_interface` entries.
public struct VRRPTrackedInterface: Hashable, Sendable {
    public var name: String
    /// 0: down (up, if reversed) puts the instance in FAULT; otherwise the priority moves, as a script's weight does.
    public var weight: Int
    public var reverse: Bool
    /// Administratively up and running (keepalived's IFF_UP and IFF_RUNNING); a missing interface is down.
    public var isUp: Bool

    public init(name: String, weight: Int = 0, reverse: Bool = false, isUp: Bool = true) {
        self.name = name
        self.weight = min(max(weight, -253), 253)
        self.reverse = reverse
        self.isUp = isUp
    }
}

/// What tracking makes of an instance: the priority to advertise and whether it must be in FAULT.
public struct VRRPTrackingResult: Hashable, Sendable {
    /// Effective priority: base + weights, clamped to 1...254; 255 for an address owner.
    public var effectivePriority: UInt8
    /// Names of weight-0 scripts whose result puts the instance in FAULT.
    public var faultingScripts: [String]
    /// Names of weight-0 scripts with no result yet: keepalived holds the instance out of BACKUP/MASTER until they report.
    public var pendingScripts: [String]
    /// Names of weight-0 tracked interfaces whose state puts the instance in FAULT.
    public var faultingInterfaces: [String]
    /// What each tracked script and interface does to the instance now, in configuration order (scripts first).
    public var contributions: [VRRPTrackContribution] = []
    /// True when a script holds the instance in FAULT (send `.trackDown` to the state machine).
    public var isScriptFault: Bool { !faultingScripts.isEmpty || !pendingScripts.isEmpty }
    /// True when an interface holds the instance in FAULT (send `.interfaceDown`).
    public var isInterfaceFault: Bool { !faultingInterfaces.isEmpty }
}

/// Computes the effective priority and fault state from a base priority, the tracked scripts' results and the
/// tracked interfaces' states (keepalived/vrrp/vrrp_track.c and process_if_status_change).
///
/// Scripts and interfaces follow one rule, with "good" meaning the script succeeds or the link is up: weight > 0
/// adds while good; weight < 0 adds (lowers) while not good; `reverse` negates the weight; weight 0 faults the
/// instance while not good (while good, if reversed). A script with no result contributes nothing (keepalived
/// counts a weighted script only once it has exited).
/// One tracked object's part in an instance's priority or fault, for the operator's status.
public struct VRRPTrackContribution: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable { case script, interface }
    public var kind: Kind
    public var name: String
    /// The script succeeds / the link is up; nil: the script has not reported yet.
    public var good: Bool?
    public var weight: Int
    public var reverse: Bool
    /// What it adds to the base priority now (negative lowers it).
    public var adds: Int
    /// It holds the instance in FAULT now (weight 0), or would once it has reported (pending).
    public var faults: Bool
}

public func vrrpTracking(basePriority: UInt8, scripts: [VRRPTrackedScript],
                         interfaces: [VRRPTrackedInterface] = []) -> VRRPTrackingResult {
    var total = Int(basePriority)
    var faultingScripts: [String] = []
    var pending: [String] = []
    var faultingInterfaces: [String] = []
    var contributions: [VRRPTrackContribution] = []

    /// What one tracked object adds, or whether it faults the instance.
    func count(weight: Int, reverse: Bool, good: Bool) -> (add: Int, faults: Bool) {
        if weight == 0 { return (0, good == reverse) }
        let active = weight > 0 ? good : !good
        return (active ? (reverse ? -weight : weight) : 0, false)
    }

    for s in scripts {
        guard s.status != .unknown else {
            if s.weight == 0 { pending.append(s.name) }
            contributions.append(.init(kind: .script, name: s.name, good: nil, weight: s.weight, reverse: s.reverse,
                                       adds: 0, faults: s.weight == 0))
            continue
        }
        let (add, faults) = count(weight: s.weight, reverse: s.reverse, good: s.status == .ok)
        total += add
        if faults { faultingScripts.append(s.name) }
        contributions.append(.init(kind: .script, name: s.name, good: s.status == .ok, weight: s.weight, reverse: s.reverse,
                                   adds: add, faults: faults))
    }
    for i in interfaces {
        let (add, faults) = count(weight: i.weight, reverse: i.reverse, good: i.isUp)
        total += add
        if faults { faultingInterfaces.append(i.name) }
        contributions.append(.init(kind: .interface, name: i.name, good: i.isUp, weight: i.weight, reverse: i.reverse,
                                   adds: add, faults: faults))
    }
    let priority: UInt8
    if basePriority == 255 {
        priority = 255   // an address owner's priority never changes
    } else {
        priority = UInt8(min(max(total, 1), 254))
    }
    return VRRPTrackingResult(effectivePriority: priority, faultingScripts: faultingScripts, pendingScripts: pending,
                              faultingInterfaces: faultingInterfaces, contributions: contributions)
}
