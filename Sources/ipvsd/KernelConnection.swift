// Opening the kernel's IPVS family, with the one explanation an operator needs when it is missing.
import Glibc
import IPVS
import Logging
import Platform

/// ipvsd cannot start without the kernel's IPVS.
enum IPVSUnavailable: Error, CustomStringConvertible {
    /// genl_ctrl_resolve found no "IPVS" family, even after trying `modprobe ip_vs`.
    case noIPVS
    /// The generic-netlink socket itself failed.
    case netlink(NetlinkError)

    var description: String {
        switch self {
        case .noIPVS:
            return "the kernel has no IPVS (ip_vs module not loaded, or CONFIG_IP_VS unset): run `modprobe ip_vs`"
        case .netlink(let error):
            return "cannot open a generic netlink socket: \(error)"
        }
    }
}

enum KernelConnection {
    /// A client of the kernel's IPVS family; loads ip_vs once (as root) when the family is missing.
    static func open(logger: Logger) throws(IPVSUnavailable) -> IPVSKernel {
        let socket: GenericNetlinkSocket
        do { socket = try GenericNetlinkSocket() } catch { throw .netlink(error) }
        do {
            // genl ctrl get name IPVS
            return IPVSKernel(transport: socket, familyID: try socket.resolveFamily(IPVSFamily.name))
        } catch .familyNotFound {
            guard geteuid() == 0 else { throw .noIPVS }
            logger.info("the kernel has no IPVS family yet; trying modprobe ip_vs")
            // modprobe -q -- ip_vs
            guard KernelModule.load("ip_vs") else { throw .noIPVS }
            do { return IPVSKernel(transport: socket, familyID: try socket.resolveFamily(IPVSFamily.name)) }
            catch .familyNotFound { throw .noIPVS }
            catch { throw .netlink(error) }
        } catch {
            throw .netlink(error)
        }
    }
}

/// The generic-netlink family name the kernel registers for IPVS (IPVS_GENL_NAME).
enum IPVSFamily {
    static let name = "IPVS"
}
