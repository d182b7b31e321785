import CNetlink
import Glibc
import Vocabulary

/// Adds and removes interface addresses through rtnetlink (libnl-route-3): the VIPs vrrpd owns.
public final class AddressControl {
    private let socket: OpaquePointer

    public init() throws {
        guard let socket = nl_socket_alloc() else { throw AddressControlError("nl_socket_alloc failed") }
        let connected = nl_connect(socket, NETLINK_ROUTE)
        guard connected == 0 else {
            nl_socket_free(socket)
            throw AddressControlError("cannot open rtnetlink: \(String(cString: nl_geterror(connected)))")
        }
        self.socket = socket
    }

    deinit { nl_socket_free(socket) }

    /// Adds `address/prefixLength` to the interface; an address already there is not an error.
    // ip addr add 192.0.2.1/24 brd + scope link dev eth0 label eth0:1
    // ip -6 addr add 2001:db8::1/64 dev eth0 nodad
    public func add(_ address: [UInt8], prefixLength: Int, interfaceIndex: Int32,
                    options: AddressOptions = AddressOptions()) throws {
        let result = try withAddress(address, prefixLength, interfaceIndex, options) { rtnl_addr_add(socket, $0, 0) }
        guard result == 0 || result == -NLE_EXIST else {
            var why = String(cString: nl_geterror(result))
            // The kernel refuses an IPv6 address with EACCES on an interface whose IPv6 is disabled.
            if result == -NLE_NOACCESS && address.count == 16 {
                let name = Self.interfaceName(interfaceIndex)
                why = "IPv6 is disabled on \(name) (net.ipv6.conf.\(name).disable_ipv6 = 1)"
            }
            throw AddressControlError("cannot add \(Self.text(address))/\(prefixLength): \(why)",
                                      permissionDenied: result == -NLE_PERM)
        }
    }

    /// Removes the address; one already gone is not an error.
    // ip addr del 192.0.2.1/24 dev eth0
    public func remove(_ address: [UInt8], prefixLength: Int, interfaceIndex: Int32) throws {
        let result = try withAddress(address, prefixLength, interfaceIndex, AddressOptions()) { rtnl_addr_delete(socket, $0, 0) }
        guard result == 0 || result == -NLE_NOADDR || result == -NLE_OBJ_NOTFOUND || result == -NLE_NODEV else {
            throw AddressControlError("cannot remove \(Self.text(address))/\(prefixLength): \(String(cString: nl_geterror(result)))",
                                      permissionDenied: result == -NLE_PERM)
        }
    }

    private func withAddress(_ address: [UInt8], _ prefixLength: Int, _ interfaceIndex: Int32, _ options: AddressOptions,
                             _ body: (OpaquePointer) -> Int32) throws -> Int32 {
        let family = address.count == 4 ? AF_INET : AF_INET6
        guard let route = rtnl_addr_alloc() else { throw AddressControlError("rtnl_addr_alloc failed") }
        defer { rtnl_addr_put(route) }
        guard let local = address.withUnsafeBytes({ nl_addr_build(family, $0.baseAddress, $0.count) }) else {
            throw AddressControlError("nl_addr_build failed")
        }
        defer { nl_addr_put(local) }
        nl_addr_set_prefixlen(local, Int32(prefixLength))
        rtnl_addr_set_ifindex(route, interfaceIndex)
        rtnl_addr_set_family(route, family)
        guard rtnl_addr_set_local(route, local) == 0 else { throw AddressControlError("rtnl_addr_set_local failed") }
        rtnl_addr_set_prefixlen(route, Int32(prefixLength))
        if let label = options.label { _ = rtnl_addr_set_label(route, label) }
        if let broadcast = options.broadcast, broadcast.count == 4,
           let brd = broadcast.withUnsafeBytes({ nl_addr_build(AF_INET, $0.baseAddress, $0.count) }) {
            defer { nl_addr_put(brd) }
            _ = rtnl_addr_set_broadcast(route, brd)
        }
        if options.scope != 0 { rtnl_addr_set_scope(route, Int32(options.scope)) }
        if family == AF_INET6 {
            // A VIP must answer at once; duplicate address detection would hold it back for a second or more.
            rtnl_addr_set_flags(route, UInt32(IFA_F_NODAD))
        }
        return body(route)
    }

    /// 192.0.2.1, 2001:db8::1 (as `ip` writes them).
    static func text(_ bytes: [UInt8]) -> String {
        IPAddress(bytes: bytes).map { "\($0)" }
            ?? bytes.map { String($0, radix: 16) }.joined(separator: ":")
    }

    static func interfaceName(_ index: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: Int(IF_NAMESIZE) + 1)
        guard if_indextoname(UInt32(index), &buffer) != nil else { return "interface \(index)" }
        return String(cString: buffer)
    }
}

/// What `ip addr add` takes besides the address: a label, a broadcast address (IPv4, network order) and a scope
/// (0: global).
public struct AddressOptions: Hashable, Sendable {
    public var label: String?
    public var broadcast: [UInt8]?
    public var scope: UInt8

    public init(label: String? = nil, broadcast: [UInt8]? = nil, scope: UInt8 = 0) {
        self.label = label
        self.broadcast = broadcast
        self.scope = scope
    }
}

public struct AddressControlError: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// The kernel said EPERM (no CAP_NET_ADMIN): a caller can tell the operator to run it as root.
    public let permissionDenied: Bool
    init(_ description: String, permissionDenied: Bool = false) {
        self.description = description
        self.permissionDenied = permissionDenied
    }
}
