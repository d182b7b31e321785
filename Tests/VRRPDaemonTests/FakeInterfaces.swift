import Platform
import VRRP
@testable import vrrpd
import Vocabulary

/// A host's interfaces and their addresses, in one table as the kernel keeps them: the VIPs vrrpd adds land next
/// to the interface's own addresses. A test plugs interfaces into wire segments and brings links down and up.
final class FakeInterfaces: NetworkLinks {
    struct Assigned: Equatable {
        var address: IPAddress
        var prefixLength: Int
        var label: String?
    }

    struct Interface {
        var id: InterfaceID
        var segment: String
        var up = true
        /// The kernel's order: the primary address first.
        var addresses: [Assigned]
    }

    unowned let host: FakeHost
    private var table: [String: Interface] = [:]
    private var lastIndex: Int32 = 1
    private var onChange: ((LinkChanges) -> Void)?

    init(host: FakeHost) { self.host = host }

    func add(_ name: String, segment: String, addresses: [(IPAddress, Int)]) {
        lastIndex += 1
        table[name] = Interface(id: InterfaceID(name: name, index: lastIndex), segment: segment,
                                addresses: addresses.map { Assigned(address: $0.0, prefixLength: $0.1) })
    }

    var names: [String] { table.keys.sorted() }

    func segment(of name: String) -> String? { table[name]?.segment }

    func isUp(_ name: String) -> Bool { table[name]?.up ?? false }

    func assigned(on name: String) -> [Assigned] { table[name]?.addresses ?? [] }

    /// `ip link set NAME up/down`: rtnetlink tells the watcher on the next turn.
    func setLink(_ name: String, up: Bool) {
        guard var interface = table[name] else { return }
        interface.up = up
        table[name] = interface
        let index = interface.id.index
        host.loop.post(owner: host.id) { [weak self] in
            self?.onChange?(LinkChanges(interfaces: [index], overrun: false))
        }
    }

    func assign(_ entry: Assigned, to interface: InterfaceID) throws {
        guard var found = table[interface.name], found.id == interface else {
            throw FakeNetworkError(description: "RTNETLINK: No such device")
        }
        guard !found.addresses.contains(where: { $0.address == entry.address }) else {
            throw FakeNetworkError(description: "RTNETLINK: File exists")
        }
        found.addresses.append(entry)
        table[interface.name] = found
    }

    func unassign(_ address: IPAddress, from interface: InterfaceID) throws {
        guard var found = table[interface.name], found.id == interface else {
            throw FakeNetworkError(description: "RTNETLINK: No such device")
        }
        guard found.addresses.contains(where: { $0.address == address }) else {
            throw FakeNetworkError(description: "RTNETLINK: Cannot assign requested address")
        }
        found.addresses.removeAll { $0.address == address }
        table[interface.name] = found
    }

    /// The process died: its link monitor socket is gone.
    func forgetWatcher() { onChange = nil }

    // MARK: NetworkLinks

    func interface(named name: String) -> InterfaceID? { table[name]?.id }

    func isUsable(_ interface: InterfaceID) -> Bool { isUp(interface.name) }

    func addresses(of interface: InterfaceID, family: IPAddressFamily) -> [IPAddress] {
        assigned(on: interface.name).map(\.address).filter { $0.family == family }
    }

    func watchChanges(_ handler: @escaping (LinkChanges) -> Void) throws { onChange = handler }

    func stopWatching() { onChange = nil }
}

/// `ip addr add/del` on the fake table, with a history of every change.
final class FakeAddressControl: VirtualAddressControl {
    enum Change: Equatable {
        case added(IPAddress, interface: String)
        case removed(IPAddress, interface: String)
    }

    unowned let host: FakeHost
    private(set) var history: [Change] = []

    init(host: FakeHost) { self.host = host }

    func add(_ address: IPAddress, prefixLength: Int, to interface: InterfaceID, options: AddressOptions) throws {
        try host.interfaces.assign(.init(address: address, prefixLength: prefixLength, label: options.label), to: interface)
        history.append(.added(address, interface: interface.name))
    }

    func remove(_ address: IPAddress, prefixLength: Int, from interface: InterfaceID) throws {
        try host.interfaces.unassign(address, from: interface)
        history.append(.removed(address, interface: interface.name))
    }
}

/// Every gratuitous ARP / unsolicited NA a host sent.
final class RecordingAnnouncer: AddressAnnouncer {
    struct Announcement: Equatable {
        var time: MonotonicInstant
        var interface: String
        var addresses: [IPAddress]
    }

    unowned let host: FakeHost
    private(set) var sent: [Announcement] = []

    init(host: FakeHost) { self.host = host }

    func announce(_ addresses: [IPAddress], on interface: InterfaceID) throws {
        guard host.interfaces.isUp(interface.name) else { throw FakeNetworkError(description: "sendto: Network is down") }
        sent.append(Announcement(time: host.loop.now, interface: interface.name, addresses: addresses))
    }
}
