import CShim
import Glibc

/// Announces IPv4 addresses with gratuitous ARP on one AF_PACKET socket (CAP_NET_RAW), so switches and
/// neighbours learn at once which MAC now owns a VIP.
public final class GratuitousARPSender {
    private let fd: OwnedDescriptor

    public init() throws {
        fd = try OwnedDescriptor(returnedBy: tandem_arp_socket(), call: "socket(AF_PACKET)")
    }

    deinit { fd.close() }

    /// Sends one gratuitous ARP for each address (4-byte, network order) out of `interface`.
    // arping -U -c 1 -I eth0 192.0.2.1 (a broadcast request whose sender and target are the address)
    public func announce(_ addresses: [[UInt8]], on interface: NetworkInterface) throws {
        let mac = try interface.hardwareAddress()
        for address in addresses where address.count == 4 {
            guard tandem_send_gratuitous_arp(fd.rawValue, interface.index, mac, address) == 0 else {
                throw SystemError.current("gratuitous ARP on \(interface.name)")
            }
        }
    }
}
