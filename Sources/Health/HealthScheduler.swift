import KeepalivedConfig
import Platform
import Wire

/// All checkers and track scripts of a configuration: when each runs next, and what each result means.
///
/// Pure: the clock is passed in (`now`), the randomness of warmup is injected, and nothing here does I/O.
/// The daemon asks for due tasks, runs them, and feeds results back; the returned events are the messages
/// and notify scripts that follow.
public struct HealthScheduler {
    /// Where a checker is written in the configuration the scheduler keeps: the check itself is read from there
    /// when needed (reload, MISC_CHECK, logs) instead of being copied per checker (~290 bytes each).
    struct CheckSource {
        var virtualServer: Int32
        var realServer: Int32
        var check: Int32
    }

    struct Checker {
        var source: CheckSource
        var timing: CheckerTiming
        var state: CheckerState
        /// When the first attempt is due; afterwards `hot` holds when it runs next.
        var firstDue: MonotonicInstant
        /// What an attempt of a TCP/HTTP/SSL checker needs, made once; nil for MISC_CHECK.
        var plan: ProbePlan?
    }

    struct RealServerEntry {
        var id: RealServerID
        var weight: Int
        var alpha: Bool
        /// Where the real server is written in `configuration` (its notify_up/notify_down are read there).
        var virtualServerIndex: Int32
        var realServerIndex: Int32
        var checkers: [Checker]
        var generation: UInt64
        /// The last verdict sent to ipvsd; nil until every checker has one.
        var reported: RealServerHealth?
        /// For notify_up/notify_down: the last state, starting at the assumed one (down under alpha).
        var effectiveUp: Bool
    }

    struct ScriptEntry {
        var script: VRRPScript
        var state: TrackScriptState
        var due: MonotonicInstant
        var running = false
        var generation: UInt64
    }

    /// The real servers in slots (a task carries its slot), and each id's slot.
    private var servers: [RealServerEntry] = []
    /// The configuration the checkers' `source` indices point into (shares its storage with the caller's copy).
    private var configuration = KeepalivedConfiguration()
    private var slotOf: [RealServerID: Int] = [:]
    /// Per slot, with no references in it (reading it costs no retain): its generation and where its checkers'
    /// `hot` entries start.
    private struct SlotInfo {
        var generation: UInt64
        var first: Int
        var count: Int
    }
    private var slotInfo: [SlotInfo] = []
    /// What every result and every due check touches, for all checkers in one flat array.
    private struct Hot {
        var due: MonotonicInstant
        var running: Bool
    }
    private var hot: [Hot] = []
    private var scripts: [String: ScriptEntry] = [:]
    private var heap = DeadlineHeap<HealthTask>()
    private var nextGeneration: UInt64 = 0
    /// Returns a number in 0...1 that spreads first checks over their warmup.
    private let random: () -> Double

    /// The schedule of `configuration` starting at `now`; `random` (0...1) places each first check within
    /// its warmup (pass `{ 0 }` for checks that start at once).
    public init(configuration: KeepalivedConfiguration, now: MonotonicInstant,
                random: @escaping () -> Double = { Double.random(in: 0...1) }) {
        self.random = random
        _ = reload(configuration, now: now)
    }

    // MARK: Queries

    /// The real servers being checked.
    public var realServerIDs: [RealServerID] { servers.map(\.id) }
    /// The track scripts being run (those some vrrp_instance tracks).
    public var scriptNames: [String] { Array(scripts.keys) }
    /// The number of checkers over all real servers.
    public var checkerCount: Int { servers.reduce(0) { $0 + $1.checkers.count } }

    /// The current view for a snapshot: real servers whose every checker has a verdict.
    public var realServerView: [RealServerHealth] { servers.compactMap(\.reported) }
    /// The current view for a snapshot: scripts with a result.
    public var trackScriptView: [String: Bool] {
        scripts.compactMapValues { $0.state.ok }
    }

    /// The checker a task runs, with where it connects and its timings.
    public func checker(for task: HealthTask) -> (check: HealthCheck, target: CheckTarget, timing: CheckerTiming)? {
        guard let (slot, index) = locate(task) else { return nil }
        let checker = servers[slot].checkers[index]
        let (check, realServer, virtualServer) = Self.resolve(checker.source, in: configuration)
        return (check, CheckTarget(check: check, realServer: realServer, virtualServer: virtualServer), checker.timing)
    }

    /// The prepared attempt of a TCP/HTTP/SSL checker's task; nil for scripts, MISC_CHECK and stale tasks.
    func plan(for task: HealthTask) -> ProbePlan? {
        guard let (slot, index) = locate(task) else { return nil }
        return servers[slot].checkers[index].plan
    }

    /// The slot and checker index of a current task: by its slot, else (after a reload moved it) by its id.
    private func locate(_ task: HealthTask) -> (slot: Int, index: Int)? {
        guard case .check(let id, let index) = task.kind else { return nil }
        var slot = task.slot
        if !(slotInfo.indices.contains(slot) && slotInfo[slot].generation == task.generation) {
            guard let found = slotOf[id], slotInfo[found].generation == task.generation else { return nil }
            slot = found
        }
        guard index >= 0 && index < slotInfo[slot].count else { return nil }
        return (slot, index)
    }

    /// The flat `hot` index of a checker.
    private func hotIndex(_ slot: Int, _ index: Int) -> Int { slotInfo[slot].first + index }

    /// The script a task runs.
    public func script(for task: HealthTask) -> VRRPScript? {
        guard case .script(let name) = task.kind, let entry = scripts[name],
              entry.generation == task.generation else { return nil }
        return entry.script
    }

    /// notify_up / notify_down of a real server.
    public func notifyCommand(of id: RealServerID, up: Bool) -> ScriptCommand? {
        guard let slot = slotOf[id] else { return nil }
        let entry = servers[slot]
        let realServer = configuration.virtualServers[Int(entry.virtualServerIndex)]
            .realServers[Int(entry.realServerIndex)]
        return up ? realServer.notifyUp : realServer.notifyDown
    }

    /// Whether a checker is down right now, waiting to retry, or up (for tests and status).
    public func checkerState(_ id: RealServerID, index: Int) -> CheckerState? {
        guard let slot = slotOf[id], servers[slot].checkers.indices.contains(index) else { return nil }
        let entry = servers[slot]
        return entry.checkers[index].state
    }

    /// When a checker or script runs next; nil while it runs or when there is none.
    public func nextRun(of kind: HealthTask.Kind) -> MonotonicInstant? {
        switch kind {
        case .check(let id, let index):
            guard let slot = slotOf[id], index >= 0 && index < slotInfo[slot].count,
                  !hot[hotIndex(slot, index)].running else { return nil }
            return hot[hotIndex(slot, index)].due
        case .script(let name):
            guard let entry = scripts[name], !entry.running else { return nil }
            return entry.due
        }
    }

    // MARK: Running

    /// The earliest time a task is due; nil when nothing is waiting.
    public mutating func nextDeadline() -> MonotonicInstant? {
        while let top = heap.earliest {
            if isCurrent(top.key, due: top.deadline) { return top.deadline }
            _ = heap.pop()
        }
        return nil
    }

    /// Every task due at `now`, marked running: each must be answered with `complete`.
    public mutating func takeDue(now: MonotonicInstant) -> [HealthTask] {
        var due: [HealthTask] = []
        while let top = heap.earliest, top.deadline <= now {
            _ = heap.pop()
            var task = top.key
            if case .check = task.kind {
                guard let (slot, index) = locate(task) else { continue }
                let flat = hotIndex(slot, index)
                guard !hot[flat].running, hot[flat].due == top.deadline else { continue }
                hot[flat].running = true
                task.slot = slot
            } else {
                guard isCurrent(task, due: top.deadline) else { continue }
                setRunning(task, true)
            }
            due.append(task)
        }
        return due
    }

    /// Records the outcome of a task taken with `takeDue`, schedules its next run, and returns what follows.
    public mutating func complete(_ task: HealthTask, _ outcome: CheckOutcome, now: MonotonicInstant) -> [HealthEvent] {
        switch task.kind {
        case .check:
            guard let (slot, index) = locate(task) else { return [] }
            let flat = hotIndex(slot, index)
            guard hot[flat].running else { return [] }
            // In place: no copy of the entry or its checkers.
            let delay = Self.record(outcome, in: &servers[slot].checkers[index])
            let due = now + delay
            hot[flat] = Hot(due: due, running: false)
            var next = task
            next.slot = slot
            heap.push(due, next)
            return Self.verdictEvents(&servers[slot])
        case .script(let name):
            guard var entry = scripts[name], entry.generation == task.generation, entry.running else { return [] }
            let changed = entry.state.record(success: outcome.passed)
            entry.running = false
            entry.due = now + entry.script.interval
            heap.push(entry.due, task)
            scripts[name] = entry
            return changed.map { [.trackScript(name: name, ok: $0)] } ?? []
        }
    }

    private static func record(_ outcome: CheckOutcome, in checker: inout Checker) -> Duration {
        checker.state.record(outcome, timing: checker.timing)
    }

    /// The real server's verdict after a result: a message when it is new or changed, a transition for notify.
    private static func verdictEvents(_ entry: inout RealServerEntry) -> [HealthEvent] {
        guard entry.checkers.allSatisfy(\.state.hasVerdict) else { return [] }
        let up = entry.checkers.allSatisfy(\.state.up)
        let health = RealServerHealth(id: entry.id, up: up, weight: Int32(clamping: effectiveWeight(entry)))
        var events: [HealthEvent] = []
        if health != entry.reported {
            entry.reported = health
            events.append(.realServerHealth(health))
        }
        if up != entry.effectiveUp {
            entry.effectiveUp = up
            events.append(.realServerTransition(entry.id, up: up))
        }
        return events
    }

    /// keepalived's misc_dynamic: each dynamic checker moves the weight by (its weight − configured weight),
    /// so one such checker sets the weight to its exit status − 2.
    private static func effectiveWeight(_ entry: RealServerEntry) -> Int {
        entry.checkers.reduce(entry.weight) { total, checker in
            guard let dynamic = checker.state.dynamicWeight else { return total }
            return total + (dynamic - entry.weight)
        }
    }

    private func isCurrent(_ task: HealthTask, due: MonotonicInstant) -> Bool {
        switch task.kind {
        case .check:
            guard let (slot, index) = locate(task) else { return false }
            let flat = hotIndex(slot, index)
            return !hot[flat].running && hot[flat].due == due
        case .script(let name):
            guard let entry = scripts[name], entry.generation == task.generation else { return false }
            return !entry.running && entry.due == due
        }
    }

    private mutating func setRunning(_ task: HealthTask, _ running: Bool) {
        switch task.kind {
        case .check:
            if let (slot, index) = locate(task) { hot[hotIndex(slot, index)].running = running }
        case .script(let name): scripts[name]?.running = running
        }
    }

    // MARK: Reload

    /// Applies a new configuration: unchanged real servers and scripts keep their state and schedule, removed
    /// ones stop, new ones start (and say nothing until they have a result). Returns the events of real servers
    /// whose weight alone changed.
    public mutating func reload(_ configuration: KeepalivedConfiguration, now: MonotonicInstant) -> [HealthEvent] {
        var events: [HealthEvent] = []
        var nextServers: [RealServerEntry] = []
        var nextSlotOf: [RealServerID: Int] = [:]
        var nextSlotInfo: [SlotInfo] = []
        var nextHot: [Hot] = []
        for (vsIndex, virtualServer) in configuration.virtualServers.enumerated() {
            // A real server without checkers has nothing to report (ipvsd keeps it as configured, alive even
            // under alpha, as keepalived does), so it costs nothing here: 100,000 of them in one file are common.
            for (rsIndex, realServer) in virtualServer.realServers.enumerated() where !realServer.checks.isEmpty {
                let ids = RealServerIdentity.ids(of: realServer, in: virtualServer,
                                                 groups: configuration.virtualServerGroups)
                for id in ids where nextSlotOf[id] == nil {
                    var fresh = makeEntry(id: id, realServer: realServer, virtualServer: virtualServer,
                                          at: (Int32(vsIndex), Int32(rsIndex)), now: now)
                    var hotOfEntry: [Hot]
                    if let oldSlot = slotOf[id],
                       Self.sameCheckers(servers[oldSlot], in: self.configuration, fresh, in: configuration) {
                        var old = servers[oldSlot]
                        // Same checkers, now written where the new configuration has them.
                        for index in old.checkers.indices { old.checkers[index].source = fresh.checkers[index].source }
                        let info = slotInfo[oldSlot]
                        hotOfEntry = Array(hot[info.first..<(info.first + info.count)])
                        // Same checkers: keep their state and schedule; take the new weight and notify commands.
                        old.virtualServerIndex = fresh.virtualServerIndex
                        old.realServerIndex = fresh.realServerIndex
                        if old.weight != fresh.weight {
                            old.weight = fresh.weight
                            if old.reported != nil { old.reported = nil; events += Self.verdictEvents(&old) }
                        }
                        fresh = old
                    } else {
                        schedule(fresh, slot: nextServers.count)
                        hotOfEntry = fresh.checkers.map { Hot(due: $0.firstDue, running: false) }
                    }
                    nextSlotOf[id] = nextServers.count
                    nextSlotInfo.append(SlotInfo(generation: fresh.generation, first: nextHot.count,
                                                 count: fresh.checkers.count))
                    nextHot += hotOfEntry
                    nextServers.append(fresh)
                }
            }
        }
        servers = nextServers
        self.configuration = configuration
        slotOf = nextSlotOf
        slotInfo = nextSlotInfo
        hot = nextHot

        let tracked = Set(configuration.vrrpInstances.flatMap { $0.trackScripts.map(\.name) })
        var nextScripts: [String: ScriptEntry] = [:]
        for script in configuration.vrrpScripts where tracked.contains(script.name) && script.command != nil {
            if let old = scripts[script.name], Self.sameScript(old.script, script) {
                nextScripts[script.name] = old
                continue
            }
            nextGeneration += 1
            let entry = ScriptEntry(script: script, state: TrackScriptState(rise: script.rise, fall: script.fall),
                                    due: now, generation: nextGeneration)
            heap.push(entry.due, HealthTask(kind: .script(script.name), generation: entry.generation))
            nextScripts[script.name] = entry
        }
        scripts = nextScripts
        if heap.count > 64 && heap.count > 4 * (checkerCount + scripts.count) {
            var pruned = heap
            pruned.removeAll { !isCurrent($0.key, due: $0.deadline) }
            heap = pruned
        }
        return events
    }

    private mutating func makeEntry(id: RealServerID, realServer: RealServer, virtualServer: VirtualServer,
                                    at position: (virtualServer: Int32, realServer: Int32),
                                    now: MonotonicInstant) -> RealServerEntry {
        nextGeneration += 1
        let alpha = realServer.alpha ?? virtualServer.alpha
        let checkers = realServer.checks.enumerated().map { index, check in
            let timing = CheckerTiming(check: check, realServer: realServer, virtualServer: virtualServer)
            let fraction = min(1, max(0, random()))
            let target = CheckTarget(check: check, realServer: realServer, virtualServer: virtualServer)
            let source = CheckSource(virtualServer: position.virtualServer, realServer: position.realServer,
                                     check: Int32(index))
            return Checker(source: source, timing: timing, state: CheckerState(alpha: alpha),
                           firstDue: now + timing.warmup * fraction,
                           plan: ProbePlan(check: check, target: target, timing: timing))
        }
        return RealServerEntry(id: id, weight: realServer.weight, alpha: alpha,
                               virtualServerIndex: position.virtualServer, realServerIndex: position.realServer,
                               checkers: checkers, generation: nextGeneration,
                               reported: nil, effectiveUp: !alpha)
    }

    private mutating func schedule(_ entry: RealServerEntry, slot: Int) {
        for (index, checker) in entry.checkers.enumerated() {
            heap.push(checker.firstDue, HealthTask(kind: .check(entry.id, index: index), generation: entry.generation,
                                              slot: slot))
        }
    }

    private static func sameCheckers(_ a: RealServerEntry, in aConfiguration: KeepalivedConfiguration,
                                     _ b: RealServerEntry, in bConfiguration: KeepalivedConfiguration) -> Bool {
        a.alpha == b.alpha && a.checkers.count == b.checkers.count
            && zip(a.checkers, b.checkers).allSatisfy { old, new in
                guard old.timing == new.timing else { return false }
                let (oldCheck, oldReal, oldVirtual) = resolve(old.source, in: aConfiguration)
                let (newCheck, newReal, newVirtual) = resolve(new.source, in: bConfiguration)
                return CheckFingerprint.of(oldCheck) == CheckFingerprint.of(newCheck)
                    && CheckTarget(check: oldCheck, realServer: oldReal, virtualServer: oldVirtual)
                        == CheckTarget(check: newCheck, realServer: newReal, virtualServer: newVirtual)
            }
    }

    /// The check a source points at, with its real and virtual server.
    private static func resolve(_ source: CheckSource, in configuration: KeepalivedConfiguration)
        -> (HealthCheck, RealServer, VirtualServer) {
        let virtualServer = configuration.virtualServers[Int(source.virtualServer)]
        let realServer = virtualServer.realServers[Int(source.realServer)]
        return (realServer.checks[Int(source.check)], realServer, virtualServer)
    }

    private static func sameScript(_ a: VRRPScript, _ b: VRRPScript) -> Bool {
        a.command.map(CheckFingerprint.strip) == b.command.map(CheckFingerprint.strip) && a.interval == b.interval
            && a.effectiveTimeout == b.effectiveTimeout && a.rise == b.rise && a.fall == b.fall
            && a.user == b.user && a.group == b.group
    }
}
