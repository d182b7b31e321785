import Glibc
import KeepalivedConfig
import Vocabulary

/// A `sockaddr_in`/`sockaddr_in6` built from an IPAddress and a port, for connect and bind.
///
/// Held in a `sockaddr_in6` (28 bytes), which is large enough for either family, rather than a
/// `sockaddr_storage` (128 bytes): every TCP/HTTP/SSL checker keeps one or two of these for its whole life, so
/// the difference is a large share of checkd's memory at scale (bench/results/checkd.md).
struct SocketAddress {
    private var storage = sockaddr_in6()
    let length: socklen_t
    let family: Int32

    init(_ address: IPAddress, port: UInt16) {
        if address.family == .ipv4 {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = port.bigEndian
            withUnsafeMutableBytes(of: &sin.sin_addr) { $0.copyBytes(from: address.bytes) }
            withUnsafeMutableBytes(of: &storage) { raw in
                withUnsafeBytes(of: sin) { raw.copyMemory(from: $0) }
            }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            family = AF_INET
        } else {
            storage.sin6_family = sa_family_t(AF_INET6)
            storage.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &storage.sin6_addr) { $0.copyBytes(from: address.bytes) }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            family = AF_INET6
        }
    }

    func withPointer<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        withUnsafeBytes(of: storage) { raw in
            body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }
}
