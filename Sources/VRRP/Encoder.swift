// Building VRRP messages (and, for IPv4 raw sockets with IP_HDRINCL, whole datagrams) from an advertisement.

import Vocabulary

extension VRRPAdvertisement {
    /// The VRRP message with its checksum; `source`/`destination` feed the v3 pseudo-header and are ignored for v2.
    /// At most 255 addresses are sent (the Count field is one byte).
    public func encodeMessage(source: IPAddress, destination: IPAddress) -> [UInt8] {
        let addrs = Array(addresses.prefix(255))
        var out: [UInt8] = []
        out.reserveCapacity(16 + addrs.count * 16)
        out.append(version.rawValue << 4 | 1)   // type 1 = ADVERTISEMENT
        out.append(vrid)
        out.append(priority)
        out.append(UInt8(addrs.count))
        switch version {
        case .v2:
            out.append(authentication.typeCode)
            out.append(UInt8(truncatingIfNeeded: min(intervalField, 255)))
        case .v3:
            // 4 reserved bits (zero) then the 12-bit Max Adver Int.
            let field = intervalField & 0x0FFF
            out.append(UInt8(field >> 8))
            out.append(UInt8(truncatingIfNeeded: field))
        }
        out.append(0)   // checksum, filled below
        out.append(0)
        for a in addrs { out.append(contentsOf: a.bytes) }
        if version == .v2 { out.append(contentsOf: authentication.wireData) }
        let ck = vrrpChecksum(message: out[...], version: version, source: source, destination: destination)
        out[6] = UInt8(ck >> 8)
        out[7] = UInt8(truncatingIfNeeded: ck)
        return out
    }

    /// An IPv4 datagram (20-byte header, TOS 0xC0 as keepalived sends, TTL 255) carrying this advertisement.
    public func encodeIPv4Datagram(source: IPAddress, destination: IPAddress, ttl: UInt8 = 255) -> [UInt8] {
        let message = encodeMessage(source: source, destination: destination)
        let total = 20 + message.count
        var header: [UInt8] = [
            0x45, 0xC0,
            UInt8(truncatingIfNeeded: total >> 8), UInt8(truncatingIfNeeded: total),
            0, 0, 0, 0,          // identification, flags, fragment offset
            ttl, vrrpIPProtocol,
            0, 0,                // header checksum, filled below
        ]
        header.append(contentsOf: source.bytes.prefix(4))
        header.append(contentsOf: destination.bytes.prefix(4))
        var ck = InternetChecksum()
        ck.add(header)
        let sum = ck.value
        header[10] = UInt8(sum >> 8)
        header[11] = UInt8(truncatingIfNeeded: sum)
        return header + message
    }
}
