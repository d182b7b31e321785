import KeepalivedConfig
import Testing
import Wire
@testable import Health

@Suite struct NotifyPlannerTests {
    private let text = """
    vrrp_sync_group G1 {
        group { VI_1 VI_2 }
        notify_master "/etc/g-master"
        notify "/etc/g-notify"
    }
    vrrp_instance VI_1 {
        interface lo
        virtual_router_id 51
        virtual_ipaddress { 192.0.2.10 }
        notify_master "/etc/master arg1"
        notify_backup /etc/backup
        notify_fault /etc/fault
        notify_stop /etc/stop
        notify "/etc/notify x"
    }
    vrrp_instance VI_2 {
        interface lo
        virtual_router_id 52
        virtual_ipaddress { 192.0.2.11 }
    }
    """

    @Test func changeRunsTheSpecificScriptThenNotifyWithKeepalivedsArguments() throws {
        var planner = NotifyPlanner(configuration: try parseConfig(text))
        let first = planner.observe(instance: "VI_1", state: .backup, priority: 100, inSnapshot: false)
        #expect(first.map(\.arguments) == [["/etc/backup"], ["/etc/notify", "x", "INSTANCE", "VI_1", "BACKUP", "100"]])
        #expect(planner.observe(instance: "VI_1", state: .backup, priority: 100, inSnapshot: false).isEmpty)
        let master = planner.observe(instance: "VI_1", state: .master, priority: 100, inSnapshot: false)
        #expect(master.map(\.arguments) == [["/etc/master", "arg1"],
                                            ["/etc/notify", "x", "INSTANCE", "VI_1", "MASTER", "100"]])
        #expect(planner.observe(instance: "VI_1", state: .fault, priority: 0, inSnapshot: false).first?.arguments
                == ["/etc/fault"])
        #expect(planner.observe(instance: "VI_1", state: .stop, priority: 0, inSnapshot: false).first?.arguments
                == ["/etc/stop"])
    }

    @Test func snapshotStateIsABaseline() throws {
        var planner = NotifyPlanner(configuration: try parseConfig(text))
        #expect(planner.observe(instance: "VI_1", state: .master, priority: 100, inSnapshot: true).isEmpty)
        #expect(planner.observe(instance: "VI_1", state: .master, priority: 100, inSnapshot: true).isEmpty)
        #expect(!planner.observe(instance: "VI_1", state: .backup, priority: 100, inSnapshot: true).isEmpty,
                "a real change seen in a later snapshot still runs")
    }

    @Test func groupNotifiesWhenAllMembersAgree() throws {
        var planner = NotifyPlanner(configuration: try parseConfig(text))
        _ = planner.observe(instance: "VI_1", state: .master, priority: 100, inSnapshot: false)
        let both = planner.observe(instance: "VI_2", state: .master, priority: 100, inSnapshot: false)
        #expect(both.map(\.arguments) == [["/etc/g-master"], ["/etc/g-notify", "GROUP", "G1", "MASTER", "100"]])
        let fault = planner.observe(instance: "VI_2", state: .fault, priority: 0, inSnapshot: false)
        #expect(fault.map(\.arguments) == [["/etc/g-notify", "GROUP", "G1", "FAULT", "0"]])
    }

    @Test func initIsNeverNotified() throws {
        var planner = NotifyPlanner(configuration: try parseConfig(text))
        #expect(planner.observe(instance: "VI_1", state: .initialize, priority: 100, inSnapshot: false).isEmpty)
    }
}
