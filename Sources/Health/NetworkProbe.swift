import Glibc
import KeepalivedConfig
import Platform

/// One attempt of a TCP_CHECK, HTTP_GET or SSL_GET on the event loop: non-blocking connect, optional TLS,
/// one GET per url (each on its own connection, all must pass), every connection bounded by connect_timeout.
/// Calls `completion` exactly once, after releasing its socket and timer.
final class NetworkProbe {
    enum Mode {
        case tcp
        case http(urls: [HTTPCheckURL], tls: Bool, verify: Bool)
    }

    /// Bytes read per call; the response is streamed, never held whole.
    private static let readChunk = 16 * 1024

    private let loop: EventLoop
    private let target: CheckTarget
    private let mode: Mode
    private let timeout: Duration
    private let tlsContexts: TLSContexts
    private var completion: ((CheckOutcome) -> Void)?

    private var fd: Int32 = -1
    private var timer: TimerID?
    private var tls: TLSSession?
    private var urlIndex = 0
    private var request: [UInt8] = []
    private var sent = 0
    private var reader = HTTPResponseReader()
    private var digest: MD5Digest?
    private var phase = Phase.connecting

    private enum Phase { case connecting, handshaking, sending, receiving }

    init(loop: EventLoop, target: CheckTarget, mode: Mode, timeout: Duration, tlsContexts: TLSContexts,
         completion: @escaping (CheckOutcome) -> Void) {
        self.loop = loop
        self.target = target
        self.mode = mode
        self.timeout = timeout
        self.tlsContexts = tlsContexts
        self.completion = completion
    }

    /// Starts the attempt; the completion may run before this returns (e.g. no port to connect to).
    func start() {
        openConnection()
    }

    /// Ends the attempt without a result (reload, shutdown): the completion is not called.
    func cancel() {
        completion = nil
        release()
    }

    // MARK: Connection

    private func openConnection() {
        guard target.port != 0 else { return finish(.failure("no port to connect to")) }
        let destination = SocketAddress(target.address, port: target.port)
        fd = socket(destination.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                        | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return finish(.failure("socket: \(String(cString: strerror(errno)))")) }
        // As keepalived does (layer4.c): close ends the connection with a reset, so a check leaves no TIME_WAIT
        // behind. At thousands of checks a second, TIME_WAIT sockets would fill the kernel's table (60 s each)
        // and slow every connect's search for a free local port.
        var noLinger = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &noLinger, socklen_t(MemoryLayout<linger>.size))
        if target.bindAddress != nil || target.bindPort != nil {
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            let anyAddress = destination.family == AF_INET ? IPAddress("0.0.0.0")! : IPAddress("::")!
            let local = SocketAddress(target.bindAddress ?? anyAddress, port: target.bindPort ?? 0)
            let bound = local.withPointer { bind(fd, $0, $1) }
            guard bound == 0 else { return finish(.failure("bind: \(String(cString: strerror(errno)))")) }
        }
        timer = loop.schedule(after: timeout) { [weak self] in
            self?.timer = nil
            self?.finish(.failure("timed out after \(self?.timeout ?? .zero)"))
        }
        let result = destination.withPointer { connect(fd, $0, $1) }
        if result == 0 {
            connected()
        } else if errno == EINPROGRESS {
            phase = .connecting
            watch(readable: false)
        } else {
            finish(.failure("connect: \(String(cString: strerror(errno)))"))
        }
    }

    private func watch(readable: Bool) {
        do {
            if readable {
                loop.unwatchWritable(fd)
                try loop.watchReadable(fd) { [weak self] in self?.ready() }
            } else {
                loop.unwatchReadable(fd)
                try loop.watchWritable(fd) { [weak self] in self?.ready() }
            }
        } catch {
            finish(.failure("cannot watch the socket: \(error)"))
        }
    }

    private func ready() {
        switch phase {
        case .connecting:
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            if error != 0 { return finish(.failure("connect: \(String(cString: strerror(error)))")) }
            connected()
        case .handshaking: handshake()
        case .sending: send()
        case .receiving: receive()
        }
    }

    private func connected() {
        switch mode {
        case .tcp:
            finish(.success())
        case .http(let urls, let useTLS, let verify):
            guard urls.indices.contains(urlIndex) else { return finish(.failure("no url to check")) }
            let url = urls[urlIndex]
            request = Self.request(for: url, host: url.virtualHost ?? target.virtualHost ?? hostHeader())
            sent = 0
            reader = HTTPResponseReader()
            digest = url.digest != nil ? MD5Digest() : nil
            if useTLS {
                guard let context = tlsContexts.context(verify: verify),
                      let session = TLSSession(context: context, fd: fd, hostName: url.virtualHost ?? target.virtualHost,
                                               verify: verify) else {
                    return finish(.failure("cannot create a TLS session"))
                }
                tls = session
                phase = .handshaking
                handshake()
            } else {
                phase = .sending
                send()
            }
        }
    }

    private func hostHeader() -> String {
        let address = target.address.family == .inet ? "\(target.address)" : "[\(target.address)]"
        return "\(address):\(target.port)"
    }

    /// keepalived sends HTTP/1.0 with Connection: close, so the server ends the body by closing.
    static func request(for url: HTTPCheckURL, host: String) -> [UInt8] {
        let path = url.path.isEmpty ? "/" : url.path
        let text = "GET \(path) HTTP/1.0\r\nUser-Agent: tandem-checkd\r\nHost: \(host)\r\nConnection: close\r\n\r\n"
        return Array(text.utf8)
    }

    private func handshake() {
        guard let tls else { return }
        switch tls.handshake() {
        case .done:
            phase = .sending
            send()
        case .wouldBlock(let wantRead): watch(readable: wantRead)
        case .endOfStream: finish(.failure("TLS handshake: connection closed"))
        case .failed(let reason): finish(.failure(reason))
        }
    }

    private func send() {
        while sent < request.count {
            let result: TransferResult = request.withUnsafeBytes { all in
                let rest = UnsafeRawBufferPointer(rebasing: all[sent...])
                if let tls { return tls.write(rest) }
                let count = Glibc.send(fd, rest.baseAddress, rest.count, Int32(MSG_NOSIGNAL))
                if count >= 0 { return .done(count) }
                if errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock(wantRead: false) }
                return .failed("send: \(String(cString: strerror(errno)))")
            }
            switch result {
            case .done(let count): sent += count
            case .wouldBlock(let wantRead): return watch(readable: wantRead)
            case .endOfStream: return finish(.failure("connection closed while sending"))
            case .failed(let reason): return finish(.failure(reason))
            }
        }
        phase = .receiving
        watch(readable: true)
        receive()
    }

    private func receive() {
        var buffer = [UInt8](repeating: 0, count: Self.readChunk)
        // A bounded number of reads per wake-up, so one fast backend cannot hold the loop.
        for _ in 0..<16 {
            let result: TransferResult = buffer.withUnsafeMutableBytes { raw in
                if let tls { return tls.read(raw) }
                let count = recv(fd, raw.baseAddress, raw.count, 0)
                if count > 0 { return .done(count) }
                if count == 0 { return .endOfStream }
                if errno == EAGAIN || errno == EWOULDBLOCK { return .wouldBlock(wantRead: true) }
                return .failed("recv: \(String(cString: strerror(errno)))")
            }
            switch result {
            case .done(let count):
                do {
                    try buffer.withUnsafeBytes { raw in
                        try reader.feed(UnsafeRawBufferPointer(rebasing: raw[..<count])) { digest?.update($0) }
                    }
                } catch {
                    return finish(.failure("bad response: \(error)"))
                }
                // Without a digest the status line is all that matters.
                if reader.headersComplete && (digest == nil || reader.bodyComplete) { return responseDone() }
            case .wouldBlock(let wantRead): return watch(readable: wantRead)
            case .endOfStream:
                return reader.headersComplete ? responseDone() : finish(.failure("connection closed before a response"))
            case .failed(let reason): return finish(.failure(reason))
            }
        }
    }

    private func responseDone() {
        guard case .http(let urls, _, _) = mode, let status = reader.status else { return }
        let url = urls[urlIndex]
        guard url.accepts(status: status) else {
            return finish(.failure("\(url.path): status \(status)"))
        }
        if let expected = url.digest, let digest {
            let actual = digest.hex()
            guard actual == expected else { return finish(.failure("\(url.path): digest \(actual), expected \(expected)")) }
        }
        urlIndex += 1
        if urlIndex < urls.count {
            release()
            openConnection()
        } else {
            finish(.success())
        }
    }

    // MARK: Ending

    private func finish(_ outcome: CheckOutcome) {
        release()
        let completion = self.completion
        self.completion = nil
        completion?(outcome)
    }

    private func release() {
        if let timer { loop.cancel(timer) }
        timer = nil
        tls = nil
        if fd >= 0 {
            loop.unwatch(fd)
            close(fd)
            fd = -1
        }
    }

    deinit { release() }
}
