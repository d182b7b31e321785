#if canImport(Glibc)
import Glibc
#endif

/// An IPv4 or IPv6 address as its network-order bytes.
///
/// The bytes are kept inline in two words rather than in an array: the model holds one address per real server
/// (100,000 of them in a large file), and an array would be a heap allocation of 48 bytes each.
public struct IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public enum Family: Sendable, Hashable { case inet, inet6 }

    /// Bytes 0..<8 and 8..<16 in memory (network) order; an IPv4 address uses the first four, the rest are 0.
    private var first: UInt64 = 0
    private var second: UInt64 = 0
    public let family: Family

    /// 4 bytes for IPv4, 16 for IPv6, network order.
    public var bytes: [UInt8] {
        withUnsafeBytes(of: (first, second)) { Array($0.prefix(family == .inet ? 4 : 16)) }
    }

    public var maximumPrefixLength: Int { family == .inet ? 32 : 128 }

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        family = bytes.count == 4 ? .inet : .inet6
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyBytes(from: bytes) }
        (first, second) = words
    }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text; nil for anything else (no host names).
    public init?(_ text: String) {
        if text.contains(":") {
            var raw = in6_addr()
            guard inet_pton(AF_INET6, text, &raw) == 1 else { return nil }
            self.init(bytes: withUnsafeBytes(of: &raw) { Array($0) })
        } else {
            var raw = in_addr()
            guard inet_pton(AF_INET, text, &raw) == 1 else { return nil }
            self.init(bytes: withUnsafeBytes(of: &raw) { Array($0) })
        }
    }

    public var isMulticast: Bool {
        family == .inet ? (bytes[0] & 0xF0) == 0xE0 : bytes[0] == 0xFF
    }

    public var description: String {
        if family == .inet { return bytes.map(String.init).joined(separator: ".") }
        var raw = in6_addr()
        withUnsafeMutableBytes(of: &raw) { $0.copyBytes(from: bytes) }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count)) != nil else { return "?" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// IPv4 before IPv6, then byte by byte (the words hold network order, so big-endian reads compare right).
    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        if a.family != b.family { return a.family == .inet }
        let (a0, b0) = (UInt64(bigEndian: a.first), UInt64(bigEndian: b.first))
        return a0 != b0 ? a0 < b0 : UInt64(bigEndian: a.second) < UInt64(bigEndian: b.second)
    }

    /// The address `count` after this one (for keepalived's `192.0.2.1-10` ranges); nil past the end.
    public func advanced(by count: Int) -> IPAddress? {
        var result = bytes
        var carry = count
        for index in result.indices.reversed() where carry > 0 {
            let sum = Int(result[index]) + carry
            result[index] = UInt8(sum & 0xFF)
            carry = sum >> 8
        }
        return carry == 0 ? IPAddress(bytes: result) : nil
    }
}
