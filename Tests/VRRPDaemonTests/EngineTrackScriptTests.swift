// Track-script results from checkd: weights move the priority, a weight-0 script faults the instance.
import Vocabulary
import Testing
import VRRP
@testable import vrrpd

@Suite struct EngineTrackScriptTests {
    @Test func aFailingWeightedScriptLowersThePriorityAndTheBackupTakesOver() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let b = lan.host("b", eth0: "192.0.2.2")
        let engine = try a.start(vrrpScript("check_proxy", weight: -60)
            + Instance(state: "MASTER", priority: 150, trackScripts: ["check_proxy"]).text)
        try b.start(Instance(priority: 100).text)
        engine.updateTrackResults(["check_proxy": true])
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) != nil)
        lan.run(seconds: 2)
        #expect(a.priority("VI_1") == 150)

        // 150 − 60 = 90 < 100: a advertises 90, b stops following it and takes over.
        engine.updateTrackResults(["check_proxy": false])
        #expect(a.priority("VI_1") == 90)
        let failed = lan.loop.now
        #expect(lan.run(until: { b.state("VI_1") == .master && !a.holds(vip) }, within: 6) != nil)
        #expect(lan.wire.frames.filter { $0.sender == "a" && $0.time > failed }.compactMap(\.advert?.priority).allSatisfy { $0 == 90 })
        #expect(b.log.contains("VI_1: BACKUP → MASTER (preempted)"), "\(b.log.text)")
        #expect(a.state("VI_1") == .backup && b.holds(vip))

        // The script passes again: 150, and a preempts.
        engine.updateTrackResults(["check_proxy": true])
        #expect(lan.run(until: { a.state("VI_1") == .master && b.state("VI_1") == .backup }, within: 6) != nil)
        #expect(a.holds(vip) && !b.holds(vip))
    }

    @Test func aWeightZeroScriptFaultsTheInstanceUntilItPasses() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let b = lan.host("b", eth0: "192.0.2.2")
        let engine = try a.start(vrrpScript("check_disk") + Instance(state: "MASTER", priority: 150, trackScripts: ["check_disk"]).text)
        try b.start(Instance(priority: 100).text)
        // No result yet: keepalived holds the instance in FAULT until the script has reported.
        #expect(a.state("VI_1") == .fault)
        #expect(lan.run(until: { b.state("VI_1") == .master }, within: 5) == downInterval100)
        #expect(lan.wire.adverts(from: "a").isEmpty)

        engine.updateTrackResults(["check_disk": true])
        #expect(a.state("VI_1") == .backup)
        #expect(lan.run(until: { a.state("VI_1") == .master && b.state("VI_1") == .backup }, within: 5) != nil)
        #expect(a.holds(vip) && !b.holds(vip))

        engine.updateTrackResults(["check_disk": false])
        #expect(a.state("VI_1") == .fault && !a.holds(vip))
        #expect(a.log.contains("VI_1: MASTER → FAULT (trackFault)"))
        #expect(lan.wire.adverts(from: "a").last?.priority == 0)
        #expect(lan.run(until: { b.state("VI_1") == .master }, within: 1) == lan.wire.latency + .microseconds(609_375))
        #expect(b.holds(vip))
    }

    /// `track_script { chk weight 20 reverse }`: the 20 comes off while the script succeeds (keepalived's
    /// weight_multiplier −1), so a passing check puts a (110) below b (100).
    @Test func reverseOnTheInstancesTrackScriptTakesTheWeightOffWhileItPasses() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let b = lan.host("b", eth0: "192.0.2.2")
        let engine = try a.start(vrrpScript("chk", weight: 5)
            + Instance(state: "MASTER", priority: 110, trackScripts: ["chk weight 20 reverse"]).text)
        try b.start(Instance(priority: 100).text)
        engine.updateTrackResults(["chk": true])
        #expect(a.priority("VI_1") == 90)
        #expect(lan.run(until: { b.state("VI_1") == .master && a.state("VI_1") == .backup }, within: 8) != nil, "\(a.log.text)")
        #expect(lan.wire.adverts(from: "a").allSatisfy { $0.priority == 90 })

        engine.updateTrackResults(["chk": false])
        #expect(a.priority("VI_1") == 110)
        #expect(lan.run(until: { a.state("VI_1") == .master && b.state("VI_1") == .backup }, within: 6) != nil)
    }

    /// The vrrp_script's own `weight -30 reverse` applies when the instance gives no weight: +30 while failing.
    @Test func theScriptsOwnReverseIsInherited() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let engine = try a.start(vrrpScript("chk", weight: -30, reverse: true)
            + Instance(state: "MASTER", priority: 100, trackScripts: ["chk"]).text)
        engine.updateTrackResults(["chk": false])
        #expect(a.priority("VI_1") == 130)
        engine.updateTrackResults(["chk": true])
        #expect(a.priority("VI_1") == 100)
    }
}
