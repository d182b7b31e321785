// Effective priority from tracked scripts, as keepalived's vrrp_track.c computes it.

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

/// What tracking makes of an instance: the priority to advertise and whether it must be in FAULT.
public struct VRRPTrackingResult: Hashable, Sendable {
    /// Effective priority: base + weights, clamped to 1...254; 255 for an address owner.
    public var effectivePriority: UInt8
    /// Names of weight-0 scripts whose result puts the instance in FAULT.
    public var faultingScripts: [String]
    /// Names of weight-0 scripts with no result yet: keepalived holds the instance out of BACKUP/MASTER until they report.
    public var pendingScripts: [String]
    /// True when the instance may not run (send `.trackDown` to the state machine).
    public var isDown: Bool { !faultingScripts.isEmpty || !pendingScripts.isEmpty }
}

/// Computes the effective priority and fault state from a base priority and the tracked scripts' results.
///
/// weight > 0 adds while the script succeeds; weight < 0 adds (lowers) while it fails; `reverse` swaps
/// success and failure; weight 0 faults the instance while failing (succeeding, if reversed). A script with
/// no result contributes nothing (keepalived counts a weighted script only once it has exited).
public func vrrpTracking(basePriority: UInt8, scripts: [VRRPTrackedScript]) -> VRRPTrackingResult {
    var total = Int(basePriority)
    var faulting: [String] = []
    var pending: [String] = []
    for s in scripts {
        guard s.status != .unknown else {
            if s.weight == 0 { pending.append(s.name) }
            continue
        }
        // "Good" is success, or failure when reversed.
        let good = (s.status == .ok) != s.reverse
        if s.weight == 0 {
            if !good { faulting.append(s.name) }
        } else if s.weight > 0 {
            // keepalived: reverse turns "+w while OK" into "−w while OK".
            if s.status == .ok { total += s.reverse ? -s.weight : s.weight }
        } else {
            if s.status == .failed { total += s.reverse ? -s.weight : s.weight }
        }
    }
    let priority: UInt8
    if basePriority == 255 {
        priority = 255   // an address owner's priority never changes
    } else {
        priority = UInt8(min(max(total, 1), 254))
    }
    return VRRPTrackingResult(effectivePriority: priority, faultingScripts: faulting, pendingScripts: pending)
}
