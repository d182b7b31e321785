// virtual_routes/virtual_rules follow MASTER; static_ipaddress/static_routes/static_rules follow the daemon.
import Platform
import Testing
import VRRP
import Vocabulary
@testable import vrrpd

@Suite struct EngineRouteTests {
    static let routed = Instance(state: "MASTER", priority: 150, extra: [
        "virtual_routes {", "    198.51.100.0/24 via 192.0.2.254 dev eth0 table 100", "    blackhole 203.0.113.0/24 table 100", "}",
        "virtual_rules {", "    from 192.0.2.100 table 100 priority 100", "}",
    ])
    static let staticText = """
        static_ipaddress {
            192.0.2.50/24 dev eth0
        }
        static_routes {
            203.0.113.0/25 via 192.0.2.254 dev eth0 table 101
        }
        static_rules {
            fwmark 7 table 101 priority 101
        }

        """

    private func destinations(_ host: FakeHost) -> Set<String> {
        Set(host.routeControl.routes.map { "\($0.destination) table \($0.table)" })
    }

    @Test func virtualRoutesAndRulesAreInstalledOnMasterAfterTheAddressesAndRemovedOnFailover() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let b = lan.host("b", eth0: "192.0.2.2")
        try a.start(Self.routed.text)
        var backup = Self.routed
        backup.state = "BACKUP"
        backup.priority = 100
        try b.start(backup.text)
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) != nil)
        #expect(destinations(a) == ["198.51.100.0/24 table 100", "203.0.113.0/24 table 100"])
        #expect(a.routeControl.rules.map(\.preference) == [100] && a.routeControl.rules.first?.table == 100)
        #expect(b.routeControl.routes.isEmpty && b.routeControl.rules.isEmpty)
        // The tracked route is protocol keepalived on eth0's index; the blackhole has no next hop.
        let forward = try #require(a.routeControl.routes.first { $0.type == 1 })
        #expect(forward.routingProtocol == 18 && forward.interfaceIndex == a.interfaces.interface(named: "eth0")?.index)
        #expect(a.routeControl.routes.first { $0.type == 6 }?.interfaceIndex == nil)

        // a stops: rules, then routes, then the VIP go; b takes over and installs them.
        a.stop()
        let removals = a.routeControl.history.filter {
            if case .removedRoute = $0 { return true }
            if case .removedRule = $0 { return true }
            return false
        }
        #expect(removals.count == 3)
        if case .removedRule = removals.first {} else { Issue.record("the rule must go first: \(removals)") }
        #expect(a.routeControl.routes.isEmpty && a.routeControl.rules.isEmpty && !a.holds(vip))
        #expect(lan.run(until: { b.state("VI_1") == .master }, within: 5) != nil)
        #expect(destinations(b) == ["198.51.100.0/24 table 100", "203.0.113.0/24 table 100"] && b.routeControl.rules.count == 1)
    }

    @Test func aBackupThatGoesMasterAndBackAddsAndRemovesItsRoutes() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        var lone = Self.routed
        lone.state = "BACKUP"
        try a.start(lone.text)
        #expect(a.routeControl.routes.isEmpty)
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) != nil)
        #expect(a.routeControl.routes.count == 2)
        // A higher-priority master appears: a goes back to BACKUP and removes them.
        let b = lan.host("b", eth0: "192.0.2.2")
        var higher = Self.routed
        higher.priority = 200
        try b.start(higher.text)
        #expect(lan.run(until: { a.state("VI_1") == .backup && b.state("VI_1") == .master }, within: 5) != nil)
        #expect(a.routeControl.routes.isEmpty && a.routeControl.rules.isEmpty)
        #expect(b.routeControl.routes.count == 2)
    }

    @Test func staticEntriesAreInstalledAtStartWhateverTheStateAndReloadTouchesOnlyWhatChanged() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        try a.start(Self.staticText + Instance(state: "BACKUP", priority: 100).text)
        // Installed at once, while the instance is still BACKUP.
        #expect(a.state("VI_1") == .backup)
        #expect(destinations(a) == ["203.0.113.0/25 table 101"] && a.routeControl.rules.map(\.fwmark) == [7])
        #expect(a.holds("192.0.2.50"))

        // Reload with one route changed: only that route is removed and added; the rule and address stay.
        let historyBefore = a.routeControl.history.count
        try a.reload(Self.staticText.replacingOccurrences(of: "203.0.113.0/25", with: "203.0.113.128/25")
                     + Instance(state: "BACKUP", priority: 100).text)
        let changes = a.routeControl.history.dropFirst(historyBefore)
        #expect(changes.count == 2, "\(changes)")
        #expect(destinations(a) == ["203.0.113.128/25 table 101"] && a.routeControl.rules.count == 1)
        #expect(!a.addressControl.history.contains(.removed(ip("192.0.2.50"), interface: "eth0")))

        // At stop keepalived clears its static entries too.
        a.stop()
        #expect(a.routeControl.routes.isEmpty && a.routeControl.rules.isEmpty && !a.holds("192.0.2.50"))
    }

    @Test func aTrackedRoutesInterfaceIsTrackedAndNoTrackIsNot() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        a.plug("eth1", into: "lan2", "198.51.100.1")
        let tracked = Instance(state: "MASTER", priority: 150, extra: ["virtual_routes {", "    203.0.113.0/24 via 198.51.100.254 dev eth1", "}"])
        try a.start(tracked.text)
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) != nil)
        a.interfaces.setLink("eth1", up: false)
        #expect(lan.run(until: { a.state("VI_1") == .fault }, within: 2) != nil, "\(a.log.text)")

        let otherLAN = FakeLAN()
        let b = otherLAN.host("b", eth0: "192.0.2.2")
        b.plug("eth1", into: "lan2", "198.51.100.2")
        let untracked = Instance(state: "MASTER", priority: 150, extra: ["virtual_routes {", "    203.0.113.0/24 via 198.51.100.254 dev eth1 no_track", "}"])
        try b.start(untracked.text)
        #expect(otherLAN.run(until: { b.state("VI_1") == .master }, within: 5) != nil)
        b.interfaces.setLink("eth1", up: false)
        otherLAN.run(seconds: 2)
        #expect(b.state("VI_1") != .fault)
    }

    @Test func aReloadThatChangesOnlyVirtualRoutesKeepsMasterAndTouchesOnlyWhatChanged() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        try a.start(Self.routed.text)
        #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) != nil)
        let transitions = a.transitions.count
        let historyBefore = a.routeControl.history.count
        var changed = Self.routed
        changed.extra[2] = "    blackhole 203.0.113.0/26 table 100"
        try a.reload(changed.text)
        #expect(a.state("VI_1") == .master && a.transitions.count == transitions && !a.log.contains("VI_1 stopped"))
        let changes = a.routeControl.history.dropFirst(historyBefore)
        #expect(changes.count == 2, "\(changes)")
        #expect(destinations(a) == ["198.51.100.0/24 table 100", "203.0.113.0/26 table 100"])
        #expect(a.routeControl.rules.count == 1 && a.holds(vip))
    }
}
