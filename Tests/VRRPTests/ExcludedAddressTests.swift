// virtual_ipaddress_excluded: held and announced with the VIPs by a Master, never carried in its adverts.
import Testing
@testable import VRRP
import Vocabulary

@Suite struct ExcludedAddressTests {
    let t0 = MonotonicInstant(nanoseconds: 5_000_000_000)
    let vip: IPAddress = .ipv4(192, 0, 2, 100)
    let excluded: [IPAddress] = [.ipv4(192, 0, 2, 200), IPAddress("2001:db8::200")!]

    func owner() -> VRRPInstance {
        VRRPInstance(config: VRRPInstanceConfig(name: "O", vrid: 51, priority: 255, initialState: .master,
                                                virtualAddresses: [vip], excludedAddresses: excluded,
                                                primaryAddress: .ipv4(192, 0, 2, 1)))
    }

    @Test func aMasterAddsAndAnnouncesThemAfterTheVIPsButAdvertisesOnlyTheVIPs() {
        var i = owner()
        let actions = i.handle(.startup, at: t0)
        let advert = VRRPAdvertisement(version: .v2, vrid: 51, priority: 255, interval: .seconds(1), addresses: [vip])
        #expect(actions == [.sendAdvertisement(advert),
                            .addVirtualAddresses([vip] + excluded),
                            .sendGratuitous([vip] + excluded, repeat: 5),
                            .stateChanged(from: .initialize, to: .master, reason: .addressOwner)])
        #expect(i.config.receiveFilter.virtualAddresses == [vip], "an advert's address list is checked against the VIPs only")
    }

    @Test func leavingMasterRemovesThemWithTheVIPs() {
        var i = owner()
        _ = i.handle(.startup, at: t0)
        let actions = i.handle(.interfaceDown, at: t0 + .seconds(1))
        #expect(actions.contains(.removeVirtualAddresses([vip] + excluded)))
        let stop = i.handle(.shutdown, at: t0 + .seconds(2))
        #expect(!stop.contains { if case .removeVirtualAddresses = $0 { return true } else { return false } }, "removed once")
    }

    @Test func theSecondGratuitousBurstCoversThemToo() {
        var i = owner()
        _ = i.handle(.startup, at: t0)
        var bursts: [VRRPAction] = []
        var now = t0
        while now < t0 + .seconds(6), let next = i.nextDeadline {
            now = next
            bursts += i.handle(.timerFired, at: now).filter { if case .sendGratuitous = $0 { return true } else { return false } }
        }
        #expect(bursts == [.sendGratuitous([vip] + excluded, repeat: 5)])
    }
}
