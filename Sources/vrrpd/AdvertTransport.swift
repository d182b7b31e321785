import Platform
import VRRP
import Vocabulary

/// One instance's VRRP socket: its adverts out, and every advert that reached it in, checked by its own filter.
protocol AdvertTransport: AnyObject {
    /// Sends one VRRP message (what follows the IP header) from `source` (the address its checksum was computed
    /// with: mcast_src_ip / unicast_src_ip or the interface's primary) to a multicast group or unicast peer.
    func send(_ message: [UInt8], from source: IPAddress, to destination: IPAddress) throws
    /// Decodes and checks the datagrams waiting, in arrival order (a bounded number per call; the watch calls again
    /// while more wait).
    func drain(_ filter: VRRPReceiveFilter) -> [VRRPReceiveOutcome]
    /// Calls `handler` whenever datagrams are waiting, until `close()`. Without it the instance hears no master
    /// and would take over: a failure here must stop the instance from starting.
    func watchReadable(_ handler: @escaping () -> Void) throws
    /// Stops watching and releases the socket.
    func close()
}

/// Opens the advert transports.
protocol AdvertNetwork: AnyObject {
    /// - Parameters:
    ///   - multicastGroup: joined on `interface`; nil for an instance with unicast peers.
    ///   - source: `unicast_src_ip`, bound so adverts leave from it and only datagrams to it arrive (IPv4).
    func open(on interface: InterfaceID, family: IPAddressFamily, multicastGroup: IPAddress?,
              source: IPAddress?) throws -> any AdvertTransport
}

/// Raw IP-protocol-112 sockets bound to the interface, watched by the event loop.
final class RawSocketNetwork: AdvertNetwork {
    private let loop: EventLoop

    init(loop: EventLoop) { self.loop = loop }

    func open(on interface: InterfaceID, family: IPAddressFamily, multicastGroup: IPAddress?,
              source: IPAddress?) throws -> any AdvertTransport {
        let link = try NetworkInterface.current(interface)
        switch family {
        case .ipv4:
            return RawSocketTransport(.ipv4(try VRRPSocket(interface: link, multicastGroup: multicastGroup?.bytes,
                                                           source: source?.bytes)), loop: loop)
        case .ipv6:
            // VRRPSocket6 binds no address; each advert names its source instead.
            return RawSocketTransport(.ipv6(try VRRPSocket6(interface: link, multicastGroup: multicastGroup?.bytes)), loop: loop)
        }
    }
}

final class RawSocketTransport: AdvertTransport {
    enum Socket {
        case ipv4(VRRPSocket)
        case ipv6(VRRPSocket6)

        var fd: OwnedDescriptor {
            switch self {
            case .ipv4(let socket): return socket.fd
            case .ipv6(let socket): return socket.fd
            }
        }
    }

    private let loop: EventLoop
    private var socket: Socket?

    init(_ socket: Socket, loop: EventLoop) {
        self.socket = socket
        self.loop = loop
    }

    func send(_ message: [UInt8], from source: IPAddress, to destination: IPAddress) throws {
        switch socket {
        case .ipv4(let socket): try socket.send(message, from: source.bytes, to: destination.bytes)
        case .ipv6(let socket): try socket.send(message, from: source.bytes, to: destination.bytes)
        case nil: throw TransportClosed()
        }
    }

    /// At most this many datagrams per loop turn: the socket stays readable (epoll is level-triggered), so the rest
    /// are read on the next turn, after the timers that came due; a flood of adverts (other VRIDs on the segment, or
    /// an attack) cannot hold the advert timer back for longer than this many decodes.
    static let datagramsPerTurn = 64

    func drain(_ filter: VRRPReceiveFilter) -> [VRRPReceiveOutcome] {
        var outcomes: [VRRPReceiveOutcome] = []
        var budget = Self.datagramsPerTurn
        switch socket {
        case .ipv4(let socket):
            while budget > 0, let datagram = socket.receive() {
                budget -= 1
                outcomes.append(filter.receiveIPv4(datagram: datagram))
            }
        case .ipv6(let socket):
            while budget > 0, let datagram = socket.receive() {
                budget -= 1
                guard let source = IPAddress(bytes: datagram.source),
                      let destination = IPAddress(bytes: datagram.destination) else { continue }
                outcomes.append(filter.receiveIPv6(payload: datagram.payload, source: source,
                                                   destination: destination, hopLimit: datagram.hopLimit))
            }
        case nil:
            break
        }
        return outcomes
    }

    func watchReadable(_ handler: @escaping () -> Void) throws {
        guard let socket else { throw TransportClosed() }
        try loop.watchReadable(socket.fd, handler)
    }

    func close() {
        if let socket { loop.unwatch(socket.fd) }
        socket = nil
    }
}

struct TransportClosed: Error, CustomStringConvertible {
    var description: String { "the VRRP socket is closed" }
}
