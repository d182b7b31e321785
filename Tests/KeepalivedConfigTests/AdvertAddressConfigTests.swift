import Testing
@testable import KeepalivedConfig
import Vocabulary

/// virtual_ipaddress_excluded and mcast_src_ip.
@Suite struct AdvertAddressConfigTests {
    // MARK: virtual_ipaddress_excluded

    @Test func excludedAddressesOfEitherFamilyWithNoTrack() throws {
        let result = Fixtures.parse(instanceText("""
            virtual_ipaddress {
                192.0.2.100/24
            }
            virtual_ipaddress_excluded {
                192.0.2.200/24 dev eth1 no_track
                2001:db8::200/64
            }

        """))
        #expect(result.errors.isEmpty, "\(result.printed)")
        let instance = try onlyInstance(result)
        #expect(instance.excludedVirtualIPAddresses.map(\.address.description) == ["192.0.2.200", "2001:db8::200"])
        #expect(instance.excludedVirtualIPAddresses.map(\.noTrack) == [true, false])
        #expect(instance.excludedVirtualIPAddresses[0].device == "eth1")
        #expect(instance.family == .ipv4, "the family is the advertised addresses'")
    }

    // MARK: mcast_src_ip

    @Test func mcastSrcIPIsTheSourceAndTheLastSourceWins() throws {
        let one = try onlyInstance(Fixtures.parse(instanceText("    mcast_src_ip 192.0.2.7\n")))
        #expect(one.sourceIP == IPAddress("192.0.2.7") && one.unicastPeers.isEmpty)
        let last = try onlyInstance(Fixtures.parse(instanceText("    mcast_src_ip 192.0.2.7\n    unicast_src_ip 192.0.2.8\n")))
        #expect(last.sourceIP == IPAddress("192.0.2.8"))
    }

    @Test func aBadMcastSrcIPIsAnError() {
        let bad = Fixtures.parse(instanceText("    mcast_src_ip 192.0.2.300\n"))
        #expect(bad.has(.error, at: 4, 18, containing: "'192.0.2.300' is not an IPv4 or IPv6 address"), "\(bad.printed)")
        let family = Fixtures.parse(instanceText("    mcast_src_ip 2001:db8::7\n"))
        #expect(family.has(.error, at: 1, 1, containing: "the source address 2001:db8::7 (mcast_src_ip / unicast_src_ip) is not of the virtual addresses' family"), "\(family.printed)")
    }
}
