// Why a kernel reply could not be decoded. Each case names what was wrong so the caller can count it.

/// A malformed or unexpected netlink reply; the whole receive buffer should be dropped.
public enum IPVSDecodeError: Error, Hashable, Sendable {
    /// Fewer bytes left than a netlink header (16) or a generic-netlink header (4).
    case truncatedHeader
    /// nlmsg_len is smaller than the header or runs past the buffer.
    case badMessageLength(UInt32)
    /// An attribute's nla_len is smaller than its header or runs past its container.
    case badAttributeLength(type: UInt16)
    /// 1 to 3 stray bytes after the last attribute.
    case trailingBytes
    /// A message type that is neither our family nor a netlink control message.
    case unexpectedMessageType(UInt16)
    /// NLMSG_OVERRUN: the kernel dropped data; the dump must be restarted.
    case overrun
    /// A generic-netlink command that is not an IPVS reply.
    case unexpectedCommand(UInt8)
    /// A required attribute is absent (named like "service.schedulerName").
    case missingAttribute(String)
    /// An attribute has the wrong size or a value outside what the kernel can send.
    case badAttributeValue(String)
}
