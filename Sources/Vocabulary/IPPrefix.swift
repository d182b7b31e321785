/// `ADDR/LEN`: an address and a prefix length of its family (a route's destination, a rule's from/to),
/// the address as written (host bits are kept; the kernel refuses a route whose destination has them).
public struct IPPrefix: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var length: Int

    public init(address: IPAddress, length: Int) {
        self.address = address
        self.length = length
    }

    public var family: IPAddressFamily { address.family }
    public var description: String { "\(address)/\(length)" }
}
