import CShim
import Glibc

/// A raw IPv6 socket for VRRPv3 (next header 112) on one interface. IPv6 raw sockets deliver the payload only,
/// so the hop limit and destination come from ancillary data (RFC 5798 §7.1 checks the hop limit is 255).
public final class VRRPSocket6 {
    public let interface: NetworkInterface
    public let fd: OwnedDescriptor
    private let group: [UInt8]?

    public struct Datagram {
        public var payload: [UInt8]
        public var source: [UInt8]
        public var destination: [UInt8]
        public var hopLimit: UInt8?
    }

    public init(interface: NetworkInterface, multicastGroup: [UInt8]?) throws {
        self.interface = interface
        self.group = multicastGroup
        let fd = try OwnedDescriptor(
            returnedBy: socket(AF_INET6, Int32(SOCK_RAW.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                               | Int32(SOCK_CLOEXEC.rawValue), VRRPSocket.ipProtocol),
            call: "socket(AF_INET6, SOCK_RAW, 112)")
        self.fd = fd
        do {
            guard tandem_bind_to_device(fd.rawValue, interface.name) == 0 else {
                throw SystemError.current("SO_BINDTODEVICE(\(interface.name))")
            }
            var hops: Int32 = 255
            var off: Int32 = 0
            var on: Int32 = 1
            let size = socklen_t(MemoryLayout<Int32>.size)
            let raw = fd.rawValue
            guard setsockopt(raw, Int32(IPPROTO_IPV6), IPV6_UNICAST_HOPS, &hops, size) == 0,
                  setsockopt(raw, Int32(IPPROTO_IPV6), IPV6_MULTICAST_HOPS, &hops, size) == 0,
                  setsockopt(raw, Int32(IPPROTO_IPV6), IPV6_MULTICAST_LOOP, &off, size) == 0,
                  setsockopt(raw, Int32(IPPROTO_IPV6), IPV6_RECVHOPLIMIT, &on, size) == 0,
                  setsockopt(raw, Int32(IPPROTO_IPV6), IPV6_RECVPKTINFO, &on, size) == 0 else {
                throw SystemError.current("setsockopt(IPv6 VRRP)")
            }
            if let multicastGroup, tandem_ipv6_multicast(fd.rawValue, multicastGroup, interface.index, 1) != 0 {
                throw SystemError.current("IPV6_JOIN_GROUP on \(interface.name)")
            }
        } catch {
            fd.close()
            throw error
        }
    }

    deinit {
        if let group { _ = tandem_ipv6_multicast(fd.rawValue, group, interface.index, 0) }
        fd.close()
    }

    /// Sends one VRRP message from `source` to `destination`. The checksum already covers the pseudo-header, so
    /// the source is named (IPV6_PKTINFO), never left to the kernel's choice; it must be an address of this host.
    public func send(_ message: [UInt8], from source: [UInt8], to destination: [UInt8]) throws {
        guard tandem_send_ipv6_from(fd.rawValue, message, UInt(message.count), source, destination, interface.index) == 0 else {
            throw SystemError.current("sendmsg(VRRPv6)")
        }
    }

    /// The next datagram waiting, or nil when none is.
    public func receive() -> Datagram? {
        var buffer = [UInt8](repeating: 0, count: 2048)
        var source = [UInt8](repeating: 0, count: 16)
        var destination = [UInt8](repeating: 0, count: 16)
        var hopLimit: Int32 = -1
        let count = tandem_recv_ipv6(fd.rawValue, &buffer, UInt(buffer.count), &source, &destination, &hopLimit)
        guard count > 0 else { return nil }
        return Datagram(payload: Array(buffer.prefix(Int(count))), source: source, destination: destination,
                        hopLimit: (0...255).contains(hopLimit) ? UInt8(hopLimit) : nil)
    }
}
