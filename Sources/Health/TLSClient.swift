import COpenSSL
import Glibc

/// OpenSSL client contexts, one per verification mode, shared by every SSL_GET of the process.
final class TLSContexts {
    private var contexts: [Bool: OpaquePointer] = [:]

    deinit { for context in contexts.values { SSL_CTX_free(context) } }

    /// keepalived does not verify the certificate unless `verify_cert` is set.
    func context(verify: Bool) -> OpaquePointer? {
        if let context = contexts[verify] { return context }
        guard let context = SSL_CTX_new(TLS_client_method()) else { return nil }
        // Servers that close without close_notify are common; treat that as the end of the body.
        SSL_CTX_set_options(context, UInt64(1) << 7)  // SSL_OP_IGNORE_UNEXPECTED_EOF
        if verify {
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
            SSL_CTX_set_default_verify_paths(context)
        } else {
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        }
        contexts[verify] = context
        return context
    }
}

/// What a non-blocking TLS or socket operation did.
enum TransferResult {
    /// This many bytes (0 only for a finished handshake).
    case done(Int)
    /// Try again when the socket is readable (`wantRead`) or writable.
    case wouldBlock(wantRead: Bool)
    /// The peer closed the stream.
    case endOfStream
    case failed(String)
}

/// One client TLS session over a connected non-blocking socket.
final class TLSSession {
    private let ssl: OpaquePointer

    init?(context: OpaquePointer, fd: Int32, hostName: String?, verify: Bool) {
        guard let ssl = SSL_new(context) else { return nil }
        self.ssl = ssl
        SSL_set_fd(ssl, fd)
        if verify, let hostName { SSL_set1_host(ssl, hostName) }
    }

    deinit { SSL_free(ssl) }

    func handshake() -> TransferResult {
        let result = SSL_connect(ssl)
        return result == 1 ? .done(0) : interpret(result, "TLS handshake")
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> TransferResult {
        let result = SSL_write(ssl, bytes.baseAddress, Int32(bytes.count))
        return result > 0 ? .done(Int(result)) : interpret(result, "TLS write")
    }

    func read(_ buffer: UnsafeMutableRawBufferPointer) -> TransferResult {
        let result = SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))
        return result > 0 ? .done(Int(result)) : interpret(result, "TLS read")
    }

    private func interpret(_ result: Int32, _ what: String) -> TransferResult {
        let code = SSL_get_error(ssl, result)
        defer { ERR_clear_error() }
        switch code {
        case SSL_ERROR_WANT_READ: return .wouldBlock(wantRead: true)
        case SSL_ERROR_WANT_WRITE: return .wouldBlock(wantRead: false)
        case SSL_ERROR_ZERO_RETURN: return .endOfStream
        default:
            let detail = ERR_peek_last_error()
            var buffer = [CChar](repeating: 0, count: 160)
            ERR_error_string_n(detail, &buffer, buffer.count)
            let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if code == SSL_ERROR_SYSCALL && result == 0 && detail == 0 { return .endOfStream }
            return .failed("\(what) failed: \(detail == 0 ? "error \(code)" : text)")
        }
    }
}
