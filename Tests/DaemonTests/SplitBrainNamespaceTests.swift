import Foundation
import Testing
import TestSupport

/// Split brain on a real (virtual) network: the link between a and b is cut (bridge port isolation) while the
/// client c still reaches both, so both become MASTER and c follows the later one's GARPs to b. When the link is
/// restored, one MASTER must remain (a, the higher priority) and c's neighbour entry for the VIP must point at a's
/// MAC again, whichever side's advert crosses first. keepalived, the oracle, is run the same way and its outcome
/// printed: with its default (no higher_prio_send_advert) the client is left on b when a's advert crosses first.
@Suite(.serialized, .enabled(if: NetworkLab.available, "needs root and network namespaces (\(NetworkLab.unavailableReason ?? ""))"))
struct SplitBrainNamespaceTests {
    typealias Instance = VRRPNamespaceTests.Instance
    typealias Setup = VRRPNamespaceTests.Setup
    static let vip = VRRPNamespaceTests.vip

    enum Implementation: String, CaseIterable { case vrrpd, keepalived }

    /// c's neighbour entry for the VIP: the MAC it sends VIP traffic to.
    func clientPointsAt(_ setup: Setup) -> String? {
        let line = setup.lab.exec("c", "ip neigh show \(Self.vip) dev eth0").output
        let words = line.split(separator: " ")
        return words.firstIndex(of: "lladdr").map { String(words[$0 + 1]) }
    }

    /// Runs one split and repair; whether c ended on a's MAC, and how long the two MASTERs lasted after the repair.
    func splitAndHeal(_ implementation: Implementation, repairPhase: Double) throws -> (clientOnA: Bool, dualMaster: Duration?) {
        let setup = try Setup()
        func start(_ node: String, _ instance: Instance) throws -> DaemonProcess {
            implementation == .vrrpd ? try setup.vrrpd(node, instance) : try setup.keepalived(node, instance)
        }
        let a = try start("a", Instance(state: "MASTER", priority: 150))
        let b = try start("b", Instance(priority: 100))
        defer {
            _ = a.terminate()
            _ = b.terminate()
        }
        #expect(setup.lab.waitUntil(timeout: .seconds(8)) { setup.owns("a") } != nil, "a: \(a.log)")
        _ = setup.lab.exec("c", "ping -n -q -c 1 -W 1 \(Self.vip)")
        #expect(clientPointsAt(setup) == setup.lab.macAddress("a"))

        try setup.lab.isolate("a", true)
        try setup.lab.isolate("b", true)
        #expect(setup.lab.waitUntil(timeout: .seconds(8)) { setup.owns("a") && setup.owns("b") } != nil, "no split brain: \(b.log)")
        // b's second GARP burst (garp_master_delay 5 s) has gone too: c follows b.
        Thread.sleep(forTimeInterval: 6)
        _ = setup.lab.exec("c", "ping -n -q -c 1 -W 1 \(Self.vip)")
        #expect(clientPointsAt(setup) == setup.lab.macAddress("b"), "c should have followed b's GARPs")

        // Repair at a chosen point of a's advert cycle (1 s): early, b's advert may cross first; late, a's.
        let phase = Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 1)
        Thread.sleep(forTimeInterval: (repairPhase - phase + 1).truncatingRemainder(dividingBy: 1))
        try setup.lab.isolate("a", false)
        try setup.lab.isolate("b", false)
        let healed = setup.lab.waitUntil(timeout: .seconds(5), pollEvery: .milliseconds(10)) { setup.owns("a") && !setup.owns("b") }
        Thread.sleep(forTimeInterval: 2)
        #expect(setup.owns("a") && !setup.owns("b"), "a: \(a.log)\nb: \(b.log)")
        return (clientPointsAt(setup) == setup.lab.macAddress("a"), healed)
    }

    @Test(arguments: [0.1, 0.7])
    func vrrpdHealsAndTheClientFollowsTheSurvivor(repairPhase: Double) throws {
        let (clientOnA, healed) = try splitAndHeal(.vrrpd, repairPhase: repairPhase)
        #expect(healed != nil)
        // One advert interval (1 s) after the repair at most, plus polling slack.
        if let healed { #expect(healed < .milliseconds(1_200), "two MASTERs for \(healed) after the repair") }
        #expect(clientOnA, "the client still sends the VIP's traffic to b, which no longer has it")
        print("split brain (vrrpd, repair at phase \(repairPhase)): healed after \(healed.map { "\($0)" } ?? "never"), client on a: \(clientOnA)")
    }

    @Test(arguments: [0.1, 0.7])
    func keepalivedAsTheOracle(repairPhase: Double) throws {
        let (clientOnA, healed) = try splitAndHeal(.keepalived, repairPhase: repairPhase)
        #expect(healed != nil, "keepalived never healed")
        print("split brain (keepalived, repair at phase \(repairPhase)): healed after \(healed.map { "\($0)" } ?? "never"), client on a: \(clientOnA)")
    }
}
