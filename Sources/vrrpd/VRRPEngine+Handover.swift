import Logging
import VRRP
import Vocabulary

/// Planned handovers (make before break): `tandemctl switchover` and vrrpd stopping. The state machine does the
/// protocol (VRRPHandoverRequest); this picks the instances, the timing, and waits for them before a stop.
extension VRRPEngine {
    /// The timing of a handover for an instance: the peer answers Skew_Time (< one advert interval) after our
    /// first priority-0 advert, so three intervals are ample, with a floor for sub-second intervals where a
    /// loaded peer may lag; the addresses stay one interval (at least 100 ms) after the peer's advert.
    static func handoverRequest(for config: VRRPInstanceConfig, holdBack: Bool) -> VRRPHandoverRequest {
        let interval = config.advertInterval
        return VRRPHandoverRequest(timeout: max(interval * 3, .seconds(1)), linger: max(interval, .milliseconds(100)),
                                   holdBack: holdBack)
    }

    enum HandoverSelectionError: Error, CustomStringConvertible {
        case unknownInstances([String])
        case noMaster([String])

        var description: String {
            switch self {
            case .unknownInstances(let names): "no vrrp_instance named \(names.joined(separator: ", "))"
            case .noMaster(let names):
                names.isEmpty ? "no instance is MASTER here: nothing to hand over"
                              : "not MASTER here: \(names.joined(separator: ", ")); nothing handed over"
            }
        }
    }

    /// Starts a handover of the named instances (every Master one when `names` is empty); a sync group moves
    /// whole, whichever member is named. Returns the instances handing over now.
    func handOver(_ names: [String], holdBack: Bool) throws(HandoverSelectionError) -> [String] {
        let known = Set(units.flatMap { $0.members.map(\.plan.name) })
        let unknown = names.filter { !known.contains($0) }
        guard unknown.isEmpty else { throw .unknownInstances(unknown) }
        var chosen: [(unit: Int, member: Int)] = []
        for index in units.indices {
            let members = units[index].machine.members
            let named = names.isEmpty || members.contains { names.contains($0.config.name) }
            guard named else { continue }
            for m in members.indices where members[m].state == .master && !members[m].isHandingOver {
                chosen.append((index, m))
            }
        }
        guard !chosen.isEmpty else { throw .noMaster(names) }
        var started: [String] = []
        for (index, m) in chosen {
            let config = units[index].machine.members[m].config
            let actions = units[index].machine.handle(.handOver(Self.handoverRequest(for: config, holdBack: holdBack)),
                                                      member: m, at: clock.now)
            started.append(config.name)
            logger.notice("\(config.name): handing MASTER over (priority 0 adverts, addresses kept until the peer is MASTER)",
                          metadata: ["VRRP_INSTANCE": "\(config.name)"])
            execute(actions, unit: index)
        }
        return started
    }

    /// Ends the hold a switchover left (all instances when `names` is empty); returns those that were held.
    func releaseHold(_ names: [String]) -> [String] {
        var released: [String] = []
        for index in units.indices {
            for (m, member) in units[index].machine.members.enumerated()
            where member.isHeldBack && (names.isEmpty || names.contains(member.config.name)) {
                execute(units[index].machine.handle(.releaseHold, member: m, at: clock.now), unit: index)
                released.append(member.config.name)
            }
        }
        return released
    }

    /// The longest a stop waits for its handovers, whatever the advert intervals: well inside the unit's
    /// TimeoutStopSec, after which systemd would kill vrrpd with the VIPs still on the interface.
    static let longestStopWait: Duration = .seconds(8)

    /// vrrpd is stopping: hand every Master over first, then call `ready` (at once when none is Master or no
    /// handover could start; at the latest when the longest handover's timeout and linger have passed, or
    /// `longestStopWait`). What is still Master then stops as keepalived does: priority 0, addresses released.
    func handOverBeforeStop(_ ready: @escaping () -> Void) {
        // The announcements drain meanwhile: both must end before the stop goes on.
        var pending = 2
        let oneEnded = {
            pending -= 1
            if pending == 0 { ready() }
        }
        announcer.drain(then: oneEnded)
        handOverInstancesBeforeStop(oneEnded)
    }

    private func handOverInstancesBeforeStop(_ ready: @escaping () -> Void) {
        let started = (try? handOver([], holdBack: false)) ?? []
        guard !started.isEmpty else { return ready() }
        let longest = units.flatMap(\.machine.members).filter { started.contains($0.config.name) }
            .map { Self.handoverRequest(for: $0.config, holdBack: false) }
            .map { $0.timeout + $0.linger }.max() ?? .seconds(1)
        let wait = min(longest + .milliseconds(200), Self.longestStopWait)
        let timer = clock.schedule(at: clock.now + wait) { [unowned self] in
            guard let waiter = stopWaiter else { return }
            stopWaiter = nil
            logger.warning("stopping before every handover ended")
            waiter.ready()
        }
        stopWaiter = (ready, timer)
        stopIfHandoversEnded()
    }

    func stopIfHandoversEnded() {
        guard let waiter = stopWaiter else { return }
        let busy = units.flatMap(\.machine.members).contains { $0.isHandingOver || $0.isLingering }
        guard !busy else { return }
        stopWaiter = nil
        clock.cancel(waiter.timer)
        waiter.ready()
    }

    func handoverEnded(_ outcome: VRRPHandoverOutcome, instance name: String) {
        lastHandover[name] = outcome
        let metadata: Logger.Metadata = ["VRRP_INSTANCE": "\(name)"]
        switch outcome {
        case .completed(let master?): logger.notice("\(name): handed over to \(master)", metadata: metadata)
        case .completed(nil): logger.notice("\(name): handed over with its sync group", metadata: metadata)
        case .noPeerAnswered:
            logger.warning("\(name): handover failed, no peer became MASTER in time; still MASTER", metadata: metadata)
        case .notMaster: logger.info("\(name): not MASTER, nothing to hand over", metadata: metadata)
        case .interrupted: logger.warning("\(name): handover interrupted (fault, sync group or stop)", metadata: metadata)
        }
    }
}

extension VRRPHandoverOutcome {
    /// The status document's word for it (docs/json/status.md).
    var statusWord: String {
        switch self {
        case .completed: "completed"
        case .noPeerAnswered: "no-peer-answered"
        case .notMaster: "not-master"
        case .interrupted: "interrupted"
        }
    }
}
