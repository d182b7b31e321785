import Foundation
import Glibc
import Testing
import Vocabulary
@testable import Platform
import TestSupport

/// RouteControl against a real kernel: routes and rules added in a lab namespace read back from `ip route`
/// and `ip rule` as the commands in RouteControl's comments would have made them, and are gone after removal.
@Suite(.serialized, .enabled(if: NetworkLab.available, "needs root and network namespaces (\(NetworkLab.unavailableReason ?? ""))"))
struct RouteControlNamespaceTests {
    @Test func routesAreAddedAndRemovedAsIpRouteWould() throws {
        let lab = try NetworkLab()
        try lab.addNode("a", addresses: ["192.0.2.10/24"])
        let index = try inNamespace(lab.namespace("a")) { Int32(if_nametoindex("eth0")) }
        var forward = KernelRoute(destination: IPPrefix(address: IPAddress("198.51.100.0")!, length: 24))
        forward.gateway = IPAddress("192.0.2.1")
        forward.interfaceIndex = index
        forward.table = 100
        forward.metric = 5
        forward.routingProtocol = 18
        var blackhole = KernelRoute(destination: IPPrefix(address: IPAddress("203.0.113.0")!, length: 24))
        blackhole.type = 6
        blackhole.table = 100
        var defaultRoute = KernelRoute(destination: IPPrefix(address: .v4(0), length: 0))
        defaultRoute.gateway = IPAddress("192.0.2.1")
        defaultRoute.interfaceIndex = index
        defaultRoute.preferredSource = IPAddress("192.0.2.10")
        defaultRoute.table = 101
        defaultRoute.onlink = true
        let routes = [forward, blackhole, defaultRoute, forward]  // the second add and remove are not errors
        try inNamespace(lab.namespace("a")) {
            let control = try RouteControl()
            for route in routes { try control.add(route) }
        }
        #expect(lines(lab.exec("a", "ip route show table 100").output) == [
            "198.51.100.0/24 via 192.0.2.1 dev eth0 proto keepalived metric 5",
            "blackhole 203.0.113.0/24 proto static",
        ])
        #expect(lines(lab.exec("a", "ip route show table 101").output) == ["default via 192.0.2.1 dev eth0 proto static src 192.0.2.10 onlink"])
        try inNamespace(lab.namespace("a")) {
            let control = try RouteControl()
            for route in routes { try control.remove(route) }
        }
        #expect(lines(lab.exec("a", "ip route show table 100").output).isEmpty)
        #expect(lines(lab.exec("a", "ip route show table 101").output).isEmpty)
    }

    @Test func rulesAreAddedAndRemovedAsIpRuleWould() throws {
        let lab = try NetworkLab()
        try lab.addNode("a", addresses: ["192.0.2.10/24"])
        var lookup = KernelRule(family: .ipv4, action: 1, preference: 100)
        lookup.source = IPPrefix(address: IPAddress("192.0.2.0")!, length: 24)
        lookup.table = 100
        lookup.routingProtocol = 18
        var marked = KernelRule(family: .ipv4, action: 1, preference: 101)
        marked.destination = IPPrefix(address: IPAddress("198.51.100.0")!, length: 24)
        marked.fwmark = 0x10
        marked.fwmask = 0xff
        marked.inputInterface = "eth0"
        marked.table = 101
        let blackhole = KernelRule(family: .ipv4, action: 6, preference: 102)
        var jump = KernelRule(family: .ipv4, action: 2, preference: 99)
        jump.gotoPreference = 102
        let added = [lookup, marked, blackhole, jump, lookup]  // the second add and remove are not errors
        try inNamespace(lab.namespace("a")) {
            let control = try RouteControl()
            for rule in added { try control.add(rule) }
        }
        let shown = lines(lab.exec("a", "ip rule show").output).filter { !$0.hasPrefix("0:") && !$0.hasPrefix("32766:") && !$0.hasPrefix("32767:") }
        #expect(shown == [
            "99:\tfrom all goto 102",
            "100:\tfrom 192.0.2.0/24 lookup 100 proto keepalived",
            "101:\tfrom all to 198.51.100.0/24 fwmark 0x10/0xff iif eth0 lookup 101",
            "102:\tfrom all blackhole",
        ], "\(lab.exec("a", "ip rule show").output)")
        try inNamespace(lab.namespace("a")) {
            let control = try RouteControl()
            for rule in added { try control.remove(rule) }
        }
        #expect(lines(lab.exec("a", "ip rule show").output).count == 3)
    }

    private func lines(_ text: String) -> [String] {
        text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Runs `body` on a thread of its own that joined the namespace first: a netlink socket opened there
    /// belongs to that namespace, and the test runner's other threads stay where they were.
    @discardableResult
    private func inNamespace<T: Sendable>(_ name: String, _ body: @escaping @Sendable () throws -> T) throws -> T {
        let outcome = LockedBox<Result<T, TestSupportError>>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { done.signal() }
            let fd = open("/var/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
            guard fd >= 0, joinNamespace(fd, cloneNewNet) == 0 else {
                outcome.set(.failure(TestSupportError("cannot join namespace \(name): errno \(errno)")))
                return
            }
            close(fd)
            do { outcome.set(.success(try body())) } catch { outcome.set(.failure(TestSupportError("\(error)"))) }
        }
        thread.start()
        done.wait()
        return try outcome.get()!.get()
    }
}

/// setns(2) and CLONE_NEWNET, which Glibc does not import into Swift (they need _GNU_SOURCE).
@_silgen_name("setns") private func joinNamespace(_ fd: Int32, _ type: Int32) -> Int32
private let cloneNewNet: Int32 = 0x4000_0000

private final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value?
    func set(_ new: Value) { lock.withLock { value = new } }
    func get() -> Value? { lock.withLock { value } }
}
