import CShim
import Glibc

/// Announces IPv6 addresses with unsolicited neighbour advertisements (RFC 4861 §7.2.6), the IPv6 counterpart of
/// gratuitous ARP.
public final class NeighbourAdvertSender {
    private let fd: OwnedDescriptor

    public init() throws {
        fd = try OwnedDescriptor(returnedBy: tandem_na_socket(), call: "socket(AF_INET6, SOCK_RAW, ICMPv6)")
    }

    deinit { fd.close() }

    public func announce(_ addresses: [[UInt8]], on interface: NetworkInterface) throws {
        let mac = try interface.hardwareAddress()
        for address in addresses where address.count == 16 {
            guard tandem_send_unsolicited_na(fd.rawValue, interface.index, mac, address) == 0 else {
                throw SystemError.current("neighbour advertisement on \(interface.name)")
            }
        }
    }
}
