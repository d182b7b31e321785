// The VRRP advertisement as a value: what RFC 3768 (v2) and RFC 5798 (v3) put on the wire.

import Vocabulary

/// VRRP protocol version.
public enum VRRPVersion: UInt8, Hashable, Sendable {
    /// RFC 3768: IPv4 only, interval in seconds, optional simple-text authentication.
    case v2 = 2
    /// RFC 5798: IPv4 and IPv6, interval in centiseconds, no authentication.
    case v3 = 3
}

/// The VRRPv2 Auth Type field and its data.
public enum VRRPAuthentication: Hashable, Sendable {
    /// Auth Type 0: no authentication (8 zero bytes of auth data on the wire).
    case none
    /// Auth Type 1: simple text password, zero-padded or cut to 8 bytes.
    case password([UInt8])

    /// Auth Type 1 with a password given as text (UTF-8, cut to 8 bytes as keepalived does).
    public static func password(_ text: String) -> VRRPAuthentication { .password(Array(text.utf8)) }

    /// The Auth Type byte.
    public var typeCode: UInt8 {
        if case .password = self { return 1 }
        return 0
    }

    /// Byte `i` (0...7) of the Authentication Data, without building the array.
    func wireByte(_ i: Int) -> UInt8 {
        guard case .password(let p) = self, i < p.count else { return 0 }
        return p[i]
    }

    /// The 8 bytes of Authentication Data sent on the wire.
    public var wireData: [UInt8] {
        guard case .password(let p) = self else { return [UInt8](repeating: 0, count: 8) }
        let cut = Array(p.prefix(8))
        return cut + [UInt8](repeating: 0, count: 8 - cut.count)
    }
}

/// One VRRP advertisement (type 1), version-neutral.
public struct VRRPAdvertisement: Hashable, Sendable {
    /// Protocol version (2 or 3).
    public var version: VRRPVersion
    /// Virtual router identifier, 1...255 (0 is decoded but never matches an instance).
    public var vrid: UInt8
    /// Sender's priority; 0 means the master is stopping, 255 the address owner.
    public var priority: UInt8
    /// Advertisement interval in the wire's unit: seconds for v2 (8 bits), centiseconds for v3 (12 bits).
    public var intervalField: UInt16
    /// The virtual addresses carried, all of one family.
    public var addresses: [IPAddress]
    /// v2 authentication (always `.none` for v3).
    public var authentication: VRRPAuthentication
    /// The raw v2 Auth Type byte as received (0, 1, 2 or other); equals `authentication.typeCode` when built locally.
    public var authTypeField: UInt8

    /// Creates an advertisement; `interval` is converted to the version's wire unit (truncated, at most 255 s / 4095 cs).
    public init(version: VRRPVersion, vrid: UInt8, priority: UInt8, interval: Duration,
                addresses: [IPAddress], authentication: VRRPAuthentication = .none) {
        self.version = version
        self.vrid = vrid
        self.priority = priority
        self.intervalField = VRRPAdvertisement.intervalField(for: interval, version: version)
        self.addresses = addresses
        self.authentication = version == .v2 ? authentication : .none
        self.authTypeField = self.authentication.typeCode
    }

    /// Creates an advertisement from raw field values (decoder and tests).
    public init(version: VRRPVersion, vrid: UInt8, priority: UInt8, intervalField: UInt16,
                addresses: [IPAddress], authentication: VRRPAuthentication, authTypeField: UInt8) {
        self.version = version
        self.vrid = vrid
        self.priority = priority
        self.intervalField = intervalField
        self.addresses = addresses
        self.authentication = authentication
        self.authTypeField = authTypeField
    }

    /// The advertisement interval as a duration.
    public var interval: Duration {
        version == .v2 ? .seconds(UInt64(intervalField)) : .centiseconds(UInt64(intervalField))
    }

    /// The wire value for an interval: whole seconds (v2, 1...255) or centiseconds (v3, 1...4095).
    public static func intervalField(for interval: Duration, version: VRRPVersion) -> UInt16 {
        switch version {
        case .v2: return UInt16(min(max(interval.wholeSeconds, 0), 255))
        case .v3: return UInt16(min(max(interval.wholeCentiseconds, 0), 0x0FFF))
        }
    }

    /// Length of the VRRP message for `count` addresses of `family` (v2 adds 8 bytes of auth data).
    static func messageLength(version: VRRPVersion, family: IPAddressFamily, count: Int) -> Int {
        8 + count * family.addressLength + (version == .v2 ? 8 : 0)
    }
}
