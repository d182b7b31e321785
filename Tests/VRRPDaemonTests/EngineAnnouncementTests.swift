// tandem_announce: addresses served from start to stop (a local route), published (a route in the block's table)
// while every script, interface and virtual server quorum they track is healthy, and withdrawn first on a stop.
import Platform
import Testing
import Vocabulary
@testable import vrrpd

@Suite struct EngineAnnouncementTests {
    static let config = """
        vrrp_script chk_uplink {
            script "/bin/true"
        }
        virtual_server 203.0.113.10 80 {
            protocol TCP
            lb_algo mh
            real_server 198.51.100.1 80 {
            }
        }
        virtual_server 203.0.113.10 443 {
            protocol TCP
            real_server 198.51.100.1 443 {
            }
        }
        tandem_announce web {
            address 203.0.113.10
            address 203.0.113.11
            track_script {
                chk_uplink
            }
            track_interface {
                eth1
            }
            table 200
            withdraw_delay 3
        }

        """

    /// A director with eth0 on the LAN, an uplink eth1 and its loopback.
    private func director() -> (FakeLAN, FakeHost) {
        let lan = FakeLAN()
        let host = lan.host("d1", eth0: "192.0.2.1")
        host.plug("eth1", into: "uplink", "198.51.100.254")
        host.plug("lo", into: "loopback", "127.0.0.1", prefixLength: 8)
        return (lan, host)
    }

    private func published(_ host: FakeHost) -> Set<String> {
        Set(host.routeControl.routes.filter { $0.table == 200 }.map { "\($0.destination.address)" })
    }

    private func served(_ host: FakeHost) -> Set<String> {
        Set(host.routeControl.routes.filter { $0.table == 255 && $0.type == 2 }.map { "\($0.destination.address)" })
    }

    private func healthy(_ host: FakeHost) {
        host.engine?.updateTrackResults(["chk_uplink": true])
        host.engine?.announcer.updateQuorum("TCP 203.0.113.10:80", up: true)
        host.engine?.announcer.updateQuorum("TCP 203.0.113.10:443", up: true)
    }

    @Test func addressesAreServedAtOnceAndPublishedOnlyOnceEverythingTheyTrackIsKnownHealthy() throws {
        let (lan, d1) = director()
        try d1.start(Self.config)
        lan.run(seconds: 1)
        #expect(served(d1) == ["203.0.113.10", "203.0.113.11"])
        #expect(published(d1).isEmpty, "nothing reported yet: nothing announced")
        // Routes as `ip route add local ADDR dev lo table local` and `ip route add ADDR dev lo table 200 proto 201`.
        let lo = try #require(d1.interfaces.interface(named: "lo")).index
        let local = try #require(d1.routeControl.routes.first { $0.type == 2 })
        #expect(local.interfaceIndex == lo && local.scope == 254 && local.routingProtocol == 201)

        d1.engine?.updateTrackResults(["chk_uplink": true])
        #expect(published(d1) == ["203.0.113.11"], ".11 has no virtual server; .10 waits for ipvsd's quorum")
        d1.engine?.announcer.updateQuorum("TCP 203.0.113.10:80", up: true)
        #expect(published(d1) == ["203.0.113.11"], "443's quorum is not known yet")
        d1.engine?.announcer.updateQuorum("TCP 203.0.113.10:443", up: true)
        #expect(published(d1) == ["203.0.113.10", "203.0.113.11"])
        let route = try #require(d1.routeControl.routes.first { $0.table == 200 })
        #expect(route.type == 1 && route.interfaceIndex == lo && route.scope == 253 && route.routingProtocol == 201)
        #expect(d1.log.text.contains("announcing 203.0.113.10 (table 200)"), "\(d1.log.text)")
    }

    @Test func aLostQuorumWithdrawsOnlyItsAddressAndItsReturnPublishesItAgain() throws {
        let (lan, d1) = director()
        try d1.start(Self.config)
        healthy(d1)
        d1.engine?.announcer.updateQuorum("TCP 203.0.113.10:443", up: false)
        #expect(published(d1) == ["203.0.113.11"])
        #expect(served(d1) == ["203.0.113.10", "203.0.113.11"], "still served: flows the routers send meanwhile are taken")
        #expect(d1.log.text.contains("withdrew 203.0.113.10: TCP 203.0.113.10:443 has lost its quorum"), "\(d1.log.text)")
        let status = try #require(d1.engine?.announcer.statuses.first)
        #expect(status.address == "203.0.113.10" && !status.announced && status.served && status.table == 200)
        #expect(status.reason == "TCP 203.0.113.10:443 has lost its quorum" && status.block == "web")
        d1.engine?.announcer.updateQuorum("TCP 203.0.113.10:443", up: true)
        lan.run(seconds: 0.1)
        #expect(published(d1) == ["203.0.113.10", "203.0.113.11"])
    }

    @Test func aFailingScriptOrADownInterfaceWithdrawsTheWholeBlock() throws {
        let (lan, d1) = director()
        try d1.start(Self.config)
        healthy(d1)
        d1.engine?.updateTrackResults(["chk_uplink": false])
        #expect(published(d1).isEmpty)
        d1.engine?.updateTrackResults(["chk_uplink": true])
        #expect(published(d1).count == 2)
        d1.interfaces.setLink("eth1", up: false)
        lan.run(seconds: 0.1)
        #expect(published(d1).isEmpty)
        #expect(d1.log.text.contains("withdrew 203.0.113.11: interface eth1 is down"), "\(d1.log.text)")
        d1.interfaces.setLink("eth1", up: true)
        lan.run(seconds: 0.1)
        #expect(published(d1).count == 2)
    }

    /// A stop withdraws first, serves on for withdraw_delay while the routers hear of it, then lets go.
    @Test func aStopWithdrawsThenServesForTheDelayThenLetsGo() throws {
        let (lan, d1) = director()
        try d1.start(Self.config)
        healthy(d1)
        var ready = false
        d1.engine?.handOverBeforeStop { ready = true }
        #expect(published(d1).isEmpty && served(d1).count == 2 && !ready)
        lan.run(seconds: 2.9)
        #expect(!ready)
        lan.run(seconds: 0.2)
        #expect(ready)
        d1.stop()
        #expect(d1.routeControl.routes.isEmpty)
    }

    @Test func aStopWithNothingPublishedDoesNotWait() throws {
        let (_, d1) = director()
        try d1.start(Self.config)
        var ready = false
        d1.engine?.handOverBeforeStop { ready = true }
        #expect(ready)
    }

    /// Health reports survive a reload; an address taken out is withdrawn at once and served for its delay.
    @Test func aReloadKeepsWhatIsKnownAndDrainsARemovedAddress() throws {
        let (lan, d1) = director()
        try d1.start(Self.config)
        healthy(d1)
        try d1.reload(Self.config.replacingOccurrences(of: "    address 203.0.113.11\n", with: ""))
        #expect(published(d1) == ["203.0.113.10"])
        #expect(served(d1) == ["203.0.113.10", "203.0.113.11"])
        lan.run(seconds: 3.1)
        #expect(served(d1) == ["203.0.113.10"])
    }

    /// ipvsd reports every pool's quorum once and then only changes: a pool a reload puts on an announced address
    /// is known already.
    @Test func aReloadThatAnnouncesAnotherAddressUsesTheQuorumHeardBefore() throws {
        let (_, d1) = director()
        let other = Self.config.replacingOccurrences(of: "tandem_announce web {", with: "virtual_server 203.0.113.12 80 {\n    protocol TCP\n    real_server 198.51.100.1 80 {\n    }\n}\ntandem_announce web {")
        try d1.start(other)
        healthy(d1)
        d1.engine?.announcer.updateQuorum("TCP 203.0.113.12:80", up: true)
        try d1.reload(other.replacingOccurrences(of: "    address 203.0.113.11\n", with: "    address 203.0.113.12\n"))
        #expect(published(d1) == ["203.0.113.10", "203.0.113.12"])
    }

    /// A vrrpd that died without stopping left its published route: the next one removes it until health is known.
    @Test func aRouteLeftByACrashedVrrpdIsRemovedAtStart() throws {
        let (lan, d1) = director()
        try d1.start(Self.config)
        healthy(d1)
        d1.crash()
        #expect(published(d1).count == 2)
        try d1.start(Self.config)
        lan.run(seconds: 0.1)
        #expect(published(d1).isEmpty)
    }
}
