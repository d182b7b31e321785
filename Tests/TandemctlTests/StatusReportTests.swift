import Control
import Testing
@testable import tandemctl

/// The status screen and its problems, from daemon statuses given by hand (no sockets).
@Suite struct StatusReportTests {
    static func vrrpd(_ instances: [InstanceStatus]) -> DaemonStatus {
        var status = DaemonStatus(name: "vrrpd", version: "0.1.0", pid: 7, startedAt: 1_790_000_000, uptimeSeconds: 100,
                                  configFile: "/etc/keepalived/keepalived.conf", configLoadedAt: 1_790_000_001,
                                  peers: [PeerLink(peer: "ipvsd", connected: true), PeerLink(peer: "checkd", connected: true)])
        status.instances = instances
        return status
    }

    static func report(_ instances: [InstanceStatus]) -> StatusReport {
        StatusReport(runtimeDirectory: "/run/tandem",
                     answers: [(name: "vrrpd", socket: "/run/tandem/vrrpd.control", answer: .status(vrrpd(instances)))],
                     configModified: { _ in nil })
    }

    @Test func anInstanceLineSaysWhyItsPriorityMovedAndWhoIsMaster() {
        var backup = InstanceStatus(name: "VI_1", state: "backup", effectivePriority: 70)
        backup.basePriority = 100
        backup.since = 1_790_000_040
        backup.reason = "higherPriorityAdvert"
        backup.masterAddress = "192.0.2.2"
        backup.masterPriority = 90
        backup.syncGroup = "G1"
        backup.tracking = [TrackStatus(kind: "script", name: "chk_nginx", status: "failed", weight: -30, reverse: false, adds: -30, faults: false),
                           TrackStatus(kind: "interface", name: "eth1", status: "up", weight: 0, reverse: false, adds: 0, faults: false)]
        backup.addresses = [AddressStatus(address: "192.0.2.100/32", interface: "eth0", present: false)]
        let lines = StatusReport.lines(of: backup, now: 1_790_000_100)
        #expect(lines[0] == "  VI_1  BACKUP for 1m0s (higherPriorityAdvert)  priority 70 (base 100; chk_nginx failed -30)  sync group G1")
        #expect(lines[1] == "      master 192.0.2.2 priority 90")
        #expect(lines[2] == "      192.0.2.100/32 eth0 absent")
        #expect(Self.report([backup]).problems.isEmpty)
    }

    @Test func aMasterWithoutItsAddressAndABackupHoldingOneAreProblems() {
        var master = InstanceStatus(name: "VI_1", state: "master", effectivePriority: 100)
        master.addresses = [AddressStatus(address: "192.0.2.100/32", interface: "eth0", present: false)]
        var backup = InstanceStatus(name: "VI_2", state: "backup", effectivePriority: 100)
        backup.addresses = [AddressStatus(address: "192.0.2.101/32", interface: "eth0", present: true)]
        var lingering = InstanceStatus(name: "VI_3", state: "backup", effectivePriority: 100, handover: "lingering")
        lingering.addresses = [AddressStatus(address: "192.0.2.102/32", interface: "eth0", present: true)]
        let problems = Self.report([master, backup, lingering]).problems
        #expect(problems == ["VI_1 is MASTER but 192.0.2.100/32 is not on the interface",
                             "VI_2 is BACKUP but still holds 192.0.2.101/32"])
    }

    @Test func aHeldBackInstanceSaysHowToEndTheHold() {
        var held = InstanceStatus(name: "VI_1", state: "backup", effectivePriority: 150, handover: "held-back",
                                  lastHandover: "completed", lastHandoverTo: "192.0.2.2")
        held.basePriority = 150
        let lines = StatusReport.lines(of: held, now: 0)
        #expect(lines == ["  VI_1  BACKUP  priority 150", "      handover: held-back (tandemctl resume ends it)"])
    }

    @Test func twoMastersAreAProblemWhileTheEvidenceLasts() {
        var heard = InstanceStatus(name: "VI_1", state: "master", effectivePriority: 150)
        heard.otherMasterAddress = "192.0.2.2"
        heard.otherMasterPriority = 100
        heard.otherMasterSeenAt = 1_790_000_098
        heard.otherMasterRecentAdverts = 3
        var deaf = InstanceStatus(name: "VI_2", state: "master", effectivePriority: 150)
        deaf.droppedAdverts = ["authFailure": 12]
        deaf.lastDropReason = "authFailure"
        deaf.lastDropAt = 1_790_000_099
        deaf.recentDrops = 3
        // One advert crossed while an election settled: not a problem.
        var settling = InstanceStatus(name: "VI_3", state: "master", effectivePriority: 150)
        settling.otherMasterAddress = "192.0.2.3"
        settling.otherMasterSeenAt = 1_790_000_099
        settling.otherMasterRecentAdverts = 1
        var backup = InstanceStatus(name: "VI_4", state: "backup", effectivePriority: 100)
        backup.lastDropReason = "authFailure"
        backup.lastDropAt = 1_790_000_099
        backup.recentDrops = 3
        let report = StatusReport(runtimeDirectory: "/run/tandem",
                                  answers: [(name: "vrrpd", socket: "/run/tandem/vrrpd.control",
                                             answer: .status(Self.vrrpd([heard, deaf, settling, backup])))],
                                  configModified: { _ in nil })
        #expect(report.problems == [
            "VI_1: 192.0.2.2 advertises as MASTER too (priority 100): both nodes claim MASTER",
            "VI_2 is MASTER and drops adverts for its VRID (authFailure): another router may be MASTER too, each unheard by the other",
        ])
        #expect(StatusReport.lines(of: heard, now: 1_790_000_100).contains("      another MASTER heard: 192.0.2.2 priority 100, 2s ago"))
        #expect(StatusReport.lines(of: deaf, now: 1_790_000_100).contains("      dropped for its VRID: authFailure 12, last 1s ago"))
    }
}
