// Per-instance receive checks (RFC 3768 §7.1, RFC 5798 §7.1, as keepalived's vrrp_check_packet applies them).

import Vocabulary

/// Things wrong with an accepted advertisement that keepalived logs but does not drop for.
public struct VRRPReceiveWarnings: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    /// Creates a set from its bits.
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// The Count field differs from the number of configured virtual addresses.
    public static let addressCountMismatch = VRRPReceiveWarnings(rawValue: 1 << 0)
    /// Same count, but a configured virtual address is missing from the advertisement.
    public static let addressListMismatch = VRRPReceiveWarnings(rawValue: 1 << 1)
    /// v3 advertisement interval differs from ours (v3 only SHOULD check; the backup learns the master's).
    public static let advertIntervalMismatch = VRRPReceiveWarnings(rawValue: 1 << 2)
}

/// What the receive path should do with one decoded packet.
public enum VRRPReceiveOutcome: Hashable, Sendable {
    /// Give `advertisement` from `source` to the state machine; log `warnings` if not empty.
    case accepted(VRRPAdvertisement, source: IPAddress, warnings: VRRPReceiveWarnings)
    /// A different VRID: not an error for this instance; route it to the instance owning `vrid`, if any.
    case notForMe(vrid: UInt8)
    /// Dropped; count it under `reason`.
    case dropped(VRRPDropReason)
}

/// What an instance accepts: built from its configuration, applied to every packet on its socket.
public struct VRRPReceiveFilter: Hashable, Sendable {
    /// The instance's VRID.
    public var vrid: UInt8
    /// The instance's VRRP version.
    public var version: VRRPVersion
    /// The instance's address family.
    public var family: IPAddressFamily
    /// v2 authentication expected.
    public var authentication: VRRPAuthentication
    /// Our advertisement interval (v2 requires an exact match in seconds).
    public var advertInterval: Duration
    /// Configured virtual addresses (compared, never a reason to drop).
    public var virtualAddresses: [IPAddress]
    /// Unicast peers; empty means the instance uses multicast.
    public var unicastPeers: [IPAddress]
    /// Drop unicast adverts from a source not in `unicastPeers` (keepalived's check_unicast_src; off by default).
    public var checkUnicastSource: Bool

    /// Creates a filter from explicit values.
    public init(vrid: UInt8, version: VRRPVersion, family: IPAddressFamily, authentication: VRRPAuthentication = .none,
                advertInterval: Duration, virtualAddresses: [IPAddress], unicastPeers: [IPAddress] = [],
                checkUnicastSource: Bool = false) {
        self.vrid = vrid
        self.version = version
        self.family = family
        self.authentication = authentication
        self.advertInterval = advertInterval
        self.virtualAddresses = virtualAddresses
        self.unicastPeers = unicastPeers
        self.checkUnicastSource = checkUnicastSource
    }

    /// Decodes an IPv4 datagram and checks it (convenience for the shell's IPv4 read path).
    public func receiveIPv4(datagram: [UInt8]) -> VRRPReceiveOutcome {
        switch VRRPDecoder.decodeIPv4(datagram: datagram) {
        case .failure(let reason): return .dropped(reason)
        case .success(let packet): return check(packet)
        }
    }

    /// Decodes an IPv6 VRRP payload (addresses and hop limit from cmsg) and checks it.
    public func receiveIPv6(payload: [UInt8], source: IPAddress, destination: IPAddress, hopLimit: UInt8?) -> VRRPReceiveOutcome {
        switch VRRPDecoder.decodeIPv6(payload: payload, source: source, destination: destination, hopLimit: hopLimit) {
        case .failure(let reason): return .dropped(reason)
        case .success(let packet): return check(packet)
        }
    }

    /// Applies the instance checks, in keepalived's order, to a decoded packet.
    public func check(_ packet: VRRPReceivedPacket) -> VRRPReceiveOutcome {
        let ad = packet.advertisement
        // keepalived routes by VRID before any per-instance check; an unknown VRID is only "not ours".
        guard ad.vrid == vrid else { return .notForMe(vrid: ad.vrid) }
        guard packet.source.family == family else { return .dropped(.wrongFamily) }
        let unicast = !unicastPeers.isEmpty
        // RFC §7.1: MUST verify TTL/hop limit 255. keepalived skips it for unicast peers (routed paths).
        if !unicast, let hl = packet.hopLimit, hl != 255 { return .dropped(.badTTL) }
        guard ad.version == version else { return .dropped(.versionMismatch) }
        if version == .v2 {
            switch ad.authTypeField {
            case 0, 1: break
            case 2: return .dropped(.authenticationHeaderUnsupported)
            default: return .dropped(.invalidAuthType)
            }
            guard ad.authTypeField == authentication.typeCode else { return .dropped(.authTypeMismatch) }
            if authentication.typeCode == 1 && !sameAuthData(ad.authentication, authentication) {
                return .dropped(.authFailure)
            }
            // RFC 3768 §7.1: MUST drop on an interval mismatch (keepalived: "prevent multiple masters").
            guard ad.intervalField == VRRPAdvertisement.intervalField(for: advertInterval, version: .v2) else {
                return .dropped(.advertIntervalMismatch)
            }
        } else if ad.intervalField == 0 {
            return .dropped(.invalidAdvertInterval)
        }
        if packet.destination.isMulticast == unicast {
            return .dropped(unicast ? .unexpectedMulticast : .unexpectedUnicast)
        }
        if unicast && checkUnicastSource && !unicastPeers.contains(packet.source) { return .dropped(.unknownUnicastSource) }

        var warnings: VRRPReceiveWarnings = []
        if version == .v3 && ad.intervalField != VRRPAdvertisement.intervalField(for: advertInterval, version: .v3) {
            warnings.insert(.advertIntervalMismatch)
        }
        // RFC 3768 §7.1 lets a receiver drop a non-owner's advert whose address list differs; keepalived only
        // logs and counts it (addr_list_err) and processes the advert. We follow keepalived for interop.
        if ad.addresses.count != virtualAddresses.count {
            warnings.insert(.addressCountMismatch)
        } else if !virtualAddresses.allSatisfy({ ad.addresses.contains($0) }) {
            warnings.insert(.addressListMismatch)
        }
        return .accepted(ad, source: packet.source, warnings: warnings)
    }
}

/// Compares the 8 wire bytes without an early exit, so the time taken does not reveal how much of a password matched.
func sameAuthData(_ a: VRRPAuthentication, _ b: VRRPAuthentication) -> Bool {
    var diff: UInt8 = 0
    for i in 0..<8 { diff |= a.wireByte(i) ^ b.wireByte(i) }
    return diff == 0
}
