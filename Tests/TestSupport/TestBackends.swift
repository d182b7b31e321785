import Foundation
import Glibc
import Vocabulary

/// A plain TCP listener on 127.0.0.1 in this process: the kernel completes connects from its backlog,
/// so nothing needs to accept. Closing it makes connects fail with ECONNREFUSED.
public final class TCPListener {
    private(set) var fd: Int32 = -1
    public let port: UInt16

    /// Listens on `port` (0: an ephemeral one).
    public init(port: UInt16 = 0) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 1024) == 0 else {
            let error = errno
            close(fd)
            throw POSIXError(POSIXErrorCode(rawValue: error) ?? .EIO)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        getsockname(fd, withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { $0 }
        }, &length)
        self.fd = fd
        self.port = UInt16(bigEndian: address.sin_port)
    }

    public func stop() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    deinit { stop() }
}

/// A python3 HTTP(S) backend on 127.0.0.1 with well-behaved and hostile modes; stopped by its PID.
public final class PythonBackend {
    public enum Mode: String {
        /// `/status/NNN` answers NNN, anything else 200; the body is "hello " + path.
        case normal
        /// Bytes that are not HTTP.
        case garbage
        /// A 10 MB header line.
        case bigHeader = "bigheader"
        /// A status line, then one header byte every 100 ms for 30 s.
        case slowloris
        /// 200 with a chunked body: `/good` well framed ("hello " + path in two chunks, a trailer), `/bogus` a
        /// size line that is not hex, `/short` a chunk cut short by the close.
        case chunked
    }

    public static let script = """
    import socket, ssl, sys, threading, time
    mode = sys.argv[1]
    port = int(sys.argv[2])
    ctx = None
    if len(sys.argv) > 4:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', port))
    s.listen(128)
    print(s.getsockname()[1], flush=True)
    def handle(c):
        try:
            if ctx:
                c = ctx.wrap_socket(c, server_side=True)
            data = b''
            while b'\\r\\n\\r\\n' not in data:
                chunk = c.recv(4096)
                if not chunk:
                    return
                data += chunk
            path = data.split(b' ')[1].decode()
            if mode == 'garbage':
                c.sendall(b'\\x00\\xff\\x13 this is not HTTP\\n\\n' * 4)
            elif mode == 'bigheader':
                c.sendall(b'HTTP/1.0 200 OK\\r\\nX-Big: ' + b'a' * (10 * 1024 * 1024) + b'\\r\\n\\r\\nbody')
            elif mode == 'chunked':
                head = b'HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n'
                if path == '/good':
                    body = b'6;name=x\\r\\nhello \\r\\n5\\r\\n/good\\r\\n0\\r\\nX-Trailer: y\\r\\n\\r\\n'
                elif path == '/bogus':
                    body = b'zz\\r\\nthis is not a chunk\\r\\n'
                else:
                    body = b'100\\r\\nonly a few bytes'
                c.sendall(head + body)
            elif mode == 'slowloris':
                c.sendall(b'HTTP/1.0 200 OK\\r\\n')
                for _ in range(300):
                    c.sendall(b'X')
                    time.sleep(0.1)
            else:
                status = int(path[8:11]) if path.startswith('/status/') else 200
                body = b'hello ' + path.encode()
                c.sendall(b'HTTP/1.0 %d Whatever\\r\\nContent-Type: text/plain\\r\\n\\r\\n' % status + body)
        except Exception:
            pass
        finally:
            try:
                c.close()
            except Exception:
                pass
    while True:
        conn, _ = s.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()
    """

    public let process = Process()
    public let port: UInt16

    /// Starts the backend (TLS when `certificate` is given) on `port` (0: ephemeral) and waits for it to listen.
    public init(_ mode: Mode, in directory: TemporaryDirectory, port: UInt16 = 0,
         certificate: (cert: String, key: String)? = nil) throws {
        let scriptPath = try directory.write("backend.py", Self.script)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [scriptPath, mode.rawValue, "\(port)"] + (certificate.map { [$0.cert, $0.key] } ?? [])
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(10) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let value = UInt16(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            process.terminate()
            throw TestSupportError("backend did not start")
        }
        self.port = value
    }

    /// Stops the backend by its PID and waits for it.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// A self-signed certificate for 127.0.0.1, made with the openssl command.
public func makeCertificate(in directory: TemporaryDirectory) throws -> (cert: String, key: String) {
    let cert = directory.path("cert.pem"), key = directory.path("key.pem")
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                         "-days", "1", "-subj", "/CN=localhost"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw TestSupportError("openssl req failed") }
    return (cert, key)
}

/// MD5 of `text` in hex, computed by the md5sum tool (independent of the code under test).
public func md5sum(_ text: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/md5sum")
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    input.fileHandleForWriting.write(Data(text.utf8))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(String(decoding: data, as: UTF8.self).prefix(32))
}
