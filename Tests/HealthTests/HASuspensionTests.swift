import Foundation
import KeepalivedConfig
import Logging
import Platform
import Testing
import TestSupport
@testable import Health
import Vocabulary

/// ha_suspend as keepalived 2.2.7 runs it (check_api.c): a virtual server's checkers run only while its address
/// is on this node; a suspended checker is looked at again one delay_loop later and its server keeps its state.
@Suite struct HASuspensionTests {
    static let text = """
    virtual_server 192.0.2.1 80 {
        protocol TCP
        delay_loop 10
        ha_suspend
        real_server 198.51.100.1 80 {
            TCP_CHECK { warmup 0 }
        }
    }
    virtual_server 192.0.2.2 80 {
        protocol TCP
        delay_loop 10
        real_server 198.51.100.2 80 {
            TCP_CHECK { warmup 0 }
        }
    }
    """
    static let suspendable = rsID("192.0.2.1", 80, "198.51.100.1", 80)
    static let always = rsID("192.0.2.2", 80, "198.51.100.2", 80)

    static func checked(_ tasks: [HealthTask]) -> [RealServerID] {
        tasks.compactMap { if case .check(let id, _) = $0.kind { id } else { nil } }
    }

    @Test func checksRunOnlyWhileTheAddressIsHere() throws {
        var clock = TestClock()
        var scheduler = HealthScheduler(configuration: try parseConfig(Self.text), now: clock.now, random: { 0 })
        #expect(scheduler.needsLocalAddresses)
        #expect(scheduler.suspendedVirtualServers.map(\.description) == ["192.0.2.1:80"],
                "before the addresses are read none counts, as keepalived before its first dump")
        #expect(scheduler.setLocalAddresses([IPAddress("192.0.2.9")!]).isEmpty)
        let first = scheduler.takeDue(now: clock.now)
        #expect(Self.checked(first) == [Self.always])
        for task in first { _ = scheduler.complete(task, .success, now: clock.now) }
        #expect(scheduler.nextRun(of: .check(Self.suspendable, index: 0)) == clock.now + .seconds(10),
                "a suspended checker is looked at again one delay_loop later")
        #expect(scheduler.realServerView.map(\.id) == [Self.always], "the suspended server reports nothing: ipvsd keeps it as it starts")

        let changes = scheduler.setLocalAddresses([IPAddress("192.0.2.1")!])
        #expect(changes.map { "\($0.0) \($0.suspended)" } == ["192.0.2.1:80 false"])
        #expect(scheduler.takeDue(now: clock.now).isEmpty, "a resumed checker runs when it is next looked at")
        clock.advance(.seconds(10))
        let second = scheduler.takeDue(now: clock.now)
        #expect(Set(Self.checked(second)) == [Self.always, Self.suspendable])
        for task in second { _ = scheduler.complete(task, .failure("refused"), now: clock.now) }

        #expect(scheduler.setLocalAddresses([]).map { "\($0.0) \($0.suspended)" } == ["192.0.2.1:80 true"])
        clock.advance(.seconds(20))
        #expect(Self.checked(scheduler.takeDue(now: clock.now)) == [Self.always])
        #expect(scheduler.checkerState(Self.suspendable, index: 0) == scheduler.checkerState(Self.suspendable, index: 0),
                "state is kept while suspended")
    }

    @Test func aReloadKeepsTheAddressesItWasTold() throws {
        let clock = TestClock()
        var scheduler = HealthScheduler(configuration: try parseConfig(Self.text), now: clock.now, random: { 0 })
        _ = scheduler.setLocalAddresses([IPAddress("192.0.2.1")!])
        #expect(scheduler.suspendedVirtualServers.isEmpty)
        _ = scheduler.reload(try parseConfig(Self.text.replacingOccurrences(of: "192.0.2.2 80", with: "192.0.2.3 80")),
                             now: clock.now)
        #expect(scheduler.suspendedVirtualServers.isEmpty)
        _ = scheduler.reload(try parseConfig(Self.text.replacingOccurrences(of: "ha_suspend", with: "")), now: clock.now)
        #expect(!scheduler.needsLocalAddresses)
    }

    /// keepalived's addr_matches returns false for a group, so a group's checks never resume there (the warnings
    /// are tested with the configuration: VirtualServerCompletionTests).
    @Test func aGroupStaysSuspended() throws {
        let configuration = try parseConfig("""
        virtual_server_group G {
            192.0.2.1 80
        }
        virtual_server group G {
            protocol TCP
            ha_suspend
            real_server 198.51.100.1 80 {
                TCP_CHECK { }
            }
        }
        """)
        #expect(HASuspension.isSuspended(configuration.virtualServers[0], localAddresses: [IPAddress("192.0.2.1")!]))
    }
}

/// The monitor follows the node's addresses itself (rtnetlink's address groups): in a namespace of its own, a
/// TCP_CHECK of an ha_suspend service runs only once the service's address is added and stops when it goes.
@Suite(.serialized) struct HASuspensionNamespaceTests {
    @Test func checksFollowTheAddressArrivingAndLeaving() throws {
        if let reason = NetworkLab.unavailableReason {
            print("skipped: ha_suspend's address following needs a namespace: \(reason)")
            return
        }
        let lab = try NetworkLab()
        try lab.addNode("lb", addresses: ["192.0.2.11/24"])
        let namespace = lab.namespace("lb")
        let (before, after, afterRemoval, stillAfter) = try NetworkLab.onThread(inNamespace: namespace) {
            let loop = try EventLoop()
            let listener = try TCPListener()
            let monitor = HealthMonitor(configuration: try parseConfig("""
                virtual_server 192.0.2.50 80 {
                    protocol TCP
                    delay_loop 0.2
                    ha_suspend
                    real_server 127.0.0.1 \(listener.port) {
                        TCP_CHECK { warmup 0 }
                    }
                }
                """), loop: loop, logger: Logger(label: "test.ha_suspend"), random: { 0 }) { _ in }
            defer { monitor.shutdown() }
            monitor.start()
            try runLoop(loop, timeout: .seconds(1)) { false }
            let before = monitor.completedAttempts
            _ = NetworkLab.sh("ip -n \(namespace) addr add 192.0.2.50/32 dev lo")
            let after = try runLoop(loop, timeout: .seconds(5)) { monitor.completedAttempts > 0 }
            _ = NetworkLab.sh("ip -n \(namespace) addr del 192.0.2.50/32 dev lo")
            try runLoop(loop, timeout: .seconds(0.5)) { false }
            let afterRemoval = monitor.completedAttempts
            try runLoop(loop, timeout: .seconds(1)) { false }
            return (before, after, afterRemoval, monitor.completedAttempts)
        }
        #expect(before == 0, "no check while 192.0.2.50 is not on the node")
        #expect(after, "the check runs once the address is added")
        #expect(afterRemoval == stillAfter, "no check after the address is removed")
    }
}
