import Vocabulary

extension IPAddress {
    /// The VRRP multicast group of a family: 224.0.0.18 or ff02::12 (RFC 5798 §5.1.1.2, §5.1.2.2).
    public static func vrrpGroup(_ family: IPAddressFamily) -> IPAddress {
        family == .ipv4 ? .ipv4(224, 0, 0, 18) : .v6(high: 0xFF02_0000_0000_0000, low: 0x12)
    }
}
