// Skew_Time and Master_Down_Interval against values worked out by hand from RFC 3768 §6.1 / RFC 5798 §6.1.
import Testing
@testable import VRRP
import Vocabulary

@Suite struct TimerFormulaTests {
    @Test func v2SkewIsAFractionOfOneSecond() {
        // (256 − 100) / 256 s = 0.609375 s; (256 − 254) / 256 = 0.0078125 s; owner (1/256) = 0.00390625 s.
        #expect(VRRPTimers.skewTime(version: .v2, priority: 100, masterAdvertInterval: .seconds(5)).totalNanoseconds == us(609_375))
        #expect(VRRPTimers.skewTime(version: .v2, priority: 254, masterAdvertInterval: .seconds(1)).totalNanoseconds == us(7_812))
        #expect(VRRPTimers.skewTime(version: .v2, priority: 255, masterAdvertInterval: .seconds(1)).totalNanoseconds == us(3_906))
    }

    @Test func v3SkewScalesWithTheMasterInterval() {
        // ((256 − 100) × 100 cs) / 256 = 60.9375 cs = 609375 µs; at 10 cs: 6.09375 cs = 60937.5 → 60937 µs (keepalived truncates).
        #expect(VRRPTimers.skewTime(version: .v3, priority: 100, masterAdvertInterval: .seconds(1)).totalNanoseconds == us(609_375))
        #expect(VRRPTimers.skewTime(version: .v3, priority: 100, masterAdvertInterval: .milliseconds(100)).totalNanoseconds == us(60_937))
        #expect(VRRPTimers.skewTime(version: .v3, priority: 150, masterAdvertInterval: .milliseconds(100)).totalNanoseconds == us(41_406))
    }

    @Test func masterDownIntervalIsThreeIntervalsPlusSkew() {
        // The figure measured with Debian's keepalived in PLATFORM-NOTES: 3.61 s at priority 100, advert_int 1.
        #expect(VRRPTimers.masterDownInterval(version: .v2, priority: 100, masterAdvertInterval: .seconds(1)).totalNanoseconds == us(3_609_375))
        #expect(VRRPTimers.masterDownInterval(version: .v3, priority: 100, masterAdvertInterval: .seconds(1)).totalNanoseconds == us(3_609_375))
        #expect(VRRPTimers.masterDownInterval(version: .v3, priority: 100, masterAdvertInterval: .milliseconds(100)).totalNanoseconds == us(360_937))
        #expect(VRRPTimers.masterDownInterval(version: .v2, priority: 100, masterAdvertInterval: .seconds(1), adverts: 5).totalNanoseconds == us(5_609_375))
    }

    @Test func normalizationFollowsKeepalived() {
        let v2 = VRRPInstanceConfig(name: "x", vrid: 1, version: .v2, priority: 0, advertInterval: .milliseconds(100),
                                    initialState: .master, preempt: false, preemptDelay: .seconds(3),
                                    virtualAddresses: [], primaryAddress: .ipv4(192, 0, 2, 1)).normalized
        #expect(v2.advertInterval == .seconds(1))   // 0.1 s rounds to 0, then 1 s
        #expect(v2.priority == 255)                 // no priority + state MASTER → owner
        #expect(v2.preempt && v2.preemptDelay == .zero)
        let v2b = VRRPInstanceConfig(name: "x", vrid: 1, advertInterval: .milliseconds(1500), virtualAddresses: [],
                                     primaryAddress: .ipv4(192, 0, 2, 1)).normalized
        #expect(v2b.advertInterval == .seconds(2))
        let v3 = VRRPInstanceConfig(name: "x", vrid: 1, version: .v2, advertInterval: .milliseconds(104), virtualAddresses: [],
                                    primaryAddress: .v6(high: 0xFE80 << 48, low: 1), authentication: .password("p")).normalized
        #expect(v3.version == .v3 && v3.authentication == .none)
        #expect(v3.advertInterval == .milliseconds(100))
    }
}
