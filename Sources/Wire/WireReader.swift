// Reads big-endian fields from a datagram; every read checks the remaining length first,
// so no input can make it index out of bounds.

import Vocabulary

struct WireReader {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    private mutating func take(_ count: Int) throws(WireError) -> ArraySlice<UInt8> {
        guard count >= 0, remaining >= count else { throw .truncated }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func u8() throws(WireError) -> UInt8 {
        try take(1).first ?? 0
    }

    mutating func u16() throws(WireError) -> UInt16 {
        let b = try take(2)
        return b.reduce(0) { $0 << 8 | UInt16($1) }
    }

    mutating func u32() throws(WireError) -> UInt32 {
        let b = try take(4)
        return b.reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func bool(field: String) throws(WireError) -> Bool {
        let value = try u8()
        switch value {
        case 0: return false
        case 1: return true
        default: throw .badEnumValue(field: field, value: value)
        }
    }

    mutating func enumValue<E: RawRepresentable>(_ type: E.Type, field: String) throws(WireError) -> E
    where E.RawValue == UInt8 {
        let value = try u8()
        guard let result = E(rawValue: value) else { throw .badEnumValue(field: field, value: value) }
        return result
    }

    mutating func string() throws(WireError) -> String {
        let length = Int(try u16())
        if length > WireCodec.maxStringLength { throw .stringTooLong(length) }
        let raw = try take(length)
        // String(validating:) refuses ill-formed UTF-8 instead of repairing it.
        guard let text = String(validating: raw, as: UTF8.self) else { throw .invalidUTF8 }
        return text
    }

    mutating func address() throws(WireError) -> IPAddress {
        let family = try enumValue(AddressFamilyTag.self, field: "address family").family
        guard let address = IPAddress(bytes: try take(family.addressLength)) else { throw .truncated }
        return address
    }

    mutating func realServerID() throws(WireError) -> RealServerID {
        let kind = try enumValue(ServiceKindTag.self, field: "protocol")
        let service: VirtualServiceID
        if let transport = kind.transport {
            let address = try address()
            let port = try u16()
            service = .address(address, port: port, transport: transport)
        } else {
            service = .fwmark(try u32())
        }
        let realAddress = try address()
        let realPort = try u16()
        return RealServerID(virtualService: service, realAddress: realAddress, realPort: realPort)
    }
}
