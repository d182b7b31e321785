// A generic-netlink socket owned by libnl-genl-3: connect, resolve a family by name, send whole
// messages built elsewhere (the pure codecs) and receive the kernel's answers as bytes.
// libnl gives the socket and the family lookup; the message bytes never pass through libnl's builders.
import CNetlink
import Glibc

/// Why a generic-netlink operation failed.
public enum NetlinkError: Error, Equatable, Sendable, CustomStringConvertible {
    /// nl_socket_alloc returned NULL (out of memory).
    case allocationFailed
    /// The kernel has no generic-netlink family of this name (genl_ctrl_resolve: -NLE_OBJ_NOTFOUND).
    case familyNotFound(String)
    /// A libnl call failed with a (negative) libnl error code.
    case libnl(call: String, code: Int32)
    /// A system call on the socket failed.
    case system(SystemError)
    /// The kernel did not answer within the time allowed.
    case timedOut

    public var description: String {
        switch self {
        case .allocationFailed: return "nl_socket_alloc: out of memory"
        case .familyNotFound(let name): return "generic netlink family \(name) not found"
        case .libnl(let call, let code): return "\(call): \(String(cString: nl_geterror(code))) (libnl \(code))"
        case .system(let error): return error.description
        case .timedOut: return "the kernel did not answer in time"
        }
    }
}

/// A datagram path to a generic-netlink family: what the IPVS client needs, real or fake.
public protocol GenericNetlinkTransport: AnyObject {
    /// The port id to put in nlmsg_pid of requests.
    var portID: UInt32 { get }
    /// Sends one complete netlink message.
    func send(_ message: [UInt8]) throws(NetlinkError)
    /// Receives one datagram (one or more netlink messages).
    func receive() throws(NetlinkError) -> [UInt8]
}

/// A NETLINK_GENERIC socket connected to the kernel through libnl.
public final class GenericNetlinkSocket: GenericNetlinkTransport {
    private let socket: OpaquePointer
    /// The socket's descriptor. libnl opened it and keeps it in `socket`, so libnl closes it (nl_close, which
    /// also tells nl_socket_free not to close it again).
    public let fd: OwnedDescriptor
    private var buffer: [UInt8]
    /// How long `receive` waits for the kernel before giving up.
    public var receiveTimeout: Duration

    /// Allocates and connects a generic-netlink socket with a receive buffer of `receiveBufferSize` bytes.
    public init(receiveBufferSize: Int = 1 << 20, receiveTimeout: Duration = .seconds(5)) throws(NetlinkError) {
        guard let socket = nl_socket_alloc() else { throw .allocationFailed }
        self.socket = socket
        self.receiveTimeout = receiveTimeout
        // One receive takes one datagram; a dump datagram is at most a few pages, 64 KiB is ample.
        buffer = [UInt8](repeating: 0, count: 1 << 16)
        let code = genl_connect(socket)
        guard code == 0 else {
            nl_socket_free(socket)
            throw .libnl(call: "genl_connect", code: code)
        }
        fd = OwnedDescriptor(adopting: nl_socket_get_fd(socket), closingWith: { _ in nl_close(socket) })
        // A larger kernel-side queue keeps a 10,000-service dump from overrunning; failures are harmless.
        _ = nl_socket_set_buffer_size(socket, Int32(clamping: receiveBufferSize), 0)
        var on: Int32 = 1
        // Extended acks carry the kernel's reason text; capped acks do not echo our request back.
        _ = setsockopt(fd.rawValue, Self.solNetlink, Self.netlinkExtAck, &on, socklen_t(MemoryLayout<Int32>.size))
        _ = setsockopt(fd.rawValue, Self.solNetlink, Self.netlinkCapAck, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit {
        fd.close()
        nl_socket_free(socket)
    }

    private static let solNetlink: Int32 = 270
    private static let netlinkCapAck: Int32 = 10
    private static let netlinkExtAck: Int32 = 11

    /// The local port id libnl bound the socket to.
    public var portID: UInt32 { nl_socket_get_local_port(socket) }

    /// The numeric id of the generic-netlink family `name` (e.g. "IPVS").
    // genl ctrl get name IPVS
    public func resolveFamily(_ name: String) throws(NetlinkError) -> UInt16 {
        let result = genl_ctrl_resolve(socket, name)
        if result == -NLE_OBJ_NOTFOUND { throw .familyNotFound(name) }
        guard result > 0, result <= Int32(UInt16.max) else { throw .libnl(call: "genl_ctrl_resolve", code: result) }
        return UInt16(result)
    }

    public func send(_ message: [UInt8]) throws(NetlinkError) {
        var copy = message
        let result = copy.withUnsafeMutableBytes { nl_sendto(socket, $0.baseAddress, $0.count) }
        guard result >= 0 else { throw .libnl(call: "nl_sendto", code: result) }
    }

    public func receive() throws(NetlinkError) -> [UInt8] {
        let fd = fd.rawValue
        var pollEntry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let (seconds, attoseconds) = receiveTimeout.components
        let milliseconds = Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        while true {
            let ready = poll(&pollEntry, 1, milliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                throw .system(.current("poll"))
            }
            guard ready > 0 else { throw .timedOut }
            // MSG_TRUNC reports the datagram's real length, so a too-small buffer is grown and read again.
            let peeked = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_PEEK | MSG_TRUNC)) }
            if peeked < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .system(.current("recv"))
            }
            if peeked > buffer.count { buffer = [UInt8](repeating: 0, count: peeked) }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .system(.current("recv"))
            }
            return Array(buffer[0..<count])
        }
    }
}
