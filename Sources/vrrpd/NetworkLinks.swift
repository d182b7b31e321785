import Platform
import VRRP
import Vocabulary

/// An interface as the kernel named and numbered it when it was looked up.
struct InterfaceID: Hashable, CustomStringConvertible {
    var name: String
    var index: Int32

    var description: String { name }
}

/// Which links the rtnetlink monitor reported changed since the last call.
struct LinkChanges {
    var interfaces: Set<Int32>
    /// Notifications were lost (the socket's buffer overran): every interface must be looked at again.
    var overrun: Bool
}

/// The host's interfaces: whether one exists, whether VRRP can use it, its own addresses, and word when links
/// change, so an instance enters FAULT the moment its link fails.
protocol NetworkLinks: AnyObject {
    /// nil when no interface has this name now.
    func interface(named name: String) -> InterfaceID?
    /// Administratively up and with carrier.
    func isUsable(_ interface: InterfaceID) -> Bool
    /// The interface's addresses of `family`, its primary address first.
    func addresses(of interface: InterfaceID, family: IPAddressFamily) -> [IPAddress]
    /// Calls `handler` with every batch of link changes until `stopWatching()`.
    func watchChanges(_ handler: @escaping (LinkChanges) -> Void) throws
    func stopWatching()
}

/// The kernel's interfaces, through ioctl/getifaddrs and an rtnetlink link monitor on the event loop.
final class KernelLinks: NetworkLinks {
    private let loop: EventLoop
    private let monitor: LinkMonitor

    init(loop: EventLoop) throws {
        self.loop = loop
        monitor = try LinkMonitor()
    }

    func interface(named name: String) -> InterfaceID? {
        NetworkInterface(named: name).map { InterfaceID(name: $0.name, index: $0.index) }
    }

    // By name, as the flags and addresses of a re-created interface are those of the one VRRP now runs on.
    func isUsable(_ interface: InterfaceID) -> Bool {
        NetworkInterface(named: interface.name)?.isUsable ?? false
    }

    func addresses(of interface: InterfaceID, family: IPAddressFamily) -> [IPAddress] {
        guard let link = NetworkInterface(named: interface.name) else { return [] }
        return (family == .ipv4 ? link.ipv4Addresses() : link.ipv6Addresses()).compactMap { IPAddress(bytes: $0) }
    }

    func watchChanges(_ handler: @escaping (LinkChanges) -> Void) throws {
        try loop.watchReadable(monitor.fd) { [unowned self] in
            let (changes, overrun) = monitor.drain()
            handler(LinkChanges(interfaces: Set(changes.map(\.interfaceIndex)), overrun: overrun))
        }
    }

    func stopWatching() { loop.unwatch(monitor.fd) }
}

extension NetworkInterface {
    /// The interface `id` names, for the Platform calls that take one; a link deleted and re-created under the
    /// same name since `id` was looked up is another interface, and the caller's action no longer applies to it.
    static func current(_ id: InterfaceID) throws -> NetworkInterface {
        guard let link = NetworkInterface(named: id.name), link.index == id.index else {
            throw InterfaceGone(interface: id)
        }
        return link
    }
}

struct InterfaceGone: Error, CustomStringConvertible {
    let interface: InterfaceID
    var description: String { "interface \(interface.name) (index \(interface.index)) no longer exists" }
}
