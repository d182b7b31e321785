// No `priority` line: keepalived's vrrp_complete_instance makes `state MASTER` the address owner (255), and
// anything else 100; no `state` line with priority 255 starts as MASTER.
import Vocabulary
import Testing
import VRRP
@testable import vrrpd

@Suite struct EngineDefaultPriorityTests {
    @Test func stateMasterWithoutPriorityOwnsTheAddressAndPreemptsAt255() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        let b = lan.host("b", eth0: "192.0.2.2")
        try b.start(Instance(priority: 254).text)
        #expect(lan.run(until: { b.state("VI_1") == .master }, within: 5) != nil)
        try a.start(Instance(state: "MASTER", priority: nil).text)
        // An owner does not wait: it is Master at once, and b yields to 255 on its first advert.
        #expect(a.state("VI_1") == .master && a.priority("VI_1") == 255)
        #expect(a.log.contains("VI_1: INITIALIZE → MASTER (addressOwner)"), "\(a.log.text)")
        #expect(lan.run(until: { b.state("VI_1") == .backup }, within: 1) != nil)
        #expect(lan.wire.adverts(from: "a").allSatisfy { $0.priority == 255 })
        lan.run(seconds: 3)
        #expect(a.holds(vip) && !b.holds(vip))
    }

    @Test func backupOrNoStateWithoutPriorityIs100() throws {
        for state in ["BACKUP", nil] as [String?] {
            let lan = FakeLAN()
            let a = lan.host("a", eth0: "192.0.2.1")
            try a.start(Instance(state: state, priority: nil).text)
            #expect(a.priority("VI_1") == 100 && a.state("VI_1") == .backup)
            #expect(lan.run(until: { a.state("VI_1") == .master }, within: 5) == downInterval100)
            #expect(lan.wire.adverts(from: "a").first?.priority == 100)
        }
    }

    @Test func priority255WithoutStateStartsAsMaster() throws {
        let lan = FakeLAN()
        let a = lan.host("a", eth0: "192.0.2.1")
        try a.start(Instance(state: nil, priority: 255).text)
        #expect(a.state("VI_1") == .master && a.priority("VI_1") == 255)
    }
}
