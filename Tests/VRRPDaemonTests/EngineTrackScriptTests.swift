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
}
