import Glibc
import KeepalivedConfig
import Platform

/// One attempt of a UDP_CHECK, DNS_CHECK or PING_CHECK on the event loop: a connected, non-blocking datagram
/// socket, one datagram out, the replies judged until one decides or connect_timeout passes (keepalived's
/// check_udp.c, check_dns.c and check_ping.c). PING_CHECK uses an ICMP datagram socket (`IPPROTO_ICMP` /
/// `IPPROTO_ICMPV6`), which needs no capability: the kernel opens it to the groups in
/// net.ipv4.ping_group_range. Calls `completion` exactly once, after releasing its socket and timer.
final class DatagramProbe: Probe {
    private let loop: EventLoop
    private let plan: ProbePlan
    private let buffer: ReceiveBuffer
    private var completion: ((CheckOutcome) -> Void)?
    private var socket: OwnedDescriptor?
    private var timer: TimerID?
    /// DNS_CHECK: the ID the answer must carry.
    private var queryID: UInt16 = 0
    private lazy var onReady: () -> Void = { [unowned self] in self.ready() }

    /// keepalived's ICMP echo carries 128 octets of its filler after the header.
    static let echoPayloadSize = 128
    /// Sequence numbers of the echo requests, one counter for the process as in keepalived. Only the event
    /// loop's thread runs probes.
    nonisolated(unsafe) private static var sequence: UInt16 = 0

    init(loop: EventLoop, plan: ProbePlan, buffer: ReceiveBuffer, completion: @escaping (CheckOutcome) -> Void) {
        self.loop = loop
        self.plan = plan
        self.buffer = buffer
        self.completion = completion
    }

    func onCompletion(_ completion: @escaping (CheckOutcome) -> Void) {
        self.completion = completion
    }

    func start() {
        guard let destination = plan.destination else { return finish(.failure("no port to send to")) }
        let ping = { if case .ping = plan.exchange { return true } else { return false } }()
        let proto = !ping ? 0 : destination.family == AF_INET ? Int32(IPPROTO_ICMP) : Int32(IPPROTO_ICMPV6)
        let fd = Glibc.socket(destination.family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                              | Int32(SOCK_CLOEXEC.rawValue), proto)
        guard fd >= 0 else {
            if ping && (errno == EACCES || errno == EPERM) { return finish(.failure(Self.pingRefusal())) }
            return finish(.failure("socket: \(String(cString: strerror(errno)))"))
        }
        socket = OwnedDescriptor(adopting: fd)
        if case .udp = plan.exchange {
            // As keepalived: ICMP errors (port unreachable) are queued on the socket, so they can be told apart.
            var one: Int32 = 1
            if destination.family == AF_INET {
                setsockopt(fd, Int32(SOL_IP), IP_RECVERR, &one, socklen_t(MemoryLayout<Int32>.size))
            } else {
                setsockopt(fd, Int32(SOL_IPV6), IPV6_RECVERR, &one, socklen_t(MemoryLayout<Int32>.size))
            }
        }
        if let local = plan.local {
            let bound = local.withPointer { bind(fd, $0, $1) }
            guard bound == 0 else { return finish(.failure("bind: \(String(cString: strerror(errno)))")) }
        }
        // Connected: the kernel delivers only the destination's datagrams (and its ICMP errors) to this socket.
        guard destination.withPointer({ connect(fd, $0, $1) }) == 0 else {
            return finish(.failure("connect: \(String(cString: strerror(errno)))"))
        }
        let datagram = request()
        let count = datagram.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard count == datagram.count else {
            let reason = count < 0 ? String(cString: strerror(errno)) : "\(count) of \(datagram.count) octets"
            return finish(.failure("send: \(reason)"))
        }
        timer = loop.schedule(after: plan.timeout) { [unowned self] in
            timer = nil
            timedOut()
        }
        do {
            try loop.setWatch(socket!, onReadable: onReady, onWritable: nil)
        } catch {
            finish(.failure("cannot watch the socket: \(error)"))
        }
    }

    func cancel() {
        completion = nil
        release()
    }

    /// The datagram an attempt sends.
    private func request() -> [UInt8] {
        switch plan.exchange {
        case .udp(let datagram, _):
            return datagram
        case .dns(let settings):
            queryID = UInt16.random(in: 0...UInt16.max)
            return DNSQuery.encode(id: queryID, name: settings.name, type: settings.type)
        case .ping:
            Self.sequence &+= 1
            return ICMPEcho.request(ipv6: plan.destination?.family == AF_INET6, sequence: Self.sequence,
                                    payloadSize: Self.echoPayloadSize)
        case .stream, .smtp:
            return []
        }
    }

    private func ready() {
        guard let fd = socket?.rawValue else { return }
        // A bounded number of datagrams per wake-up (a DNS server may answer with others' IDs first).
        for _ in 0..<16 {
            if case .udp = plan.exchange, let icmp = Self.queuedICMPError(fd) {
                // keepalived counts only "destination unreachable" as down; other ICMP errors pass.
                return finish(icmp.unreachable ? .failure("ICMP destination unreachable (code \(icmp.code))") : .success)
            }
            let raw = buffer.bytes
            let count = recv(fd, raw.baseAddress, raw.count, 0)
            if count < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
                return finish(.failure("recv: \(String(cString: strerror(errno)))"))
            }
            let reply = UnsafeRawBufferPointer(rebasing: raw[..<count])
            switch plan.exchange {
            case .udp(_, let rule):
                let event = UDPReplyRule.Event.reply(Array(reply.prefix(rule.maximumLength + 1)))
                return finish(rule.passes(event) ? .success : .failure("the reply (\(count) octets) is not the one required"))
            case .dns:
                switch DNSQuery.judge(reply, id: queryID) {
                case .ignore: continue
                case .pass: return finish(.success)
                case .fail(let rcode): return finish(.failure("the server answered with rcode \(rcode)"))
                }
            case .ping:
                return finish(ICMPEcho.judge(reply, ipv6: plan.destination?.family == AF_INET6))
            case .stream, .smtp:
                return finish(.failure("not a datagram check"))
            }
        }
    }

    private func timedOut() {
        switch plan.exchange {
        case .udp(_, let rule):
            finish(rule.passes(.silence) ? .success : .failure("no reply within \(plan.timeout)"))
        case .dns:
            finish(.failure("no answer within \(plan.timeout)"))
        default:
            finish(.failure("no echo reply within \(plan.timeout)"))
        }
    }

    /// The ICMP error the kernel queued for the socket (IP_RECVERR), if any.
    private static func queuedICMPError(_ fd: Int32) -> (unreachable: Bool, code: UInt8)? {
        var control = [UInt8](repeating: 0, count: 512)
        var scratch = [UInt8](repeating: 0, count: 64)
        var controlLength = 0
        let received = scratch.withUnsafeMutableBytes { data -> Int in
            control.withUnsafeMutableBytes { control -> Int in
                var iov = iovec(iov_base: data.baseAddress, iov_len: data.count)
                return withUnsafeMutablePointer(to: &iov) { iovPointer -> Int in
                    var message = msghdr()
                    message.msg_iov = iovPointer
                    message.msg_iovlen = 1
                    message.msg_control = control.baseAddress
                    message.msg_controllen = control.count
                    let count = recvmsg(fd, &message, Int32(MSG_ERRQUEUE) | Int32(MSG_DONTWAIT))
                    controlLength = Int(message.msg_controllen)
                    return count
                }
            }
        }
        guard received >= 0 else { return nil }
        // The control messages, walked as CMSG_FIRSTHDR/CMSG_NXTHDR do (headers and data 8-byte aligned).
        let headerSize = MemoryLayout<cmsghdr>.size
        var offset = 0
        return control.withUnsafeBytes { raw -> (Bool, UInt8)? in
            while offset + headerSize <= min(controlLength, raw.count) {
                let header = raw.loadUnaligned(fromByteOffset: offset, as: cmsghdr.self)
                let length = Int(header.cmsg_len)
                guard length >= headerSize, offset + length <= raw.count else { break }
                let ipv4 = header.cmsg_level == SOL_IP && header.cmsg_type == IP_RECVERR
                let ipv6 = header.cmsg_level == SOL_IPV6 && header.cmsg_type == IPV6_RECVERR
                // struct sock_extended_err (linux/errqueue.h): ee_errno (4 octets), then ee_origin, ee_type,
                // ee_code; origin 2 is ICMP, 3 ICMPv6 (SO_EE_ORIGIN_ICMP, SO_EE_ORIGIN_ICMP6).
                if (ipv4 || ipv6) && length >= headerSize + 16 {
                    let origin = raw[offset + headerSize + 4]
                    let type = raw[offset + headerSize + 5]
                    let code = raw[offset + headerSize + 6]
                    // ICMP type 3 / ICMPv6 type 1: destination unreachable.
                    let unreachable = (origin == 2 && type == 3) || (origin == 3 && type == 1)
                    return (unreachable, code)
                }
                offset += (length + 7) & ~7
            }
            return (false, 0)
        }
    }

    /// Why the kernel refused an ICMP datagram socket, with the way to allow it.
    static func pingRefusal() -> String {
        let range = (try? String(contentsOfProcFile: PingGroupRange.path)).flatMap(PingGroupRange.init)
            .map { "\($0.low) \($0.high)" } ?? "unknown"
        return "ICMP datagram sockets are closed to checkd's group \(getegid()) (net.ipv4.ping_group_range is '\(range)' in this network namespace): set net.ipv4.ping_group_range so it includes that group (checkd.service does it before checkd starts: checkd --allow-ping-group tandem-checkd, as root)"
    }

    private func finish(_ outcome: CheckOutcome) {
        release()
        let completion = self.completion
        self.completion = nil
        completion?(outcome)
    }

    private func release() {
        if let timer { loop.cancel(timer) }
        timer = nil
        // The socket is this probe's alone (SOCK_CLOEXEC, never duplicated): closing takes it off the loop.
        socket?.closeUnshared()
        socket = nil
    }

    deinit { release() }
}

/// Reading a small /proc file without Foundation.
extension String {
    public init(contentsOfProcFile path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError.current("open \(path)") }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 256)
        let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count >= 0 else { throw SystemError.current("read \(path)") }
        self = String(decoding: bytes[..<count], as: UTF8.self)
    }
}
