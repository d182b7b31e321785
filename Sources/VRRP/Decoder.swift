// Structural decoding of received VRRP packets: what can be judged without knowing the receiving instance.

import Vocabulary

/// A structurally valid, checksum-verified advertisement with the network-layer facts the checks need.
public struct VRRPReceivedPacket: Hashable, Sendable {
    public var advertisement: VRRPAdvertisement
    /// IP source address (the sender's primary address).
    public var source: IPAddress
    /// IP destination address (the VRRP group, or us for unicast).
    public var destination: IPAddress
    /// IPv4 TTL or IPv6 hop limit as received; nil when the shell could not learn it (then it is not checked).
    public var hopLimit: UInt8?

    /// Creates a received packet from its parts.
    public init(advertisement: VRRPAdvertisement, source: IPAddress, destination: IPAddress, hopLimit: UInt8?) {
        self.advertisement = advertisement
        self.source = source
        self.destination = destination
        self.hopLimit = hopLimit
    }
}

/// Decoders for what the shell reads from its raw sockets.
public enum VRRPDecoder {
    /// Decodes a whole IPv4 datagram as an IPv4 raw socket delivers it (IP header included).
    public static func decodeIPv4(datagram: [UInt8]) -> Result<VRRPReceivedPacket, VRRPDropReason> {
        var r = ByteReader(datagram)
        guard let verIHL = r.u8(), let _ = r.u8(), let totalLength = r.u16(),
              let _ = r.take(4), let ttl = r.u8(), let proto = r.u8(), let _ = r.u16(),
              let src = r.take(4), let dst = r.take(4)
        else { return .failure(.ipHeaderTruncated) }
        guard verIHL >> 4 == 4 else { return .failure(.notIPv4) }
        let headerLength = Int(verIHL & 0x0F) * 4
        guard headerLength >= 20 else { return .failure(.badIPHeaderLength) }
        // The kernel trims link-layer padding before a raw socket sees the datagram, so Total Length
        // must fit what we got; extra bytes after it are ignored rather than trusted.
        guard Int(totalLength) <= datagram.count else { return .failure(.ipTotalLengthMismatch) }
        guard headerLength <= Int(totalLength) else { return .failure(.badIPHeaderLength) }
        if proto == ahIPProtocol { return .failure(.authenticationHeaderUnsupported) }
        guard proto == vrrpIPProtocol else { return .failure(.notVRRPProtocol) }
        guard let source = IPAddress(bytes: src), let destination = IPAddress(bytes: dst) else {
            return .failure(.ipHeaderTruncated)
        }
        return decodeMessage(datagram, start: headerLength, end: Int(totalLength), family: .ipv4,
                             source: source, destination: destination)
            .map { VRRPReceivedPacket(advertisement: $0, source: source, destination: destination, hopLimit: ttl) }
    }

    /// Decodes a VRRP message from an IPv6 raw socket; the caller supplies addresses and hop limit from cmsg.
    public static func decodeIPv6(payload: [UInt8], source: IPAddress, destination: IPAddress,
                                  hopLimit: UInt8?) -> Result<VRRPReceivedPacket, VRRPDropReason> {
        guard source.family == .ipv6, destination.family == .ipv6 else { return .failure(.wrongFamily) }
        return decodeMessage(payload, start: 0, end: payload.count, family: .ipv6, source: source, destination: destination)
            .map { VRRPReceivedPacket(advertisement: $0, source: source, destination: destination, hopLimit: hopLimit) }
    }

    /// Decodes and verifies a VRRP message occupying `bytes[start..<end]`.
    static func decodeMessage(_ bytes: [UInt8], start: Int, end: Int, family: IPAddressFamily,
                              source: IPAddress, destination: IPAddress) -> Result<VRRPAdvertisement, VRRPDropReason> {
        var r = ByteReader(bytes, start: start, end: end)
        let length = r.remaining
        guard let verType = r.u8(), let vrid = r.u8(), let priority = r.u8(), let count = r.u8(),
              let f4 = r.u8(), let f5 = r.u8(), let _ = r.u16()
        else { return .failure(.vrrpHeaderTruncated) }
        let version: VRRPVersion
        switch verType >> 4 {
        case 2: version = .v2
        case 3: version = .v3
        default: return .failure(.unsupportedVersion)
        }
        if version == .v2 && family == .ipv6 { return .failure(.v2OverIPv6) }
        guard verType & 0x0F == 1 else { return .failure(.notAdvertisement) }
        let expected = VRRPAdvertisement.messageLength(version: version, family: family, count: Int(count))
        guard length >= expected else { return .failure(.addressCountPastEnd) }
        guard length == expected else { return .failure(.trailingBytes) }
        let messageStart = end - length
        let ck = vrrpChecksum(message: bytes[messageStart..<end], version: version, source: source, destination: destination)
        guard ck == 0 else { return .failure(.badChecksum) }

        var addresses: [IPAddress] = []
        addresses.reserveCapacity(Int(count))
        for _ in 0..<Int(count) {
            guard let raw = r.take(family.addressLength), let a = IPAddress(bytes: raw) else {
                return .failure(.addressCountPastEnd)
            }
            addresses.append(a)
        }
        var auth = VRRPAuthentication.none
        var authType: UInt8 = 0
        let interval: UInt16
        switch version {
        case .v2:
            authType = f4
            interval = UInt16(f5)
            guard let data = r.take(8) else { return .failure(.addressCountPastEnd) }
            if authType == 1 {
                // Trailing zero padding is not part of the password (keepalived pads the same way).
                var pw = Array(data)
                while pw.last == 0 { pw.removeLast() }
                auth = .password(pw)
            }
        case .v3:
            // The top 4 bits are reserved: ignored on receipt (RFC 5798 §5.2.5).
            interval = (UInt16(f4) << 8 | UInt16(f5)) & 0x0FFF
        }
        return .success(VRRPAdvertisement(version: version, vrid: vrid, priority: priority, intervalField: interval,
                                          addresses: addresses, authentication: auth, authTypeField: authType))
    }
}
