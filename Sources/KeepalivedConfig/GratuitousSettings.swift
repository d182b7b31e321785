/// Gratuitous ARP / unsolicited NA settings: keepalived's `garp_*`/`gna_*` keywords in global_defs, in a
/// vrrp_instance, and in `garp_group` blocks.

import Vocabulary

/// `garp_master_delay`, `garp_master_repeat`, `garp_master_refresh`, `garp_master_refresh_repeat`. keepalived
/// copies global_defs' `vrrp_garp_master_*` into an instance when it reads the `vrrp_instance` line, so a
/// global_defs that comes after an instance does not change it; the loader does the same.
public struct GARPMasterTiming: Hashable, Sendable {
    /// Delay of the second burst after becoming MASTER; zero: no second burst.
    public var delay: Duration = .seconds(5)
    /// Messages per address in the bursts after becoming MASTER.
    public var repeatCount = 5
    /// Period of refresh bursts while MASTER, checked when an advert is sent; zero: none.
    public var refresh: Duration = .zero
    /// Messages per address in each refresh burst.
    public var refreshRepeatCount = 1

    public init() {}
}

/// `garp_group { garp_interval T gna_interval T interface IF | interfaces { IF … } }`: the least time between two
/// gratuitous ARPs (IPv4) or two unsolicited NAs (IPv6) sent on the interfaces named.
public struct GARPGroup: Hashable, Sendable {
    public var garpInterval: Duration?
    public var gnaInterval: Duration?
    public var interfaces: [String] = []
    public var location: ConfigLocation

    public init(location: ConfigLocation) { self.location = location }
}

/// The spacing of announcements per interface: a `garp_group` naming it, else global_defs' `vrrp_garp_interval`
/// and `vrrp_gna_interval` (keepalived's set_default_garp_delay gives those to every interface without a group).
public struct AnnouncementSpacing: Hashable, Sendable {
    public struct Intervals: Hashable, Sendable {
        public var garp: Duration
        public var gna: Duration
    }
    public var byDefault: Intervals
    public var byInterface: [String: Intervals] = [:]

    public init(_ config: KeepalivedConfiguration) {
        byDefault = Intervals(garp: config.global.garpInterval, gna: config.global.gnaInterval)
        for group in config.garpGroups {
            for name in group.interfaces where byInterface[name] == nil {
                // keepalived: a group without garp_interval (gna_interval) leaves that family unspaced.
                byInterface[name] = Intervals(garp: group.garpInterval ?? .zero, gna: group.gnaInterval ?? .zero)
            }
        }
    }

    /// The least time between two announcements of `family` on `interface`; zero: no spacing.
    public func interval(on interface: String, for family: IPAddressFamily) -> Duration {
        let intervals = byInterface[interface] ?? byDefault
        return family == .ipv4 ? intervals.garp : intervals.gna
    }
}

extension VRRPInstanceDefinition {
    /// keepalived's vrrp_complete_instance: an instance's `garp_lower_prio_*` default to global_defs'
    /// `vrrp_garp_lower_prio_*`, which default to the global `vrrp_garp_master_repeat`/`_delay` (not the
    /// instance's own).
    public func garpLowerPriorityRepeat(_ global: GlobalDefinitions) -> Int {
        garpLowerPriorityRepeatSetting ?? global.garpLowerPriorityRepeat ?? global.garpMaster.repeatCount
    }

    public func garpLowerPriorityDelay(_ global: GlobalDefinitions) -> Duration {
        garpLowerPriorityDelaySetting ?? global.garpLowerPriorityDelay ?? global.garpMaster.delay
    }

    /// `lower_prio_no_advert`, else global_defs' `vrrp_lower_prio_no_advert` (default off).
    public func lowerPriorityNoAdvert(_ global: GlobalDefinitions) -> Bool {
        lowerPriorityNoAdvertSetting ?? global.lowerPriorityNoAdvert
    }

    /// `higher_prio_send_advert`, else global_defs' `vrrp_higher_prio_send_advert` (default on in tandem, off in
    /// keepalived: see GlobalDefinitions.higherPrioritySendAdvert).
    public func higherPrioritySendAdvert(_ global: GlobalDefinitions) -> Bool {
        higherPrioritySendAdvertSetting ?? global.higherPrioritySendAdvert
    }
}

/// The keywords, shared by global_defs (`vrrp_`-prefixed) and vrrp_instance.
enum GratuitousKeywords {
    /// `garp_master_delay SECONDS` (whole seconds in keepalived; a fraction is an error here as there).
    static func delay(_ s: Statement, values: inout ValueParser) -> Duration? {
        values.integer(s.arguments[0], s.name, in: 0...Int(UInt32.max / 1_000_000)).map { .seconds($0) }
    }

    /// `garp_master_repeat N` / `garp_master_refresh_repeat N`: keepalived takes 0 (before 2.0.7 it meant
    /// "none") and makes it 1, saying so.
    static func repeatCount(_ s: Statement, values: inout ValueParser) -> Int? {
        guard let count = values.integer(s.arguments[0], s.name, in: 0...Int(UInt32.max)) else { return nil }
        if count == 0 {
            values.log.warning(s.arguments[0].location, "\(s.name) must be greater than 0; 1 is used, as keepalived does")
            return 1
        }
        return count
    }

    /// `garp_master_refresh SECONDS`: whole seconds; 0 is none.
    static func refresh(_ s: Statement, values: inout ValueParser) -> Duration? {
        values.integer(s.arguments[0], s.name, in: 0...Int(UInt32.max)).map { .seconds($0) }
    }

    /// `garp_lower_prio_repeat N`: 0 sends none.
    static func lowerPriorityRepeat(_ s: Statement, values: inout ValueParser) -> Int? {
        values.integer(s.arguments[0], s.name, in: 0...Int(Int32.max))
    }

    /// `vrrp_garp_interval`/`vrrp_gna_interval`, in seconds with up to six decimals; more than 0.
    static func interval(_ s: Statement, allowZero: Bool, values: inout ValueParser) -> Duration? {
        guard let interval = values.duration(s.arguments[0], s.name, allowZero: allowZero) else { return nil }
        if interval >= .seconds(1) {
            values.log.warning(s.arguments[0].location, "\(s.name) \(s.arguments[0].word ?? "") is very large: at most one announcement per interface per interval")
        }
        return interval
    }

    /// The keywords global_defs (`prefix` "vrrp_") and vrrp_instance (no prefix) share: the MASTER bursts and the
    /// lower-priority ones.
    static func addShared<T>(to table: inout KeywordTable<T>, prefix: String,
                             master: WritableKeyPath<T, GARPMasterTiming> & Sendable,
                             lowerPriorityDelay delayField: WritableKeyPath<T, Duration?> & Sendable,
                             lowerPriorityRepeat repeatField: WritableKeyPath<T, Int?> & Sendable) {
        table.add(prefix + "garp_master_delay", arity: .exactly(1)) { target, s, values in
            if let delay = delay(s, values: &values) { target[keyPath: master].delay = delay }
        }
        table.add(prefix + "garp_master_repeat", arity: .exactly(1)) { target, s, values in
            if let count = repeatCount(s, values: &values) { target[keyPath: master].repeatCount = count }
        }
        table.add(prefix + "garp_master_refresh", arity: .exactly(1)) { target, s, values in
            // keepalived: an invalid value turns the refresh off.
            target[keyPath: master].refresh = refresh(s, values: &values) ?? .zero
        }
        table.add(prefix + "garp_master_refresh_repeat", arity: .exactly(1)) { target, s, values in
            if let count = repeatCount(s, values: &values) { target[keyPath: master].refreshRepeatCount = count }
        }
        table.add(prefix + "garp_lower_prio_delay", arity: .exactly(1)) { target, s, values in
            if let delay = delay(s, values: &values) { target[keyPath: delayField] = delay }
        }
        table.add(prefix + "garp_lower_prio_repeat", arity: .exactly(1)) { target, s, values in
            if let count = lowerPriorityRepeat(s, values: &values) { target[keyPath: repeatField] = count }
        }
    }

    static func addGlobal(to table: inout KeywordTable<GlobalDefinitions>) {
        addShared(to: &table, prefix: "vrrp_", master: \.garpMaster, lowerPriorityDelay: \.garpLowerPriorityDelay,
                  lowerPriorityRepeat: \.garpLowerPriorityRepeat)
        table.add("vrrp_garp_interval", arity: .exactly(1)) { global, s, values in
            if let interval = interval(s, allowZero: false, values: &values) { global.garpInterval = interval }
        }
        table.add("vrrp_gna_interval", arity: .exactly(1)) { global, s, values in
            if let interval = interval(s, allowZero: false, values: &values) { global.gnaInterval = interval }
        }
        table.add("vrrp_min_garp", arity: .between(0, 1)) { global, s, values in
            // keepalived: one message, no repeat, no refresh, no second burst — for the settings still at their
            // defaults when this line is read.
            guard values.flag(s) else { return }
            let defaults = GARPMasterTiming()
            if global.garpMaster.repeatCount == defaults.repeatCount { global.garpMaster.repeatCount = 1 }
            if global.garpMaster.refresh == defaults.refresh { global.garpMaster.refresh = .zero }
            if global.garpMaster.refreshRepeatCount == defaults.refreshRepeatCount { global.garpMaster.refreshRepeatCount = 0 }
            if global.garpMaster.delay == defaults.delay { global.garpMaster.delay = .zero }
        }
        table.add("vrrp_lower_prio_no_advert", arity: .between(0, 1)) { global, s, values in
            global.lowerPriorityNoAdvert = values.flag(s)
        }
        table.add("vrrp_higher_prio_send_advert", arity: .between(0, 1)) { global, s, values in
            global.higherPrioritySendAdvert = values.flag(s)
        }
    }

    static func addInstance(to table: inout KeywordTable<VRRPInstanceDefinition>) {
        addShared(to: &table, prefix: "", master: \.garpMaster, lowerPriorityDelay: \.garpLowerPriorityDelaySetting,
                  lowerPriorityRepeat: \.garpLowerPriorityRepeatSetting)
        table.add("lower_prio_no_advert", arity: .between(0, 1)) { instance, s, values in
            instance.lowerPriorityNoAdvertSetting = values.flag(s)
        }
        table.add("higher_prio_send_advert", arity: .between(0, 1)) { instance, s, values in
            instance.higherPrioritySendAdvertSetting = values.flag(s)
        }
    }

    static let garpGroupTable: KeywordTable<GARPGroup> = {
        var table = KeywordTable<GARPGroup>("garp_group")
        table.add("garp_interval", arity: .exactly(1)) { group, s, values in
            if let interval = interval(s, allowZero: true, values: &values) { group.garpInterval = interval }
        }
        table.add("gna_interval", arity: .exactly(1)) { group, s, values in
            if let interval = interval(s, allowZero: true, values: &values) { group.gnaInterval = interval }
        }
        table.add("interface", arity: .exactly(1)) { group, s, _ in
            if let name = s.arguments[0].word { group.interfaces.append(name) }
        }
        table.add("interfaces", arity: .rest(minimum: 0), block: true) { group, s, _ in
            group.interfaces += ListReader.words(of: s)
        }
        return table
    }()

    /// A `garp_group` block; an interface already in an earlier group is refused there, as keepalived ignores it.
    static func group(_ s: Statement, existing: [GARPGroup], values: inout ValueParser) -> GARPGroup {
        var group = GARPGroup(location: s.location)
        garpGroupTable.apply(s.block ?? [], to: &group, values: &values)
        let taken = Set(existing.flatMap(\.interfaces))
        for name in group.interfaces where taken.contains(name) {
            values.log.warning(s.location, "garp_group already specified for \(name); this one is ignored for it, as keepalived does")
        }
        group.interfaces = group.interfaces.filter { !taken.contains($0) }
        if group.interfaces.isEmpty {
            values.log.warning(s.location, "garp_group names no interface; it has no effect")
        }
        return group
    }
}
