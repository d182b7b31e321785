// Addresses as IPVS carries them: the family travels with the address as the kernel's AF_ number, and an IPv4
// address sits in a 16-byte `union nf_inet_addr`, so a key can never hold 16 bytes of one family tagged as the other.

import Vocabulary

extension IPAddressFamily {
    /// The kernel's AF_INET (2) or AF_INET6 (10), as IPVS attributes carry it.
    public var kernelNumber: UInt16 { self == .ipv4 ? 2 : 10 }

    /// The family of a kernel AF_ number; nil for any family IPVS does not serve.
    public init?(kernelNumber: UInt16) {
        switch kernelNumber {
        case 2: self = .ipv4
        case 10: self = .ipv6
        default: return nil
        }
    }
}

extension IPAddress {
    /// The 16-byte `union nf_inet_addr` image the kernel uses on the wire (IPv4 first, zero-filled).
    public var inetAddrUnionBytes: [UInt8] {
        let b = bytes
        return b + [UInt8](repeating: 0, count: 16 - b.count)
    }

    /// Builds an address of `family` from the kernel's bytes (IPv4: 4, or 16 of a `union nf_inet_addr`; IPv6: 16).
    public init?(family: IPAddressFamily, bytes: some Collection<UInt8>) {
        switch family {
        case .ipv4:
            guard bytes.count == 4 || bytes.count == 16 else { return nil }
            self.init(bytes: bytes.prefix(4))
        case .ipv6:
            guard bytes.count == 16 else { return nil }
            self.init(bytes: bytes)
        }
    }
}
