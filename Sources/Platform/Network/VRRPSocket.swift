import CShim
import Glibc

/// A raw IPv4 socket for IP protocol 112 on one interface: VRRP adverts out (TTL 255, multicast or unicast) and
/// whole IPv4 datagrams in, so the receiver can check the TTL itself (RFC 3768/5798 §7.1).
public final class VRRPSocket {
    public static let ipProtocol: Int32 = 112

    public let interface: NetworkInterface
    public let fd: OwnedDescriptor
    private let group: [UInt8]?

    /// - Parameters:
    ///   - multicastGroup: joined on `interface` (nil for unicast-only instances).
    ///   - source: `unicast_src_ip`: bound, so adverts leave from it and only datagrams to it arrive.
    public init(interface: NetworkInterface, multicastGroup: [UInt8]?, source: [UInt8]?) throws {
        self.interface = interface
        self.group = multicastGroup
        let fd = try OwnedDescriptor(
            returnedBy: socket(AF_INET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                               | Int32(SOCK_CLOEXEC.rawValue), Self.ipProtocol),
            call: "socket(AF_INET, SOCK_RAW, 112)")
        self.fd = fd
        do {
            guard tandem_bind_to_device(fd.rawValue, interface.name) == 0 else {
                throw SystemError.current("SO_BINDTODEVICE(\(interface.name))")
            }
            // RFC 3768/5798: adverts are sent with TTL 255 and a receiver drops anything else, so an advert
            // can never have crossed a router.
            try setInt(Int32(IPPROTO_IP), IP_TTL, 255, "IP_TTL")
            try setInt(Int32(IPPROTO_IP), IP_MULTICAST_TTL, 255, "IP_MULTICAST_TTL")
            try setInt(Int32(IPPROTO_IP), IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP")
            // keepalived writes its own IPv4 header, so mcast_src_ip / unicast_src_ip need not be an address of
            // this host; IP_TRANSPARENT lets the kernel take such a source too. Without CAP_NET_ADMIN or
            // CAP_NET_RAW it fails, and then only local sources work.
            var on: Int32 = 1
            _ = setsockopt(fd.rawValue, Int32(IPPROTO_IP), IP_TRANSPARENT, &on, socklen_t(MemoryLayout<Int32>.size))
            if let multicastGroup, tandem_ipv4_multicast(fd.rawValue, multicastGroup, interface.index, 1) != 0 {
                throw SystemError.current("IP_ADD_MEMBERSHIP on \(interface.name)")
            }
            if let source {
                var address = Self.socketAddress(source)
                let bound = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        bind(fd.rawValue, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
                guard bound == 0 else { throw SystemError.current("bind(unicast_src_ip)") }
            }
        } catch {
            fd.close()
            throw error
        }
    }

    deinit {
        if let group { _ = tandem_ipv4_multicast(fd.rawValue, group, interface.index, 0) }
        fd.close()
    }

    /// Sends one VRRP message (the payload after the IP header) from `source` (IP_PKTINFO, as the bound
    /// address would) to `destination`.
    public func send(_ message: [UInt8], from source: [UInt8], to destination: [UInt8]) throws {
        guard tandem_send_ipv4_from(fd.rawValue, message, UInt(message.count), source, destination) == 0 else {
            throw SystemError.current("sendmsg(VRRP)")
        }
    }

    /// The next whole IPv4 datagram waiting, or nil when none is.
    public func receive() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 2048)
        let count = buffer.withUnsafeMutableBytes { recv(fd.rawValue, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Array(buffer.prefix(count))
    }

    private func setInt(_ level: Int32, _ option: Int32, _ value: Int32, _ name: String) throws {
        var value = value
        guard setsockopt(fd.rawValue, level, option, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw SystemError.current("setsockopt(\(name))")
        }
    }

    static func socketAddress(_ bytes: [UInt8]) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        withUnsafeMutableBytes(of: &address.sin_addr) { $0.copyBytes(from: bytes.prefix(4)) }
        return address
    }
}
