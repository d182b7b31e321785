// The master goes away: killed, stopped, or cut off by its link.
import Vocabulary
import Testing
import VRRP
@testable import vrrpd

@Suite struct EngineFailoverTests {
    /// a (150) master and b (100) backup, settled.
    private func pair(version: Int = 2, advert: String = "1") throws -> (FakeLAN, a: FakeHost, b: FakeHost) {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let b = lan.host("b", eth0: "192.0.2.2")
        try a.start(Instance(state: "MASTER", priority: 150, advertInterval: advert, version: version).text)
        try b.start(Instance(priority: 100, advertInterval: advert, version: version).text)
        #expect(lan.run(until: { a.state("VI_1") == .master && a.holds(vip) }, within: 5) != nil)
        lan.run(seconds: 2.5)
        #expect(b.state("VI_1") == .backup && !b.holds(vip))
        return (lan, a, b)
    }

    @Test func theBackupTakesOverOneMasterDownIntervalAfterTheLastAdvert() throws {
        let (lan, a, b) = try pair()
        a.crash()
        let lastAdvert = try #require(lan.wire.frames.last { $0.sender == "a" })
        #expect(lan.run(until: { b.state("VI_1") == .master }, within: 10) != nil)
        let tookOver = try #require(b.lastEntered(.master, "VI_1"))
        #expect(tookOver - lastAdvert.time == lan.wire.latency + downInterval100)
        #expect(b.holds(vip))
        #expect(b.log.contains("VI_1: BACKUP → MASTER (masterDown)"))
        // A killed daemon cannot remove its VIP; the kernel keeps it, as with keepalived.
        #expect(a.holds(vip))
    }

    @Test(arguments: [(2, "1", Duration.microseconds(609_375)), (3, "0.1", Duration.microseconds(60_937))])
    func aGracefulStopIsTakenOverAfterSkewTime(version: Int, advert: String, skew: Duration) throws {
        let (lan, a, b) = try pair(version: version, advert: advert)
        a.stop()
        #expect(lan.wire.adverts(from: "a").last?.priority == 0)
        #expect(!a.holds(vip), "a graceful stop releases the VIP")
        #expect(a.log.contains("VI_1 stopped: vrrpd is stopping"))
        // RFC 5798 §6.4.2: a backup hearing priority 0 waits Skew_Time, not Master_Down_Interval.
        #expect(lan.run(until: { b.state("VI_1") == .master }, within: 5) == lan.wire.latency + skew)
        #expect(b.log.contains("(masterReleased)"))
        #expect(b.holds(vip))
    }

    @Test func theMastersLinkGoingDownFaultsItAndTheBackupTakesOver() throws {
        let (lan, a, b) = try pair()
        a.interfaces.setLink("eth0", up: false)
        lan.run(seconds: 0)
        #expect(a.state("VI_1") == .fault)
        #expect(a.log.contains("VI_1: MASTER → FAULT (interfaceDown)"), "\(a.log.text)")
        #expect(!a.holds(vip))
        // Its priority-0 advert could not leave on a dead link, so b waits out the full interval.
        let lastAdvert = try #require(lan.wire.frames.last { $0.sender == "a" })
        #expect(lastAdvert.advert?.priority == 150)
        #expect(lan.run(until: { b.state("VI_1") == .master }, within: 5) != nil)
        #expect(try #require(b.lastEntered(.master, "VI_1")) - lastAdvert.time == lan.wire.latency + downInterval100)

        // The link returns: a recovers to backup, then preempts.
        a.interfaces.setLink("eth0", up: true)
        lan.run(seconds: 0)
        #expect(a.state("VI_1") == .backup)
        #expect(lan.run(until: { a.state("VI_1") == .master && b.state("VI_1") == .backup }, within: 5) != nil)
        #expect(a.holds(vip) && !b.holds(vip))
    }

    @Test func anInstanceWhoseLinkIsDownAtStartStartsInFault() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        a.interfaces.setLink("eth0", up: false)
        try a.start(Instance(state: "MASTER", priority: 150).text)
        lan.run(seconds: 10)
        #expect(a.state("VI_1") == .fault)
        #expect(!a.holds(vip) && lan.wire.frames.isEmpty)
        a.interfaces.setLink("eth0", up: true)
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) != nil)
        #expect(a.holds(vip))
    }
}
