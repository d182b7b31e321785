import KeepalivedConfig
import Wire
import Vocabulary

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
        /// What an attempt of a TCP/HTTP/SSL checker needs, made once; nil for MISC_CHECK.
        var plan: ProbePlan?
        /// The last attempt that ended, for the operator's status; nil before the first.
        var last: LastAttempt?
        /// FILE_CHECK: never due; the file's value sets it (`trackedFileChanged`).
        var followsFile: Bool
    }

    /// What was last sent to ipvsd about a real server.
    struct Verdict: Equatable {
        var up: Bool
        var weight: Int32
    }

    /// One real server of one `virtual_server` block being checked. Holds no references (reading it costs no
    /// retain); its checkers are `checkers[firstChecker ..< firstChecker + checkerCount]` and its identities
    /// `identities[firstIdentity ..< firstIdentity + identityCount]`, so a server costs no array of its own.
    /// keepalived runs one set of checkers per real server and applies it to every service of the block (each
    /// address of a group): so does checkd, and it reports the verdict under each of the server's identities.
    struct RealServerEntry {
        var firstIdentity: Int32
        var identityCount: Int32
        var generation: UInt64
        var weight: Int32
        /// Where the real server is written in `configuration` (its notify_up/notify_down are read there).
        var virtualServerIndex: Int32
        var realServerIndex: Int32
        var firstChecker: Int32
        var checkerCount: Int32
        /// The last verdict sent to ipvsd; nil until every checker has one.
        var reported: Verdict?
        var alpha: Bool
        /// For notify_up/notify_down: the last state, starting at the assumed one (down under alpha).
        var effectiveUp: Bool

        var checkerRange: Range<Int> { Int(firstChecker)..<Int(firstChecker + checkerCount) }
        var identityRange: Range<Int> { Int(firstIdentity)..<Int(firstIdentity + identityCount) }
    }

    struct ScriptEntry {
        var script: VRRPScript
        var state: TrackScriptState
        var due: MonotonicInstant
        var running = false
        var generation: UInt64
        var last: LastAttempt?
    }

    /// What the deadline heap holds: a checker by slot and index, or a script by name (no 48-byte id per entry).
    /// The heap is rebuilt on every reload, so a slot in it always means the current `servers`.
    enum Due {
        case check(slot: Int32, index: Int32, generation: UInt64)
        case script(String, generation: UInt64)
    }

    /// The real servers in slots (a task carries its slot).
    private(set) var servers: [RealServerEntry] = []
    /// Every checker of every real server, in slot order.
    private(set) var checkers: [Checker] = []
    /// What every result and every due check touches, parallel to `checkers`.
    private struct Hot {
        var due: MonotonicInstant
        var running: Bool
    }
    private var hot: [Hot] = []
    /// Every identity of every real server, in slot order; the first of a server's names its tasks.
    private(set) var identities: [RealServerID] = []
    /// The slot in `servers` of each of `identities`.
    private var serverOfIdentity: [Int32] = []
    /// Each identity's index in `identities`.
    private var slots = SlotTable<RealServerID>()
    /// The configuration the checkers' `source` indices point into (shares its storage with the caller's copy).
    private(set) var configuration = KeepalivedConfiguration()
    private(set) var scripts: [String: ScriptEntry] = [:]
    private var heap = DeadlineHeap<Due>()
    /// The node's addresses as last told (`setLocalAddresses`); nil until then.
    private var localAddresses: Set<IPAddress>?
    /// Shared probes, parallel to `checkers`: the checker whose attempts this one takes (itself when it probes).
    private var leaderOf: [Int32] = []
    /// Every leader's followers, each with its real server's slot.
    private var followersOf: [Int32: [(flat: Int32, slot: Int32)]] = [:]
    /// By index of `configuration.virtualServers`: whether ha_suspend holds its checkers back now.
    private var suspended: [Bool] = []
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

    /// Every identity checkd reports about: each checked real server's, one per service of its virtual server.
    public var realServerIDs: [RealServerID] { identities }
    /// The real servers being checked (one per real_server block, however many services it is in).
    public var checkedServerCount: Int { servers.count }
    /// The track scripts being run (those some vrrp_instance tracks).
    public var scriptNames: [String] { Array(scripts.keys) }
    /// The number of checkers over all real servers.
    public var checkerCount: Int { checkers.count }

    /// The current view for a snapshot: real servers whose every checker has a verdict.
    public var realServerView: [RealServerHealth] {
        servers.flatMap { entry -> [RealServerHealth] in
            guard let verdict = entry.reported else { return [] }
            return identities[entry.identityRange].map { RealServerHealth(id: $0, up: verdict.up, weight: verdict.weight) }
        }
    }
    /// The current view for a snapshot: scripts with a result.
    public var trackScriptView: [String: Bool] {
        scripts.compactMapValues { $0.state.ok }
    }

    /// Whether some virtual server has ha_suspend, so the node's addresses must be told (`setLocalAddresses`).
    public var needsLocalAddresses: Bool { HASuspension.isUsed(in: configuration) }

    /// The virtual servers whose checks ha_suspend holds back now.
    public var suspendedVirtualServers: [VirtualServerAddress] {
        suspended.indices.filter { suspended[$0] }.map { configuration.virtualServers[$0].address }
    }

    /// The checker a task runs, with where it connects and its timings.
    public func checker(for task: HealthTask) -> (check: HealthCheck, target: CheckTarget, timing: CheckerTiming)? {
        guard let flat = locate(task)?.flat else { return nil }
        let checker = checkers[flat]
        let (check, realServer, virtualServer) = Self.resolve(checker.source, in: configuration)
        return (check, CheckTarget(check: check, realServer: realServer, virtualServer: virtualServer), checker.timing)
    }

    /// The name of the check a task runs (for its log lines), read in place: no copy of the check or its servers.
    public func checkName(for task: HealthTask) -> String? {
        guard let flat = locate(task)?.flat else { return nil }
        let source = checkers[flat].source
        return configuration.virtualServers[Int(source.virtualServer)].realServers[Int(source.realServer)]
            .checks[Int(source.check)].name
    }

    /// Whether a failure of this task's attempt is logged although it changes nothing yet: keepalived's
    /// log_all_failures (or global_defs' checker_log_all_failures) logs the failures of a checker that is up,
    /// the retries before it goes down.
    public func logsFailure(of task: HealthTask) -> Bool {
        guard let flat = locate(task)?.flat, checkers[flat].state.up else { return false }
        let check = Self.resolve(checkers[flat].source, in: configuration).0
        return check.logAllFailures ?? configuration.global.checkerLogAllFailures
    }

    /// The prepared attempt of a TCP/HTTP/SSL checker's task; nil for scripts, MISC_CHECK and stale tasks.
    func plan(for task: HealthTask) -> ProbePlan? {
        guard let flat = locate(task)?.flat else { return nil }
        return checkers[flat].plan
    }

    /// The slot of a real server by any of its identities.
    private func slot(of id: RealServerID) -> Int? {
        slots.slot(of: id) { identities[$0] }.map { Int(serverOfIdentity[$0]) }
    }

    /// The slot and flat checker index of a current task: by its slot, else (after a reload moved it) by its id.
    private func locate(_ task: HealthTask) -> (slot: Int, flat: Int)? {
        guard case .check(let id, let index) = task.kind else { return nil }
        var slot = task.slot
        if !(servers.indices.contains(slot) && servers[slot].generation == task.generation) {
            guard let found = self.slot(of: id), servers[found].generation == task.generation else { return nil }
            slot = found
        }
        let entry = servers[slot]
        guard index >= 0 && index < Int(entry.checkerCount) else { return nil }
        return (slot, Int(entry.firstChecker) + index)
    }

    /// How long a MISC_CHECK task's program may run (`MiscCheckEnd.timeout`); nil for a stale task.
    public func miscTimeout(for task: HealthTask) -> Duration? {
        guard let flat = locate(task)?.flat else { return nil }
        let (check, _, virtualServer) = Self.resolve(checkers[flat].source, in: configuration)
        return MiscCheckEnd.timeout(of: check, in: virtualServer)
    }

    /// The script a task runs.
    public func script(for task: HealthTask) -> VRRPScript? {
        guard case .script(let name) = task.kind, let entry = scripts[name],
              entry.generation == task.generation else { return nil }
        return entry.script
    }

    /// notify_up / notify_down of a real server.
    public func notifyCommand(of id: RealServerID, up: Bool) -> ScriptCommand? {
        guard let slot = slot(of: id) else { return nil }
        let entry = servers[slot]
        let realServer = configuration.virtualServers[Int(entry.virtualServerIndex)]
            .realServers[Int(entry.realServerIndex)]
        return up ? realServer.notifyUp : realServer.notifyDown
    }

    /// Whether a checker is down right now, waiting to retry, or up (for tests and status).
    public func checkerState(_ id: RealServerID, index: Int) -> CheckerState? {
        guard let slot = slot(of: id), index >= 0 && index < Int(servers[slot].checkerCount) else { return nil }
        return checkers[Int(servers[slot].firstChecker) + index].state
    }

    /// When a checker or script runs next; nil while it runs or when there is none.
    public func nextRun(of kind: HealthTask.Kind) -> MonotonicInstant? {
        switch kind {
        case .check(let id, let index):
            guard let slot = slot(of: id), index >= 0 && index < Int(servers[slot].checkerCount) else { return nil }
            let flat = Int(leaderOf[Int(servers[slot].firstChecker) + index])
            return hot[flat].running ? nil : hot[flat].due
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

    /// The tasks due at `now`, earliest first and at most `limit` of them, marked running: each must be
    /// answered with `complete`. Those left over stay due (`nextDeadline` is in the past).
    public mutating func takeDue(now: MonotonicInstant, limit: Int = .max) -> [HealthTask] {
        var due: [HealthTask] = []
        takeDue(now: now, limit: limit, into: &due)
        return due
    }

    /// `takeDue`, appending to `due` (the daemon reuses one array, so a turn that starts checks allocates none):
    /// at most `limit` tasks are added.
    public mutating func takeDue(now: MonotonicInstant, limit: Int, into due: inout [HealthTask]) {
        let end = due.count + min(limit, Int.max - due.count)
        while due.count < end, let top = heap.earliest, top.deadline <= now {
            _ = heap.pop()
            guard isCurrent(top.key, due: top.deadline) else { continue }
            switch top.key {
            case .check(let slot, let index, let generation):
                let entry = servers[Int(slot)]
                let flat = Int(entry.firstChecker + index)
                if suspended[Int(entry.virtualServerIndex)] {
                    // As keepalived's disabled checker: not run, looked at again one delay_loop later.
                    let next = now + checkers[flat].timing.delayLoop
                    hot[flat].due = next
                    heap.push(next, top.key)
                    continue
                }
                hot[flat].running = true
                due.append(HealthTask(kind: .check(identities[Int(entry.firstIdentity)], index: Int(index)),
                                      generation: generation, slot: Int(slot)))
            case .script(let name, let generation):
                scripts[name]?.running = true
                due.append(HealthTask(kind: .script(name), generation: generation))
            }
        }
    }

    /// Records the outcome of a task taken with `takeDue`, schedules its next run, and returns what follows.
    /// `startedAt`: when the attempt began (its latency is reported from it); nil for none.
    public mutating func complete(_ task: HealthTask, _ outcome: CheckOutcome, now: MonotonicInstant,
                                  startedAt: MonotonicInstant? = nil) -> [HealthEvent] {
        let last = LastAttempt(outcome, endedAt: now, startedAt: startedAt)
        switch task.kind {
        case .check(_, let index):
            guard let (slot, flat) = locate(task), hot[flat].running else { return [] }
            guard leaderOf[flat] == Int32(flat) else {
                // Probed before a reload made it a follower: the leader's attempts speak for it now.
                hot[flat].running = false
                return []
            }
            checkers[flat].last = last
            // In place: no copy of the checker.
            let delay = checkers[flat].state.record(outcome, timing: checkers[flat].timing,
                                                    configuredWeight: Int(servers[slot].weight))
            let due = now + delay
            hot[flat] = Hot(due: due, running: false)
            heap.push(due, .check(slot: Int32(slot), index: Int32(index), generation: servers[slot].generation))
            var events = Self.verdictEvents(&servers[slot], checkers: checkers[servers[slot].checkerRange],
                                            identities: identities[servers[slot].identityRange])
            for follower in followersOf[Int32(flat)] ?? [] {
                let (f, s) = (Int(follower.flat), Int(follower.slot))
                checkers[f].last = last
                _ = checkers[f].state.record(outcome, timing: checkers[f].timing,
                                             configuredWeight: Int(servers[s].weight))
                events += Self.verdictEvents(&servers[s], checkers: checkers[servers[s].checkerRange],
                                             identities: identities[servers[s].identityRange])
            }
            return events
        case .script(let name):
            guard var entry = scripts[name], entry.generation == task.generation, entry.running else { return [] }
            let changed = entry.state.record(success: outcome.passed)
            entry.last = last
            entry.running = false
            entry.due = now + entry.script.interval
            heap.push(entry.due, .script(name, generation: entry.generation))
            scripts[name] = entry
            return changed.map { [.trackScript(name: name, ok: $0)] } ?? []
        }
    }

    /// Whether a heap entry is the next run of its checker or script (else it is stale: skipped).
    private func isCurrent(_ key: Due, due: MonotonicInstant) -> Bool {
        switch key {
        case .check(let slot, let index, let generation):
            guard servers.indices.contains(Int(slot)) else { return false }
            let entry = servers[Int(slot)]
            guard entry.generation == generation, index >= 0, index < entry.checkerCount else { return false }
            let state = hot[Int(entry.firstChecker + index)]
            return !state.running && state.due == due
        case .script(let name, let generation):
            guard let entry = scripts[name], entry.generation == generation else { return false }
            return !entry.running && entry.due == due
        }
    }

    // MARK: Reload

    /// Applies a new configuration: unchanged real servers and scripts keep their state and schedule, removed
    /// ones stop, new ones start (and say nothing until they have a result). Returns the events of real servers
    /// whose weight alone changed.
    public mutating func reload(_ configuration: KeepalivedConfiguration, now: MonotonicInstant) -> [HealthEvent] {
        // Sized exactly first: at 10,000 servers, arrays grown by doubling would carry ~40% unused capacity.
        var serverCount = 0, checkerTotal = 0, identityTotal = 0
        forEachCheckedServer(in: configuration) { realServer, _, _, ids in
            serverCount += 1
            identityTotal += ids.count
            checkerTotal += realServer.checks.count
        }
        var events: [HealthEvent] = []
        var nextServers: [RealServerEntry] = []
        var nextCheckers: [Checker] = []
        var nextHot: [Hot] = []
        var nextIdentities: [RealServerID] = []
        var nextServerOfIdentity: [Int32] = []
        nextServers.reserveCapacity(serverCount)
        nextCheckers.reserveCapacity(checkerTotal)
        nextHot.reserveCapacity(checkerTotal)
        nextIdentities.reserveCapacity(identityTotal)
        nextServerOfIdentity.reserveCapacity(identityTotal)
        var nextSlots = SlotTable<RealServerID>(expecting: identityTotal)
        forEachCheckedServer(in: configuration) { realServer, virtualServer, position, ids in
            // An identity an earlier block already has stays with it (the validator refuses such files).
            let firstIdentity = nextIdentities.count
            for id in ids where nextSlots.slot(of: id, key: { nextIdentities[$0] }) == nil {
                nextSlots.insert(id, slot: nextIdentities.count) { nextIdentities[$0] }
                nextIdentities.append(id)
                nextServerOfIdentity.append(Int32(nextServers.count))
            }
            let mine = nextIdentities[firstIdentity...]
            guard let primary = mine.first else { return }
            let fresh = makeCheckers(realServer: realServer, virtualServer: virtualServer, at: position, now: now)
            let alpha = realServer.alpha ?? virtualServer.alpha
            let weight = Int32(clamping: realServer.weight)
            var entry: RealServerEntry
            let first = Int32(nextCheckers.count)
            // A kept server must keep the identity its tasks carry, so a result still in flight finds it.
            if let oldSlot = slot(of: primary), identities[Int(servers[oldSlot].firstIdentity)] == primary,
               servers[oldSlot].alpha == alpha,
               Self.sameCheckers(checkers[servers[oldSlot].checkerRange], in: self.configuration,
                                 fresh.map(\.checker), in: configuration) {
                // Same checkers: keep their state and schedule, now written where the new configuration has
                // them; take the new weight, identities and notify commands.
                entry = servers[oldSlot]
                for (offset, old) in entry.checkerRange.enumerated() {
                    var kept = checkers[old]
                    kept.source = fresh[offset].checker.source
                    nextCheckers.append(kept)
                    nextHot.append(hot[old])
                }
                let sameIdentities = identities[entry.identityRange].elementsEqual(mine)
                entry.firstChecker = first
                entry.firstIdentity = Int32(firstIdentity)
                entry.identityCount = Int32(mine.count)
                entry.virtualServerIndex = position.virtualServer
                entry.realServerIndex = position.realServer
                if entry.weight != weight || !sameIdentities {
                    entry.weight = weight
                    if entry.reported != nil {
                        entry.reported = nil
                        events += Self.verdictEvents(&entry, checkers: nextCheckers[entry.checkerRange],
                                                     identities: mine)
                    }
                }
            } else {
                nextGeneration += 1
                entry = RealServerEntry(firstIdentity: Int32(firstIdentity), identityCount: Int32(mine.count),
                                        generation: nextGeneration, weight: weight,
                                        virtualServerIndex: position.virtualServer,
                                        realServerIndex: position.realServer, firstChecker: first,
                                        checkerCount: Int32(fresh.count), reported: nil, alpha: alpha,
                                        effectiveUp: !alpha)
                for (checker, firstDue) in fresh {
                    nextCheckers.append(checker)
                    nextHot.append(Hot(due: firstDue, running: false))
                }
            }
            nextServers.append(entry)
        }
        servers = nextServers
        checkers = nextCheckers
        hot = nextHot
        identities = nextIdentities
        serverOfIdentity = nextServerOfIdentity
        slots = nextSlots
        self.configuration = configuration
        suspended = configuration.virtualServers.map { HASuspension.isSuspended($0, localAddresses: localAddresses) }
        events += shareProbes()

        // A script runs when something follows it: a vrrp_instance (sync groups' are its members'), or a
        // tandem_announce block.
        let tracked = Set(configuration.vrrpInstances.flatMap { $0.trackScripts.map(\.name) }
            + configuration.announcements.flatMap(\.trackScripts))
        var nextScripts: [String: ScriptEntry] = [:]
        for script in configuration.vrrpScripts where tracked.contains(script.name) && script.command != nil {
            if let old = scripts[script.name], Self.sameScript(old.script, script) {
                nextScripts[script.name] = old
                continue
            }
            nextGeneration += 1
            nextScripts[script.name] = ScriptEntry(script: script,
                                                   state: TrackScriptState(rise: script.rise, fall: script.fall),
                                                   due: now, generation: nextGeneration)
        }
        scripts = nextScripts
        rebuildHeap()
        return events
    }

    // MARK: Shared probes

    /// What makes two checkers' attempts the same attempt: the check as written (without its place), where it
    /// connects, its timings, its start (alpha) and, under ha_suspend, its virtual server (each is suspended on
    /// its own).
    private struct ProbeKey: Hashable {
        var check: HealthCheck
        var target: CheckTarget
        var timing: CheckerTiming
        var alpha: Bool
        var suspendableServer: Int32
    }

    /// The number of distinct probes: checkers that run attempts (the others take a leader's).
    public var probeCount: Int { leaderOf.indices.filter { leaderOf[$0] == Int32($0) && !checkers[$0].followsFile }.count }

    /// keepalived probes a real server once for every virtual server that lists it; here checkers that would make
    /// the same attempt share one: a leader probes on its schedule and each follower records every outcome by its
    /// own rules (retry, weight), so each keeps its own state. The leader is one that is probing now, else the
    /// leader of before, else the first; a follower with no history starts from the leader's state (its verdict is
    /// returned at once). MISC_CHECK programs are not shared (a program may count on being run for each), nor
    /// FILE_CHECK (never due).
    private mutating func shareProbes() -> [HealthEvent] {
        var joined = Set<Int32>()
        leaderOf = (0..<checkers.count).map { Int32($0) }
        followersOf = [:]
        var groups: [ProbeKey: [(flat: Int32, slot: Int32)]] = [:]
        for (slot, entry) in servers.enumerated() {
            for flat in entry.checkerRange where !checkers[flat].followsFile {
                let (check, realServer, virtualServer) = Self.resolve(checkers[flat].source, in: configuration)
                if case .misc = check.kind { continue }
                // The timings as written are left out: the resolved ones are in the key.
                var written = CheckFingerprint.of(check)
                written.timing = CheckTiming()
                let key = ProbeKey(check: written,
                                   target: CheckTarget(check: check, realServer: realServer, virtualServer: virtualServer),
                                   timing: checkers[flat].timing, alpha: entry.alpha,
                                   suspendableServer: virtualServer.haSuspend ? entry.virtualServerIndex : -1)
                groups[key, default: []].append((Int32(flat), Int32(slot)))
            }
        }
        for members in groups.values where members.count > 1 {
            // A follower's own due time is never moved, so the latest due among checkers with a history is the
            // leader's of before: it stays leader and no extra attempt is made.
            let leader = members.first { hot[Int($0.flat)].running }
                ?? members.filter { checkers[Int($0.flat)].last != nil }.max { hot[Int($0.flat)].due < hot[Int($1.flat)].due }
                ?? members[0]
            for member in members where member.flat != leader.flat {
                let (f, l) = (Int(member.flat), Int(leader.flat))
                leaderOf[f] = leader.flat
                if checkers[f].last == nil && !checkers[f].state.hasVerdict && checkers[l].state.hasVerdict {
                    checkers[f].state = checkers[l].state
                    checkers[f].last = checkers[l].last
                    joined.insert(member.slot)
                }
            }
            followersOf[leader.flat] = members.filter { $0.flat != leader.flat }
        }
        return joined.sorted().flatMap { slot in
            Self.verdictEvents(&servers[Int(slot)], checkers: checkers[servers[Int(slot)].checkerRange],
                               identities: identities[servers[Int(slot)].identityRange])
        }
    }

    // MARK: FILE_CHECK

    /// Every file a FILE_CHECK follows, each once.
    public var trackedFilePaths: [String] {
        var paths = Set<String>()
        for checker in checkers where checker.followsFile {
            if case .file(let settings) = Self.resolve(checker.source, in: configuration).0.kind, let path = settings.path {
                paths.insert(path)
            }
        }
        return paths.sorted()
    }

    /// The value now in `path` (0 for a missing file): every FILE_CHECK that follows it takes the verdict and
    /// weight it gives, and what changes is returned as for a check's result.
    public mutating func trackedFileChanged(_ path: String, value: Int64, now: MonotonicInstant) -> [HealthEvent] {
        var events: [HealthEvent] = []
        for slot in servers.indices {
            let range = servers[slot].checkerRange
            var touched = false
            for flat in range where checkers[flat].followsFile {
                guard case .file(let settings) = Self.resolve(checkers[flat].source, in: configuration).0.kind,
                      settings.path == path else { continue }
                let (up, change) = TrackedFileValue.verdict(value: value, weight: settings.weight ?? 1,
                                                            reverse: settings.reverse)
                checkers[flat].state.follow(up: up, weightChange: change, configuredWeight: Int(servers[slot].weight))
                checkers[flat].last = LastAttempt(up ? .success : .failure("\(path) holds \(value)"),
                                                  endedAt: now, startedAt: nil)
                touched = true
            }
            if touched {
                events += Self.verdictEvents(&servers[slot], checkers: checkers[range],
                                             identities: identities[servers[slot].identityRange])
            }
        }
        return events
    }

    /// The node's addresses now (all interfaces): ha_suspend's checks run while their address is among them.
    /// Returns the virtual servers whose checks this suspends (true) or resumes (false); a resumed checker runs
    /// when it is next looked at, as in keepalived.
    public mutating func setLocalAddresses(_ addresses: Set<IPAddress>) -> [(VirtualServerAddress, suspended: Bool)] {
        localAddresses = addresses
        var changes: [(VirtualServerAddress, suspended: Bool)] = []
        for (index, server) in configuration.virtualServers.enumerated() {
            let now = HASuspension.isSuspended(server, localAddresses: addresses)
            if now != suspended[index] { changes.append((server.address, now)) }
            suspended[index] = now
        }
        return changes
    }

    /// Every real server with checkers, with its position in the configuration and its identities. A real server
    /// without checkers has nothing to report (ipvsd keeps it as configured, alive even under alpha, as
    /// keepalived does), so it costs nothing here: 100,000 of them in one file are common.
    private func forEachCheckedServer(
        in configuration: KeepalivedConfiguration,
        _ body: (RealServer, VirtualServer, (virtualServer: Int32, realServer: Int32), [RealServerID]) -> Void
    ) {
        for (vsIndex, virtualServer) in configuration.virtualServers.enumerated() {
            guard virtualServer.realServers.contains(where: { !$0.checks.isEmpty }) else { continue }
            let services = virtualServer.services(in: configuration)
            for (rsIndex, realServer) in virtualServer.realServers.enumerated() where !realServer.checks.isEmpty {
                let ids = realServer.identities(in: virtualServer, services: services)
                body(realServer, virtualServer, (Int32(vsIndex), Int32(rsIndex)), ids)
            }
        }
    }

    /// One heap entry per waiting checker and script, at the slots of the current configuration: after a reload
    /// no entry points at a slot that has moved, and the heap holds no stale entries.
    private mutating func rebuildHeap() {
        var entries: [(MonotonicInstant, Due)] = []
        entries.reserveCapacity(hot.count + scripts.count)
        for (slot, entry) in servers.enumerated() {
            for index in 0..<Int(entry.checkerCount) {
                let state = hot[Int(entry.firstChecker) + index]
                let flat = Int(entry.firstChecker) + index
                if !state.running && !checkers[flat].followsFile && leaderOf[flat] == Int32(flat) {
                    entries.append((state.due, .check(slot: Int32(slot), index: Int32(index),
                                                      generation: entry.generation)))
                }
            }
        }
        for (name, entry) in scripts.sorted(by: { $0.key < $1.key }) where !entry.running {
            entries.append((entry.due, .script(name, generation: entry.generation)))
        }
        heap = DeadlineHeap(entries)
    }

    /// The checkers of a real server as the configuration writes them, each with its first due time.
    private mutating func makeCheckers(realServer: RealServer, virtualServer: VirtualServer,
                                       at position: (virtualServer: Int32, realServer: Int32),
                                       now: MonotonicInstant) -> [(checker: Checker, firstDue: MonotonicInstant)] {
        let alpha = realServer.alpha ?? virtualServer.alpha
        return realServer.checks.enumerated().map { index, check in
            let timing = CheckerTiming(check: check, realServer: realServer, virtualServer: virtualServer)
            let fraction = min(1, max(0, random()))
            let target = CheckTarget(check: check, realServer: realServer, virtualServer: virtualServer)
            let source = CheckSource(virtualServer: position.virtualServer, realServer: position.realServer,
                                     check: Int32(index))
            var followsFile = false
            if case .file = check.kind { followsFile = true }
            // keepalived clears alpha for a FILE_CHECK: its state is known as soon as the file is read.
            let checker = Checker(source: source, timing: timing,
                                  state: CheckerState(alpha: alpha && !followsFile),
                                  plan: ProbePlan(check: check, target: target, timing: timing),
                                  followsFile: followsFile)
            return (checker, now + timing.warmup * fraction)
        }
    }

    private static func sameCheckers(_ a: ArraySlice<Checker>, in aConfiguration: KeepalivedConfiguration,
                                     _ b: [Checker], in bConfiguration: KeepalivedConfiguration) -> Bool {
        a.count == b.count
            && zip(a, b).allSatisfy { old, new in
                guard old.timing == new.timing else { return false }
                let (oldCheck, oldReal, oldVirtual) = resolve(old.source, in: aConfiguration)
                let (newCheck, newReal, newVirtual) = resolve(new.source, in: bConfiguration)
                return CheckFingerprint.of(oldCheck) == CheckFingerprint.of(newCheck)
                    && CheckTarget(check: oldCheck, realServer: oldReal, virtualServer: oldVirtual)
                        == CheckTarget(check: newCheck, realServer: newReal, virtualServer: newVirtual)
            }
    }

    /// The check a source points at, with its real and virtual server.
    static func resolve(_ source: CheckSource, in configuration: KeepalivedConfiguration)
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
