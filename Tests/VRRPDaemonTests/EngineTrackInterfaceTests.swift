// track_interface, dont_track_primary and the interfaces of addresses: what a link going down does to an
// instance (FAULT, or a priority moved by the weight), as keepalived's process_if_status_change has it.
import Vocabulary
import Testing
import VRRP
@testable import vrrpd

@Suite struct EngineTrackInterfaceTests {
    /// a and b on the LAN (eth0), each with an uplink eth1 of its own; b is a plain backup at 100.
    private func pair(_ master: Instance, backup: Instance = Instance(priority: 100)) throws -> (FakeLAN, a: FakeHost, b: FakeHost) {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1").plug("eth1", into: "uplink-a", "198.51.100.1")
        let b = lan.host("b", eth0: "192.0.2.2").plug("eth1", into: "uplink-b", "198.51.100.2")
        try a.start(master.text)
        try b.start(backup.text)
        return (lan, a, b)
    }

    private func tracking(_ entries: String...) -> [String] {
        ["track_interface {"] + entries.map { "    \($0)" } + ["}"]
    }

    @Test func anUnweightedTrackedInterfaceGoingDownFaultsTheMaster() throws {
        let (lan, a, b) = try pair(Instance(state: "MASTER", priority: 150, extra: tracking("eth1")))
        #expect(lan.run(until: { a.state("VI_1") == .master && b.state("VI_1") == .backup }, within: 8) != nil, "\(a.log.text)")
        lan.run(seconds: 2)

        a.interfaces.setLink("eth1", up: false)
        lan.run(seconds: 0)
        #expect(a.state("VI_1") == .fault && !a.holds(vip))
        #expect(a.log.contains("VI_1: tracked interface eth1 is down: FAULT"), "\(a.log.text)")
        #expect(a.log.contains("VI_1: MASTER → FAULT (interfaceDown)"))
        // eth0 still works, so the priority-0 advert reaches b, which takes over after Skew_Time.
        #expect(lan.wire.adverts(from: "a").last?.priority == 0)
        #expect(lan.run(until: { b.state("VI_1") == .master }, within: 2) == lan.wire.latency + .microseconds(609_375))
        lan.run(seconds: 5)
        #expect(a.state("VI_1") == .fault && b.holds(vip), "a stays out while its uplink is down")

        a.interfaces.setLink("eth1", up: true)
        lan.run(seconds: 0)
        #expect(a.state("VI_1") == .backup)
        #expect(a.log.contains("VI_1: no tracked interface holds it in FAULT any more"))
        #expect(lan.run(until: { a.state("VI_1") == .master && b.state("VI_1") == .backup }, within: 5) != nil)
        #expect(a.holds(vip) && !b.holds(vip))
    }

    @Test func aNegativeWeightLowersThePriorityInTheAdvertsWhileDown() throws {
        let (lan, a, b) = try pair(Instance(state: "MASTER", priority: 150, extra: tracking("eth1 weight -60")))
        #expect(lan.run(until: { a.state("VI_1") == .master && b.state("VI_1") == .backup }, within: 8) != nil)
        lan.run(seconds: 2)
        #expect(lan.wire.adverts(from: "a").allSatisfy { $0.priority == 150 })

        a.interfaces.setLink("eth1", up: false)
        lan.run(seconds: 0)
        let failed = lan.loop.now
        #expect(a.priority("VI_1") == 90 && a.state("VI_1") == .master, "a weighted interface never faults")
        #expect(a.log.contains("VI_1: effective priority 150 → 90"), "\(a.log.text)")
        // 90 < 100: b stops following a and takes over; a yields to b's higher priority.
        #expect(lan.run(until: { b.state("VI_1") == .master && a.state("VI_1") == .backup }, within: 6) != nil)
        #expect(lan.wire.frames.filter { $0.sender == "a" && $0.time > failed }.compactMap(\.advert?.priority).allSatisfy { $0 == 90 })
        #expect(b.holds(vip) && !a.holds(vip))

        a.interfaces.setLink("eth1", up: true)
        lan.run(seconds: 0)
        #expect(a.priority("VI_1") == 150)
        #expect(lan.run(until: { a.state("VI_1") == .master && b.state("VI_1") == .backup }, within: 6) != nil)
    }

    /// `weight 60 reverse`: 60 comes off while the link is up, so a (100) is below b (80) until its eth1 goes down.
    @Test func reverseTakesThePositiveWeightOffWhileUp() throws {
        let (lan, a, b) = try pair(Instance(state: "BACKUP", priority: 100, extra: tracking("eth1 weight 60 reverse")),
                                   backup: Instance(priority: 80))
        #expect(lan.run(until: { b.state("VI_1") == .master && a.state("VI_1") == .backup }, within: 8) != nil, "\(a.log.text)")
        #expect(a.priority("VI_1") == 40)
        a.interfaces.setLink("eth1", up: false)
        lan.run(seconds: 0)
        #expect(a.priority("VI_1") == 100)
        #expect(lan.run(until: { a.state("VI_1") == .master && b.state("VI_1") == .backup }, within: 6) != nil)
        #expect(lan.wire.adverts(from: "a").last?.priority == 100)
    }

    @Test func theOwnInterfaceIsTrackedUnlessDontTrackPrimary() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        try a.start(Instance(state: "MASTER", priority: 150, extra: ["dont_track_primary"]).text)
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) != nil)
        a.interfaces.setLink("eth0", up: false)
        lan.run(seconds: 5)
        // keepalived stays MASTER on a dead link with dont_track_primary: its adverts just fail to leave.
        #expect(a.state("VI_1") == .master && a.holds(vip), "\(a.log.text)")
        #expect(!a.log.contains("FAULT"))
    }

    @Test func anAddressOnAnotherInterfaceTracksItUnlessNoTrack() throws {
        for noTrack in [false, true] {
            let lan = FakeLAN()
            let a = lan.host("a", eth0: "192.0.2.1").plug("eth1", into: "uplink-a", "198.51.100.1")
            let gateway = "198.51.100.50/24 dev eth1" + (noTrack ? " no_track" : "")
            try a.start(Instance(state: "MASTER", priority: 150, vips: ["192.0.2.100/24", gateway]).text)
            #expect(lan.run(until: { a.state("VI_1") == .master && a.holds("198.51.100.50", on: "eth1") }, within: 5) != nil)
            a.interfaces.setLink("eth1", up: false)
            lan.run(seconds: 0)
            #expect(a.state("VI_1") == (noTrack ? .master : .fault), "no_track \(noTrack): \(a.log.text)")
        }
    }

    @Test func aSyncGroupsTrackedInterfaceFaultsEveryMember() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1").plug("eth1", into: "uplink-a", "198.51.100.1")
        let config = syncGroup("G", ["VI_1", "VI_2"], extra: ["track_interface {", "    eth1", "}"])
            + Instance(name: "VI_1", state: "MASTER", priority: 150).text
            + Instance(name: "VI_2", state: "MASTER", vrid: 52, priority: 150, vips: ["192.0.2.101/24"]).text
        try a.start(config)
        #expect(lan.run(until: { a.state("VI_1") == .master && a.state("VI_2") == .master }, within: 8) != nil, "\(a.log.text)")
        a.interfaces.setLink("eth1", up: false)
        lan.run(seconds: 0)
        #expect(a.state("VI_1") == .fault && a.state("VI_2") == .fault)
        #expect(!a.holds(vip) && !a.holds("192.0.2.101"))
        a.interfaces.setLink("eth1", up: true)
        #expect(lan.run(until: { a.state("VI_1") == .master && a.state("VI_2") == .master }, within: 8) != nil)
    }

    /// Tracking is applied before the instance starts, so it goes from INIT straight to FAULT, as keepalived does.
    @Test func aMissingTrackedInterfaceCountsAsDownUntilItAppears() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        try a.start(Instance(state: "MASTER", priority: 150, extra: tracking("eth7")).text)
        #expect(a.log.contains("VI_1: tracked interface eth7 does not exist; it counts as down until it appears", at: .warning), "\(a.log.text)")
        #expect(a.transitions.map(\.state) == [.fault])
        lan.run(seconds: 5)
        #expect(lan.wire.frames.isEmpty && !a.holds(vip))

        a.plug("eth7", into: "other", "203.0.113.1")
        a.interfaces.setLink("eth7", up: true)
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) != nil, "\(a.log.text)")
    }

    /// The priority a tracked interface gives is in force from the first advert.
    @Test func aWeightedInterfaceDownAtStartSetsTheFirstAdvertsPriority() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1").plug("eth1", into: "uplink-a", "198.51.100.1")
        a.interfaces.setLink("eth1", up: false)
        try a.start(Instance(state: "MASTER", priority: 150, extra: tracking("eth1 weight -20")).text)
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) != nil)
        #expect(lan.wire.adverts(from: "a").first?.priority == 130)
    }
}
