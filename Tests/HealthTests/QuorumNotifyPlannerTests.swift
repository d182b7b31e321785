import KeepalivedConfig
import Testing
@testable import Health

@Suite struct QuorumNotifyPlannerTests {
    private let text = """
    virtual_server 192.0.2.1 80 {
        protocol TCP
        quorum_up "/bin/echo gained"
        quorum_down "/bin/echo lost"
        real_server 198.51.100.1 80 { TCP_CHECK { } }
    }
    virtual_server fwmark 7 {
        quorum_down "/bin/echo fw-lost"
        real_server 198.51.100.2 80 { TCP_CHECK { } }
    }
    virtual_server 192.0.2.2 80 {
        protocol TCP
        real_server 198.51.100.3 80 { TCP_CHECK { } }
    }
    """

    @Test func onlyChangesAfterTheBaselineRunScripts() throws {
        var planner = QuorumNotifyPlanner(configuration: try parseConfig(text))
        #expect(planner.observe(virtualServer: "TCP 192.0.2.1:80", up: true, inSnapshot: true) == nil)
        #expect(planner.observe(virtualServer: "TCP 192.0.2.1:80", up: true, inSnapshot: false) == nil)
        #expect(planner.observe(virtualServer: "TCP 192.0.2.1:80", up: false, inSnapshot: false)?.text == "/bin/echo lost")
        #expect(planner.observe(virtualServer: "TCP 192.0.2.1:80", up: false, inSnapshot: false) == nil)
        // A snapshot after a reconnect that differs from what was known is a change.
        #expect(planner.observe(virtualServer: "TCP 192.0.2.1:80", up: true, inSnapshot: true)?.text == "/bin/echo gained")
    }

    @Test func aFirstReportOutsideASnapshotIsAChange() throws {
        var planner = QuorumNotifyPlanner(configuration: try parseConfig(text))
        #expect(planner.observe(virtualServer: "TCP fwmark 7", up: false, inSnapshot: false)?.text == "/bin/echo fw-lost")
        #expect(planner.observe(virtualServer: "TCP fwmark 7", up: true, inSnapshot: false) == nil, "no quorum_up")
    }

    @Test func serversWithoutScriptsAndUnknownNamesRunNothing() throws {
        var planner = QuorumNotifyPlanner(configuration: try parseConfig(text))
        #expect(planner.observe(virtualServer: "TCP 192.0.2.2:80", up: false, inSnapshot: false) == nil)
        #expect(planner.observe(virtualServer: "UDP 192.0.2.1:80", up: false, inSnapshot: false) == nil)
    }

    @Test func reloadKeepsTheStatesAndTakesTheNewScripts() throws {
        var planner = QuorumNotifyPlanner(configuration: try parseConfig(text))
        _ = planner.observe(virtualServer: "TCP 192.0.2.1:80", up: true, inSnapshot: true)
        planner.update(try parseConfig(text.replacingOccurrences(of: "/bin/echo lost", with: "/bin/echo lost-2")))
        #expect(planner.observe(virtualServer: "TCP 192.0.2.1:80", up: false, inSnapshot: false)?.text == "/bin/echo lost-2")
    }
}
