// vrrp_sync_group: members move together (keepalived's vrrp_sync.c).
import Testing
@testable import VRRP
import Vocabulary

@Suite struct SyncGroupTests {
    let t0 = MonotonicInstant(nanoseconds: 1_000_000_000)

    func group(_ a: VRRPInstanceConfig, _ b: VRRPInstanceConfig) -> VRRPSyncGroup {
        VRRPSyncGroup(name: "G", members: [VRRPInstance(config: a), VRRPInstance(config: b)])
    }

    func members(_ g: VRRPSyncGroup) -> [VRRPState] { g.members.map(\.state) }

    func runTimers(_ g: inout VRRPSyncGroup, until end: MonotonicInstant) -> [VRRPMemberAction] {
        var out: [VRRPMemberAction] = []
        while let d = g.nextDeadline, d <= end { out += g.timerFired(at: d) }
        return out
    }

    func twoBackups() -> VRRPSyncGroup {
        group(config("VI_1", host: 1, priority: 100, vrid: 1), config("VI_2", host: 1, priority: 100, interval: .seconds(2), vrid: 2))
    }

    @Test func memberWaitsUntilAllWantMasterThenAllGo() {
        var g = twoBackups()
        _ = g.start(at: t0)
        #expect(members(g) == [.backup, .backup] && g.state == .backup)
        // VI_1 times out at 3.609375 s but VI_2 does not want Master yet: VI_1 stays Backup.
        _ = runTimers(&g, until: t0 + .microseconds(3_609_375))
        #expect(members(g) == [.backup, .backup])
        #expect(g.members[0].wantState == .master)
        // VI_2 (advert_int 2) times out at 6 + 0.609375 s: both go Master together.
        let out = runTimers(&g, until: t0 + .microseconds(6_609_375))
        #expect(members(g) == [.master, .master] && g.state == .master)
        #expect(out.contains(VRRPMemberAction(member: 0, action: .stateChanged(from: .backup, to: .master, reason: .syncGroup))))
        #expect(out.contains(VRRPMemberAction(member: 1, action: .stateChanged(from: .backup, to: .master, reason: .masterDown))))
    }

    @Test func oneMemberToBackupTakesAllToBackup() {
        var g = twoBackups()
        _ = g.start(at: t0)
        _ = runTimers(&g, until: t0 + .seconds(7))
        #expect(g.state == .master)
        let ad = VRRPAdvertisement(version: .v2, vrid: 2, priority: 200, interval: .seconds(2), addresses: [.ipv4(192, 0, 2, 100)])
        let out = g.handle(.advertisement(ad, from: .ipv4(192, 0, 2, 9)), member: 1, at: t0 + .seconds(8))
        #expect(members(g) == [.backup, .backup] && g.state == .backup)
        #expect(out.contains(VRRPMemberAction(member: 0, action: .removeVirtualAddresses([.ipv4(192, 0, 2, 100)]))))
        #expect(out.contains(VRRPMemberAction(member: 0, action: .stateChanged(from: .master, to: .backup, reason: .syncGroup))))
        // The follower re-arms its full down timer.
        #expect(g.members[0].nextDeadline == t0 + .seconds(8) + .microseconds(3_609_375))
    }

    @Test func oneMemberFaultTakesAllToFaultAndBackOnlyWhenAllClear() {
        var g = twoBackups()
        _ = g.start(at: t0)
        _ = runTimers(&g, until: t0 + .seconds(7))
        let down = g.handle(.interfaceDown, member: 0, at: t0 + .seconds(8))
        #expect(members(g) == [.fault, .fault] && g.state == .fault)
        // Both Masters tell their peers with priority 0 (keepalived's leave_master for FAULT).
        #expect(down.filter { if case .sendAdvertisement(let a) = $0.action { return a.priority == 0 } else { return false } }.count == 2)
        _ = g.handle(.trackDown, member: 1, at: t0 + .seconds(9))
        _ = g.handle(.interfaceUp, member: 0, at: t0 + .seconds(10))
        #expect(members(g) == [.fault, .fault])   // VI_2's script still failing
        let up = g.handle(.trackUp, member: 1, at: t0 + .seconds(11))
        #expect(members(g) == [.backup, .backup] && g.state == .backup)
        #expect(up.contains(VRRPMemberAction(member: 0, action: .stateChanged(from: .fault, to: .backup, reason: .recovered))))
        #expect(g.nextDeadline == t0 + .seconds(11) + .microseconds(3_609_375))
    }

    @Test func faultAtStartHoldsEveryMember() {
        var g = twoBackups()
        _ = g.handle(.interfaceDown, member: 1, at: t0)
        _ = g.start(at: t0)
        #expect(members(g) == [.fault, .fault] && g.state == .fault)
        _ = g.handle(.interfaceUp, member: 1, at: t0 + .seconds(1))
        #expect(members(g) == [.backup, .backup])
    }

    @Test func ownersWithStateMasterStartAsMasterGroup() {
        var g = group(config("VI_1", host: 1, priority: 255, state: .master, vrid: 1),
                      config("VI_2", host: 1, priority: 255, state: .master, vrid: 2))
        #expect(g.state == .master)
        _ = g.start(at: t0)
        #expect(members(g) == [.master, .master])
    }

    @Test func mixedGroupStartsBackupAndAStateMasterMemberWaitsOneInterval() {
        // keepalived: in a group starting as BACKUP, a `state MASTER` member waits advert_int + minimum skew (1/256 s).
        var g = group(config("VI_1", host: 1, priority: 150, state: .master, vrid: 1), config("VI_2", host: 1, priority: 100, vrid: 2))
        _ = g.start(at: t0)
        #expect(g.members[0].nextDeadline == t0 + .microseconds(1_003_906))
    }
}
