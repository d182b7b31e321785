// Every way a datagram can be refused. The daemons count and drop these; none is fatal.

/// Why a datagram could not be decoded (or a message could not be encoded strictly).
public enum WireError: Error, Hashable, Sendable {
    /// Fewer bytes than the header or a field needs.
    case truncated
    /// More than `WireCodec.maxMessageSize` bytes.
    case oversized(Int)
    /// The first two bytes are not `WireCodec.magic`.
    case badMagic(UInt16)
    /// A version this build does not speak.
    case unsupportedVersion(UInt8)
    /// A message type this build does not know.
    case unknownType(UInt8)
    /// Bytes left over after the payload the header announced, or after the last field.
    case trailingBytes(Int)
    /// A string field that is not valid UTF-8.
    case invalidUTF8
    /// A string field longer than `WireCodec.maxStringLength` bytes.
    case stringTooLong(Int)
    /// A field holding a value its enum (or Bool, or address family) does not define.
    case badEnumValue(field: String, value: UInt8)
}
