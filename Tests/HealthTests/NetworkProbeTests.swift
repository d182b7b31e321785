import Foundation
import KeepalivedConfig
import Platform
import Testing
@testable import Health
import Vocabulary
import TestSupport

/// Runs one probe attempt to completion on its own loop; returns the outcome and how long it took.
private func probe(port: UInt16, mode: NetworkProbe.Mode, timeout: Duration = .seconds(2))
    throws -> (outcome: CheckOutcome?, elapsed: Duration) {
    let loop = try EventLoop()
    var outcome: CheckOutcome?
    let start = MonotonicInstant.now
    let target = CheckTarget(address: IPAddress("127.0.0.1")!, port: port)
    let probe = NetworkProbe(loop: loop, target: target, mode: mode, timeout: timeout, tlsContexts: TLSContexts()) {
        outcome = $0
    }
    probe.start()
    try runLoop(loop, timeout: timeout + .seconds(5)) { outcome != nil }
    #expect(loop.watchedCount == 0, "the probe released its socket")
    #expect(loop.pendingTimerCount == 0, "the probe cancelled its timer")
    return (outcome, MonotonicInstant.now - start)
}

/// An HTTPCheckURL as the configuration reader makes it.
private func url(_ path: String, status: [ClosedRange<Int>] = [], digest: String? = nil) throws -> HTTPCheckURL {
    var lines = "path \(path)\n"
    if !status.isEmpty {
        lines += "status_code " + status.map { "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: " ") + "\n"
    }
    if let digest { lines += "digest \(digest)\n" }
    let text = "virtual_server 192.0.2.1 80 {\n real_server 198.51.100.1 80 {\n HTTP_GET {\n url {\n\(lines)}\n}\n}\n}\n"
    let config = try parseConfig(text)
    guard case .http(let urls) = config.virtualServers.first?.realServers.first?.checks.first?.kind,
          let first = urls.first else { throw FixtureError.invalid(["no url in \(text)"]) }
    return first
}

private func http(_ urls: [HTTPCheckURL]) -> NetworkProbe.Mode { .http(urls: urls, tls: false, verify: false) }
private func https(_ urls: [HTTPCheckURL], verify: Bool = false) -> NetworkProbe.Mode {
    .http(urls: urls, tls: true, verify: verify)
}

@Suite(.serialized) struct TCPProbeTests {
    @Test func listenerIsUp() throws {
        let listener = try TCPListener()
        #expect(try probe(port: listener.port, mode: .tcp).outcome == .success)
    }

    @Test func closedPortIsDown() throws {
        let listener = try TCPListener()
        let port = listener.port
        listener.stop()
        let result = try probe(port: port, mode: .tcp)
        #expect(result.outcome?.passed == false)
    }
}

@Suite(.serialized) struct HTTPProbeTests {
    @Test func statusAndDigestPass() throws {
        let directory = try TemporaryDirectory()
        let backend = try PythonBackend(.normal, in: directory)
        let digest = try md5sum("hello /index.html")
        #expect(try probe(port: backend.port, mode: http([url("/index.html", digest: digest)])).outcome == .success)
    }

    @Test func statusMismatchIsDown() throws {
        let directory = try TemporaryDirectory()
        let backend = try PythonBackend(.normal, in: directory)
        let result = try probe(port: backend.port, mode: http([url("/status/503")]))
        #expect(result.outcome?.passed == false)
        // The same status accepted by status_code passes.
        #expect(try probe(port: backend.port, mode: http([url("/status/503", status: [500...599])])).outcome
                == .success)
    }

    @Test func digestMismatchIsDown() throws {
        let directory = try TemporaryDirectory()
        let backend = try PythonBackend(.normal, in: directory)
        let wrong = try md5sum("something else")
        let result = try probe(port: backend.port, mode: http([url("/", digest: wrong)]))
        #expect(result.outcome?.passed == false)
    }

    @Test func everyURLMustPass() throws {
        let directory = try TemporaryDirectory()
        let backend = try PythonBackend(.normal, in: directory)
        #expect(try probe(port: backend.port, mode: http([url("/a"), url("/b")])).outcome == .success)
        let result = try probe(port: backend.port, mode: http([url("/a"), url("/status/404"), url("/c")]))
        #expect(result.outcome?.passed == false)
    }

    /// Issue 19, finding 12: a 200 whose chunked body is not framed is a failed check (it used to pass: only the
    /// status line was read); a well-framed one passes, and its digest is over the bytes as sent, as keepalived's.
    @Test func aChunkedBodyMustBeFramed() throws {
        let directory = try TemporaryDirectory()
        let backend = try PythonBackend(.chunked, in: directory)
        #expect(try probe(port: backend.port, mode: http([url("/good")])).outcome == .success)
        let raw = "6;name=x\r\nhello \r\n5\r\n/good\r\n0\r\nX-Trailer: y\r\n\r\n"
        #expect(try probe(port: backend.port, mode: http([url("/good", digest: md5sum(raw))])).outcome == .success)
        let bogus = try probe(port: backend.port, mode: http([url("/bogus")]))
        #expect(bogus.outcome == .failure("bad response: malformed chunked body (chunk size expected)"),
                "\(String(describing: bogus.outcome))")
        let short = try probe(port: backend.port, mode: http([url("/short")]))
        #expect(short.outcome == .failure("bad response: the chunked body ended before its last chunk"), "\(String(describing: short.outcome))")
    }

    @Test func garbageIsDown() throws {
        let directory = try TemporaryDirectory()
        let backend = try PythonBackend(.garbage, in: directory)
        let result = try probe(port: backend.port, mode: http([url("/")]))
        #expect(result.outcome?.passed == false)
    }

    @Test func tenMegabyteHeaderIsCutShort() throws {
        let directory = try TemporaryDirectory()
        let backend = try PythonBackend(.bigHeader, in: directory)
        let result = try probe(port: backend.port, mode: http([url("/")]), timeout: .seconds(5))
        #expect(result.outcome == .failure("bad response: headerTooLarge"))
        #expect(result.elapsed < .seconds(5), "fails when the cap is hit, not at the timeout")
    }

    @Test func slowlorisIsBoundedByConnectTimeout() throws {
        let directory = try TemporaryDirectory()
        let backend = try PythonBackend(.slowloris, in: directory)
        let result = try probe(port: backend.port, mode: http([url("/")]), timeout: .milliseconds(500))
        #expect(result.outcome?.passed == false)
        #expect(result.elapsed >= .milliseconds(500) && result.elapsed < .seconds(2))
    }

    @Test func requestIsHTTP10WithHost() throws {
        let text = String(decoding: NetworkProbe.request(for: try url("/x"), host: "www.example"), as: UTF8.self)
        #expect(text.hasPrefix("GET /x HTTP/1.0\r\n"))
        #expect(text.contains("\r\nHost: www.example\r\n") && text.hasSuffix("\r\n\r\n"))
    }
}

@Suite(.serialized) struct SSLProbeTests {
    @Test func selfSignedServerPassesWithoutVerification() throws {
        let directory = try TemporaryDirectory()
        let backend = try PythonBackend(.normal, in: directory, certificate: try makeCertificate(in: directory))
        let digest = try md5sum("hello /secure")
        #expect(try probe(port: backend.port, mode: https([url("/secure", digest: digest)])).outcome == .success)
        let wrong = try probe(port: backend.port, mode: https([url("/status/500")]))
        #expect(wrong.outcome?.passed == false)
    }

    @Test func verifyCertRejectsSelfSigned() throws {
        let directory = try TemporaryDirectory()
        let backend = try PythonBackend(.normal, in: directory, certificate: try makeCertificate(in: directory))
        let result = try probe(port: backend.port, mode: https([url("/")], verify: true))
        #expect(result.outcome?.passed == false)
    }

    @Test func handshakeFailureIsDown() throws {
        // A plain HTTP server answers the ClientHello with garbage from the TLS point of view.
        let directory = try TemporaryDirectory()
        let backend = try PythonBackend(.normal, in: directory)
        let result = try probe(port: backend.port, mode: https([url("/")]))
        #expect(result.outcome?.passed == false)
    }
}

@Suite struct HTTPResponseReaderTests {
    private func feed(_ reader: inout HTTPResponseReader, _ text: String, body: inout [UInt8]) throws {
        var bytes = Array(text.utf8)
        try bytes.withUnsafeMutableBytes { raw in
            try reader.feed(UnsafeRawBufferPointer(raw)) { body += $0 }
        }
    }

    @Test func splitAcrossReads() throws {
        var reader = HTTPResponseReader()
        var body: [UInt8] = []
        try feed(&reader, "HTTP/1.1 20", body: &body)
        #expect(!reader.headersComplete)
        try feed(&reader, "4 No Content\r\nContent-Length: 3\r", body: &body)
        try feed(&reader, "\n\r\nab", body: &body)
        #expect(reader.status == 204 && reader.contentLength == 3 && !reader.bodyComplete)
        try feed(&reader, "c", body: &body)
        #expect(reader.bodyComplete && body == Array("abc".utf8))
    }

    @Test func wholeHeaderInOneRead() throws {
        // The in-place path: any case of Content-Length, spaces and tabs around its value, LF-only lines.
        for text in ["HTTP/1.0 200 OK\r\nServer: x\r\ncOnTeNt-LeNgTh:\t 2 \r\n\r\nok",
                     "HTTP/1.1 200\nCONTENT-LENGTH: 2\n\nok", "  HTTP/1.0   200   OK\r\ncontent-length:2\r\n\r\nok"] {
            var reader = HTTPResponseReader()
            var body: [UInt8] = []
            try feed(&reader, text, body: &body)
            #expect(reader.status == 200 && reader.contentLength == 2, "\(text)")
            #expect(reader.bodyComplete && body == Array("ok".utf8), "\(text)")
        }
        var reader = HTTPResponseReader()
        var body: [UInt8] = []
        try feed(&reader, "HTTP/1.0 200 OK\r\nContent-Length: x2\r\nContent-Length : 5\r\n\r\n", body: &body)
        #expect(reader.status == 200 && reader.contentLength == nil, "not numbers, not the header name")
    }

    @Test func malformedStatusLines() {
        for text in ["HTTP/1.0 2000 OK\r\n\r\n", "FTP 200\r\n\r\n", "HTTP/1.0 abc\r\n\r\n", "\r\n\r\n"] {
            var reader = HTTPResponseReader()
            var body: [UInt8] = []
            #expect(throws: HTTPResponseReader.Failure.malformedStatusLine) { try feed(&reader, text, body: &body) }
        }
    }

    @Test func chunkedBodiesAreFollowedToTheLastChunk() throws {
        let whole = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n4\r\nWiki\r\nA;x=1\r\npedia in  \r\n0\r\nT: 1\r\n\r\n"
        // Byte by byte: every state boundary falls between reads somewhere.
        var reader = HTTPResponseReader()
        var body: [UInt8] = []
        for byte in whole { try feed(&reader, String(byte), body: &body) }
        #expect(reader.isChunked && reader.bodyComplete)
        let headerEnd = try #require(whole.range(of: "\r\n\r\n")).upperBound
        #expect(body == Array(whole[headerEnd...].utf8), "the body callback sees the bytes as sent")
        var halfway = HTTPResponseReader()
        try feed(&halfway, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWi", body: &body)
        #expect(halfway.isChunked && !halfway.bodyComplete)
        var identity = HTTPResponseReader()
        try feed(&identity, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, identity\r\n\r\nzz", body: &body)
        #expect(!identity.isChunked, "chunked only counts as the last coding")

        for bad in ["zz\r\n", "4\r\nWikiX\r\n", "4\nWiki", "4\r\nWiki\r\n0\r\nT: 1\n", String(repeating: "f", count: 16) + "\r\n"] {
            var reader = HTTPResponseReader()
            #expect(throws: HTTPResponseReader.Failure.self, "\(bad)") {
                try feed(&reader, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + bad, body: &body)
            }
        }
    }

    @Test func headerCap() {
        var reader = HTTPResponseReader(maximumHeaderBytes: 100)
        var body: [UInt8] = []
        #expect(throws: HTTPResponseReader.Failure.headerTooLarge) {
            try feed(&reader, "HTTP/1.0 200 OK\r\nX: " + String(repeating: "a", count: 200), body: &body)
        }
    }
}
