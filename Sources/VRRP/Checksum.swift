// The Internet checksum (RFC 1071) that VRRP and IPv4 headers use.

import Vocabulary

/// Ones'-complement sum of 16-bit big-endian words, carried between chunks so a pseudo-header can be summed first.
struct InternetChecksum {
    private var sum: UInt64 = 0
    private var pendingOdd: UInt8? = nil

    /// Adds bytes; an odd trailing byte is paired with the next chunk's first byte, as one stream.
    /// (Concrete, not generic: the fuzz build compiles file by file, where a generic would stay unspecialized.)
    mutating func add(_ bytes: ArraySlice<UInt8>) {
        var i = bytes.startIndex
        let end = bytes.endIndex
        if let hi = pendingOdd, i < end {
            sum &+= UInt64(hi) << 8 | UInt64(bytes[i])
            pendingOdd = nil
            i += 1
        }
        while end - i >= 2 {
            sum &+= UInt64(bytes[i]) << 8 | UInt64(bytes[i + 1])
            i += 2
        }
        if i < end { pendingOdd = bytes[i] }
    }

    /// Adds all of `bytes`.
    mutating func add(_ bytes: [UInt8]) { add(bytes[...]) }

    /// Adds a 16-bit value in host order.
    mutating func add16(_ v: UInt16) {
        if pendingOdd == nil { sum &+= UInt64(v) } else { add([UInt8(v >> 8), UInt8(truncatingIfNeeded: v)]) }
    }

    /// Adds an address's bytes without materialising them.
    mutating func add(_ a: IPAddress) {
        switch a {
        case .v4(let v):
            add16(UInt16(v >> 16))
            add16(UInt16(truncatingIfNeeded: v))
        case .v6(let hi, let lo):
            add64(hi)
            add64(lo)
        }
    }

    private mutating func add64(_ v: UInt64) {
        add16(UInt16(v >> 48))
        add16(UInt16(truncatingIfNeeded: v >> 32))
        add16(UInt16(truncatingIfNeeded: v >> 16))
        add16(UInt16(truncatingIfNeeded: v))
    }

    /// The complemented 16-bit result; 0 when the summed data already holds a correct checksum.
    var value: UInt16 {
        var s = sum
        if let hi = pendingOdd { s &+= UInt64(hi) << 8 }
        while s >> 16 != 0 { s = (s & 0xFFFF) + (s >> 16) }
        return ~UInt16(truncatingIfNeeded: s)
    }
}

/// Checksum of a VRRP message: v2 sums the message only; v3 prefixes the IPv4 or IPv6 pseudo-header (protocol 112).
func vrrpChecksum(
    message: ArraySlice<UInt8>, version: VRRPVersion, source: IPAddress, destination: IPAddress
) -> UInt16 {
    var ck = InternetChecksum()
    if version == .v3 {
        switch source.family {
        case .ipv4:
            // RFC 768-style pseudo-header: src, dst, zero, protocol, VRRP length.
            ck.add(source)
            ck.add(destination)
            ck.add16(UInt16(vrrpIPProtocol))
            ck.add16(UInt16(truncatingIfNeeded: message.count))
        case .ipv6:
            // RFC 8200 §8.1 pseudo-header: src, dst, 32-bit length, 3 zero bytes, next header.
            ck.add(source)
            ck.add(destination)
            let len = UInt32(truncatingIfNeeded: message.count)
            ck.add16(UInt16(len >> 16))
            ck.add16(UInt16(truncatingIfNeeded: len))
            ck.add16(0)
            ck.add16(UInt16(vrrpIPProtocol))
        }
    }
    ck.add(message)
    return ck.value
}

/// The IP protocol number of VRRP.
let vrrpIPProtocol: UInt8 = 112
/// The IP protocol number of IPsec AH, which RFC 2338-era VRRPv2 could use.
let ahIPProtocol: UInt8 = 51
