import KeepalivedConfig
import Vocabulary

/// Everything one network checker (all but MISC_CHECK) needs for an attempt, worked out once when the
/// configuration is loaded instead of on every attempt: the socket addresses, the mode, the timeout and the
/// request bytes of each url. Immutable, so every attempt of the checker shares it. Every network checker
/// keeps one for its life, so it holds only what an attempt reads (not the target or mode it was made from).
final class ProbePlan {
    /// What is said once a socket is open.
    enum Exchange {
        /// TCP_CHECK (connect only), HTTP_GET and SSL_GET (`urls`): NetworkProbe.
        case stream
        /// SMTP_CHECK: banner, HELO with these bytes, QUIT (NetworkProbe).
        case smtp(helo: [UInt8])
        /// UDP_CHECK, DNS_CHECK, PING_CHECK: one datagram out, the reply judged (DatagramProbe).
        indirect case udp(datagram: [UInt8], reply: UDPReplyRule)
        indirect case dns(DNSCheckSettings)
        case ping
    }

    let exchange: Exchange
    var isDatagram: Bool {
        switch exchange {
        case .stream, .smtp: return false
        case .udp, .dns, .ping: return true
        }
    }
    let timeout: Duration
    /// Where to connect; nil when there is no port (the attempt fails).
    let destination: SocketAddress?
    /// `bindto` / `bind_port`, when set: boxed, as few checkers have one.
    private let localBox: LocalAddress?
    var local: SocketAddress? { localBox?.address }

    private final class LocalAddress {
        let address: SocketAddress
        init(_ address: SocketAddress) { self.address = address }
    }
    /// One GET per url, in order, each with what judging its answer needs.
    let urls: [URLPlan]
    /// HTTP_GET or SSL_GET (false: TCP_CHECK), so an attempt need not unpack the mode.
    let isHTTP: Bool
    let useTLS: Bool
    let verify: Bool

    /// One url of an HTTP_GET/SSL_GET: a class, so an attempt takes it with one retain.
    final class URLPlan {
        let url: HTTPCheckURL
        let request: [UInt8]
        let expectsDigest: Bool
        /// SNI and certificate name: the url's virtualhost, else the checker's.
        let hostName: String?

        init(url: HTTPCheckURL, request: [UInt8], hostName: String?) {
            self.url = url
            self.request = request
            expectsDigest = url.digest != nil
            self.hostName = hostName
        }
    }

    init(target: CheckTarget, mode: NetworkProbe.Mode, timeout: Duration) {
        self.timeout = timeout
        switch mode {
        case .tcp, .http: exchange = .stream
        case .smtp(let settings): exchange = .smtp(helo: SMTPReplyReader.helo(settings.heloName))
        case .udp(let settings): exchange = .udp(datagram: settings.datagram, reply: settings.reply)
        case .dns(let settings): exchange = .dns(settings)
        case .ping: exchange = .ping
        }
        // An echo request has no port; every other exchange needs one.
        if case .ping = mode {
            destination = SocketAddress(target.address, port: 0)
        } else {
            destination = target.port == 0 ? nil : SocketAddress(target.address, port: target.port)
        }
        if target.bindAddress != nil || target.bindPort != nil {
            let anyAddress = target.address.family == .ipv4 ? IPAddress("0.0.0.0")! : IPAddress("::")!
            localBox = LocalAddress(SocketAddress(target.bindAddress ?? anyAddress, port: target.bindPort ?? 0))
        } else {
            localBox = nil
        }
        if case .http(let urls, let tls, let verify) = mode {
            let address = target.address.family == .ipv4 ? "\(target.address)" : "[\(target.address)]"
            let hostHeader = "\(address):\(target.port)"
            self.urls = urls.map {
                URLPlan(url: $0, request: NetworkProbe.request(for: $0, host: $0.virtualHost ?? target.virtualHost ?? hostHeader),
                        hostName: $0.virtualHost ?? target.virtualHost)
            }
            isHTTP = true
            useTLS = tls
            self.verify = verify
        } else {
            urls = []
            isHTTP = false
            useTLS = false
            verify = false
        }
    }

    /// The plan of a network checker; nil for MISC_CHECK and FILE_CHECK.
    /// connect_timeout bounds a whole attempt, except SMTP_CHECK's, where it bounds each step (as keepalived).
    convenience init?(check: HealthCheck, target: CheckTarget, timing: CheckerTiming) {
        switch check.kind {
        case .tcp:
            self.init(target: target, mode: .tcp, timeout: timing.connectTimeout)
        case .http(let urls):
            self.init(target: target, mode: .http(urls: urls, tls: false, verify: false), timeout: timing.connectTimeout)
        case .ssl(let urls):
            self.init(target: target, mode: .http(urls: urls, tls: true, verify: check.verifyCertificate),
                      timeout: timing.connectTimeout)
        case .udp(let settings):
            self.init(target: target, mode: .udp(settings), timeout: timing.connectTimeout)
        case .dns(let settings):
            self.init(target: target, mode: .dns(settings), timeout: timing.connectTimeout)
        case .smtp(let settings):
            self.init(target: target, mode: .smtp(settings), timeout: timing.connectTimeout)
        case .ping:
            self.init(target: target, mode: .ping, timeout: timing.connectTimeout)
        case .misc, .file:
            return nil
        }
    }
}

/// One read buffer shared by every attempt on a loop (one attempt reads at a time), so an HTTP check does not
/// allocate and clear 16 KiB per read.
final class ReceiveBuffer {
    let bytes: UnsafeMutableRawBufferPointer

    init(size: Int = 16 * 1024) {
        bytes = .allocate(byteCount: size, alignment: 16)
    }

    deinit { bytes.deallocate() }
}

/// One attempt of a network checker in flight, as HealthMonitor holds it.
protocol Probe: AnyObject {
    /// Replaces the completion before `start()` (for an owner that keys the probe by its identity).
    func onCompletion(_ completion: @escaping (CheckOutcome) -> Void)
    /// Starts the attempt; the completion may run before this returns.
    func start()
    /// Ends the attempt without a result (reload, shutdown): the completion is not called.
    func cancel()
}
