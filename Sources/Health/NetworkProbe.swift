import Glibc
import KeepalivedConfig
import Platform

/// One attempt of a TCP_CHECK, HTTP_GET, SSL_GET or SMTP_CHECK on the event loop: non-blocking connect,
/// optional TLS, one GET per url (each on its own connection, all must pass), every connection bounded by
/// connect_timeout; or SMTP_CHECK's conversation (SMTPConversation), each step bounded by connect_timeout.
/// Calls `completion` exactly once, after releasing its socket and timer.
final class NetworkProbe: Probe {
    enum Mode {
        case tcp
        case http(urls: [HTTPCheckURL], tls: Bool, verify: Bool)
        case smtp(SMTPCheckSettings)
        /// Datagram modes, run by DatagramProbe.
        case udp(UDPCheckSettings)
        case dns(DNSCheckSettings)
        case ping
    }

    private let loop: EventLoop
    private let plan: ProbePlan
    private let tlsContexts: TLSContexts
    private let buffer: ReceiveBuffer
    private var completion: ((CheckOutcome) -> Void)?

    private var socket: OwnedDescriptor?
    /// The socket's number for system calls; -1 between connections.
    private var fd: Int32 { socket?.rawValue ?? -1 }
    private var timer: TimerID?
    private var tls: TLSSession?
    private var urlIndex = 0
    private var sent = 0
    private var reader = HTTPResponseReader()
    private var digest: MD5Digest?
    private var phase = Phase.connecting
    /// The direction the loop watches the socket in: true readable, false writable, nil not at all.
    private var watching: Bool?
    /// Made once: handing the loop this closure on every phase change allocates nothing. `unowned`: release()
    /// takes every handler and the timer back from the loop before the probe can go away.
    private lazy var onReady: () -> Void = { [unowned self] in self.ready() }
    /// Made once too, for each connection's (and each SMTP step's) timer.
    private lazy var onTimeout: () -> Void = { [unowned self] in
        self.timer = nil
        self.finish(.failure("timed out after \(self.timeout)"))
    }

    private enum Phase { case connecting, handshaking, sending, receiving, smtpSending, smtpReceiving }
    /// SMTP_CHECK: where the conversation is, the line being read and the bytes being sent.
    private var smtp: SMTPConversation?
    private var smtpLine = SMTPReplyReader()
    private var smtpOut: [UInt8] = []

    private var timeout: Duration { plan.timeout }

    /// An attempt of a checker whose plan was made at load time; `buffer` is shared by the attempts of a loop.
    init(loop: EventLoop, plan: ProbePlan, tlsContexts: TLSContexts, buffer: ReceiveBuffer,
         completion: @escaping (CheckOutcome) -> Void) {
        self.loop = loop
        self.plan = plan
        self.tlsContexts = tlsContexts
        self.buffer = buffer
        self.completion = completion
    }

    /// A one-off attempt (tests, tools).
    convenience init(loop: EventLoop, target: CheckTarget, mode: Mode, timeout: Duration, tlsContexts: TLSContexts,
                     completion: @escaping (CheckOutcome) -> Void) {
        self.init(loop: loop, plan: ProbePlan(target: target, mode: mode, timeout: timeout), tlsContexts: tlsContexts,
                  buffer: ReceiveBuffer(), completion: completion)
    }

    /// Replaces the completion before `start()` (for an owner that keys the probe by its identity).
    func onCompletion(_ completion: @escaping (CheckOutcome) -> Void) {
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
        guard let destination = plan.destination else { return finish(.failure("no port to connect to")) }
        let fd = Glibc.socket(destination.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
                              | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return finish(.failure("socket: \(String(cString: strerror(errno)))")) }
        socket = OwnedDescriptor(adopting: fd)
        // As keepalived does (layer4.c): close ends the connection with a reset, so a check leaves no TIME_WAIT
        // behind. At thousands of checks a second, TIME_WAIT sockets would fill the kernel's table (60 s each)
        // and slow every connect's search for a free local port.
        var noLinger = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &noLinger, socklen_t(MemoryLayout<linger>.size))
        if let local = plan.local {
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            let bound = local.withPointer { bind(fd, $0, $1) }
            guard bound == 0 else { return finish(.failure("bind: \(String(cString: strerror(errno)))")) }
        }
        // connect_timeout bounds each connection (each url has its own), as in keepalived.
        armTimer()
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

    private func armTimer() {
        if let timer { loop.cancel(timer) }
        timer = loop.schedule(after: timeout, onTimeout)
    }

    /// One epoll_ctl per change of direction, none when it stays: the socket is watched one way at a time.
    private func watch(readable: Bool) {
        if watching == readable { return }
        guard let socket else { return }
        do {
            try loop.setWatch(socket, onReadable: readable ? onReady : nil, onWritable: readable ? nil : onReady)
            watching = readable
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
        case .smtpSending: smtpSend()
        case .smtpReceiving: smtpReceive()
        }
    }

    private func connected() {
        if case .smtp(let helo) = plan.exchange {
            smtp = SMTPConversation(helo: helo)
            return smtpReadLine()
        }
        guard plan.isHTTP else { return finish(.success) }
        guard urlIndex < plan.urls.count else { return finish(.failure("no url to check")) }
        let url = plan.urls[urlIndex]
        sent = 0
        reader = HTTPResponseReader()
        digest = url.expectsDigest ? MD5Digest() : nil
        if plan.useTLS {
            guard let context = tlsContexts.context(verify: plan.verify),
                  let session = TLSSession(context: context, fd: fd, hostName: url.hostName, verify: plan.verify) else {
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
        let request = plan.urls[urlIndex].request
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
        // The answer is often there already (loopback, a fast server): read first, watch only if it is not.
        phase = .receiving
        receive()
    }

    private func receive() {
        let raw = buffer.bytes
        // A bounded number of reads per wake-up, so one fast backend cannot hold the loop.
        for _ in 0..<16 {
            let result: TransferResult
            if let tls {
                result = tls.read(raw)
            } else {
                let count = recv(fd, raw.baseAddress, raw.count, 0)
                if count > 0 {
                    result = .done(count)
                } else if count == 0 {
                    result = .endOfStream
                } else if errno == EAGAIN || errno == EWOULDBLOCK {
                    result = .wouldBlock(wantRead: true)
                } else {
                    result = .failed("recv: \(String(cString: strerror(errno)))")
                }
            }
            switch result {
            case .done(let count):
                do {
                    try reader.feed(UnsafeRawBufferPointer(rebasing: raw[..<count])) { digest?.update($0) }
                } catch {
                    return finish(.failure("bad response: \(error)"))
                }
                // Without a digest the status line is all that matters, unless the body is chunked: its framing
                // is checked to the last chunk.
                if reader.headersComplete && ((digest == nil && !reader.isChunked) || reader.bodyComplete) {
                    return responseDone()
                }
            case .wouldBlock(let wantRead): return watch(readable: wantRead)
            case .endOfStream:
                if reader.isChunked && !reader.bodyComplete {
                    return finish(.failure("bad response: the chunked body ended before its last chunk"))
                }
                return reader.headersComplete ? responseDone() : finish(.failure("connection closed before a response"))
            case .failed(let reason): return finish(.failure(reason))
            }
        }
    }

    private func responseDone() {
        guard plan.isHTTP, let status = reader.status else { return }
        let url = plan.urls[urlIndex].url
        guard url.accepts(status: status) else {
            return finish(.failure("\(url.path): status \(status)"))
        }
        if let expected = url.digest, let digest {
            let actual = digest.hex()
            guard actual == expected else { return finish(.failure("\(url.path): digest \(actual), expected \(expected)")) }
        }
        urlIndex += 1
        if urlIndex < plan.urls.count {
            release()
            openConnection()
        } else {
            finish(.success)
        }
    }

    // MARK: SMTP_CHECK

    /// Each line read and each line sent has its own connect_timeout, as in keepalived.
    private func smtpReadLine() {
        armTimer()
        smtpLine = SMTPReplyReader()
        phase = .smtpReceiving
        smtpReceive()
    }

    private func smtpReceive() {
        let raw = buffer.bytes
        // keepalived reads at most its buffer's worth a time and keeps only the first line of a read.
        let count = recv(fd, raw.baseAddress, min(raw.count, SMTPReplyReader.bufferLimit), 0)
        if count > 0 {
            smtpLine.feed(UnsafeRawBufferPointer(rebasing: raw[..<count]))
            guard smtpLine.complete, var conversation = smtp else { return watch(readable: true) }
            let action = conversation.lineRead(status: smtpLine.status)
            smtp = conversation
            switch action {
            case .send(let bytes):
                smtpOut = bytes
                sent = 0
                armTimer()
                phase = .smtpSending
                smtpSend()
            case .pass: finish(.success)
            case .fail(let reason): finish(.failure(reason))
            }
        } else if count == 0 {
            finish(.failure("connection closed before a whole reply line"))
        } else if errno == EAGAIN || errno == EWOULDBLOCK {
            watch(readable: true)
        } else {
            finish(.failure("recv: \(String(cString: strerror(errno)))"))
        }
    }

    private func smtpSend() {
        while sent < smtpOut.count {
            let count = smtpOut.withUnsafeBytes { all in
                Glibc.send(fd, all.baseAddress! + sent, all.count - sent, Int32(MSG_NOSIGNAL))
            }
            if count >= 0 {
                sent += count
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                return watch(readable: false)
            } else {
                return finish(.failure("send: \(String(cString: strerror(errno)))"))
            }
        }
        smtpReadLine()
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
        if let socket {
            // Closing also takes it off the loop; the socket is this probe's alone (SOCK_CLOEXEC, never duplicated).
            socket.closeUnshared()
            self.socket = nil
            watching = nil
        }
    }

    deinit { release() }
}
