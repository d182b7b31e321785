import VRRP
@testable import vrrpd
import Vocabulary

struct FakeNetworkError: Error, CustomStringConvertible {
    var description: String
}

/// A host's advert transports on the fake wire; a test can make opening or watching them fail.
final class FakeAdvertNetwork: AdvertNetwork {
    unowned let host: FakeHost
    var failOpen = false
    /// Fails the watch of transports on this interface (every interface when empty).
    var failWatch: Set<String>?
    /// Transports opened and not closed.
    private(set) var open: [FakeAdvertTransport] = []

    init(host: FakeHost) { self.host = host }

    func open(on interface: InterfaceID, family: IPAddressFamily, multicastGroup: IPAddress?,
              source: IPAddress?) throws -> any AdvertTransport {
        if failOpen { throw FakeNetworkError(description: "socket: Operation not permitted") }
        guard let segment = host.interfaces.segment(of: interface.name) else {
            throw FakeNetworkError(description: "SO_BINDTODEVICE(\(interface.name)): No such device")
        }
        let transport = FakeAdvertTransport(host: host, interface: interface.name, segment: segment, family: family,
                                            multicastGroup: multicastGroup, boundSource: source)
        open.append(transport)
        host.wire.attach(transport)
        return transport
    }

    func closed(_ transport: FakeAdvertTransport) {
        open.removeAll { $0 === transport }
        host.wire.detach(transport)
    }

    func watchFails(on interface: String) -> Bool {
        failWatch.map { $0.isEmpty || $0.contains(interface) } ?? false
    }
}

/// One raw socket on the fake wire, bound to its interface.
final class FakeAdvertTransport: AdvertTransport {
    unowned let host: FakeHost
    let interface: String
    let segment: String
    let family: IPAddressFamily
    let multicastGroup: IPAddress?
    let boundSource: IPAddress?
    private var queue: [Datagram] = []
    private var onReadable: (() -> Void)?
    private var readPosted = false
    private var isOpen = true

    init(host: FakeHost, interface: String, segment: String, family: IPAddressFamily,
         multicastGroup: IPAddress?, boundSource: IPAddress?) {
        self.host = host
        self.interface = interface
        self.segment = segment
        self.family = family
        self.multicastGroup = multicastGroup
        self.boundSource = boundSource
    }

    /// Whether the kernel would give this socket a datagram to `destination` arriving on its interface.
    func hears(_ destination: IPAddress) -> Bool {
        guard isOpen, destination.family == family, host.interfaces.isUp(interface) else { return false }
        if destination.isMulticast { return destination == multicastGroup }
        if let boundSource { return destination == boundSource }
        return host.interfaces.assigned(on: interface).contains { $0.address == destination }
    }

    /// As the kernel does with IP_PKTINFO / IPV6_PKTINFO: the datagram leaves from the source named.
    func send(_ message: [UInt8], from source: IPAddress, to destination: IPAddress) throws {
        guard isOpen else { throw FakeNetworkError(description: "sendmsg: Bad file descriptor") }
        guard host.interfaces.isUp(interface) else { throw FakeNetworkError(description: "sendmsg: Network is down") }
        guard source.family == family else { throw FakeNetworkError(description: "sendmsg: Invalid argument") }
        host.wire.carry(message, from: self, source: source, to: destination)
    }

    func drain(_ filter: VRRPReceiveFilter) -> [VRRPReceiveOutcome] {
        defer { queue.removeAll() }
        return queue.map { $0.check(filter) }
    }

    func watchReadable(_ handler: @escaping () -> Void) throws {
        if host.adverts.watchFails(on: interface) { throw FakeNetworkError(description: "epoll_ctl: No space left on device") }
        onReadable = handler
        postReadable()
    }

    func close() {
        isOpen = false
        onReadable = nil
        queue.removeAll()
        host.adverts.closed(self)
    }

    func deliver(_ datagram: Datagram) {
        guard isOpen, host.interfaces.isUp(interface) else { return }
        queue.append(datagram)
        postReadable()
    }

    /// Level-triggered, as epoll is: a socket with datagrams waiting is reported readable.
    private func postReadable() {
        guard !readPosted, onReadable != nil, !queue.isEmpty else { return }
        readPosted = true
        host.loop.post(owner: host.id) { [weak self] in
            guard let self else { return }
            readPosted = false
            if !queue.isEmpty { onReadable?() }
        }
    }
}
