import Testing
import Vocabulary
@testable import vrrpd

/// keepalived's per-interface spacing of gratuitous ARPs and NAs, as the engine's pure pacer does it.
@Suite struct AnnouncementPacerTests {
    let t0 = MonotonicInstant(nanoseconds: 1_000_000_000)
    let a = IPAddress("192.0.2.10")!, b = IPAddress("192.0.2.11")!, v6 = IPAddress("2001:db8::10")!

    func announcement(_ address: IPAddress, _ interface: String = "eth0", owner: String = "VI_1") -> AnnouncementPacer.Announcement {
        let order: [IPAddress] = [a, b, v6]
        return .init(address: address, interface: interface, owner: owner,
                     rank: .init(instance: owner == "VI_1" ? 0 : 1, address: order.firstIndex(of: address) ?? 9))
    }

    @Test func oneMessagePerIntervalAndARepeatWhilePendingAddsNothing() {
        var pacer = AnnouncementPacer()
        let interval = Duration.milliseconds(100)
        // A burst of 3 repeats for two addresses, all asked for at t0.
        var sentNow: [IPAddress] = []
        for _ in 0..<3 {
            for address in [a, b] where pacer.request(announcement(address), interval: interval, at: t0) { sentNow.append(address) }
        }
        #expect(sentNow == [a])
        #expect(pacer.nextDeadline == t0 + interval)
        // Pending: b and a once each (keepalived's per-address flag), one per interval, in the instance's
        // address order (a before b), whatever order they were asked for in.
        #expect(pacer.due(at: t0 + .milliseconds(50)).isEmpty)
        #expect(pacer.due(at: t0 + interval).map(\.address) == [a])
        #expect(pacer.due(at: t0 + .milliseconds(200)).map(\.address) == [b])
        #expect(pacer.nextDeadline == nil)
        // The interface has waited long enough: the next goes at once.
        let goesAtOnce = pacer.request(announcement(b), interval: interval, at: t0 + .milliseconds(400))
        #expect(goesAtOnce)
    }

    @Test func familiesAndInterfacesAreSpacedSeparately() {
        var pacer = AnnouncementPacer()
        let first = [announcement(a), announcement(v6), announcement(b, "eth1")].map {
            pacer.request($0, interval: .seconds(1), at: t0)
        }
        #expect(first == [true, true, true], "one each: IPv4 and IPv6 on eth0, IPv4 on eth1")
        let secondIPv4OnEth0 = pacer.request(announcement(b), interval: .seconds(1), at: t0)
        #expect(!secondIPv4OnEth0)
    }

    @Test func pendingAnnouncementsOfReleasedAddressesAreDropped() {
        var pacer = AnnouncementPacer()
        _ = pacer.request(announcement(a), interval: .seconds(1), at: t0)
        _ = pacer.request(announcement(b), interval: .seconds(1), at: t0)
        _ = pacer.request(announcement(a, owner: "VI_2"), interval: .seconds(1), at: t0)
        pacer.drop(owner: "VI_1", addresses: [a, b])
        #expect(pacer.due(at: t0 + .seconds(1)).map(\.owner) == ["VI_2"])
        #expect(pacer.nextDeadline == nil)
    }
}
