// Appends big-endian fields to a payload.

import Vocabulary

struct WireWriter {
    private(set) var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u16(_ value: UInt16) { bytes += [UInt8(value >> 8), UInt8(value & 0xff)] }

    mutating func u32(_ value: UInt32) {
        bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    mutating func bool(_ value: Bool) { u8(value ? 1 : 0) }

    /// Length-prefixed UTF-8, cut at the last whole character within `maxStringLength` bytes.
    mutating func string(_ value: String) {
        var utf8 = Array(value.utf8)
        if utf8.count > WireCodec.maxStringLength {
            var cut = WireCodec.maxStringLength
            // Step back over continuation bytes (10xxxxxx) so no character is split.
            while cut > 0 && utf8[cut] & 0xC0 == 0x80 { cut -= 1 }
            utf8 = Array(utf8[..<cut])
        }
        u16(UInt16(utf8.count))
        bytes += utf8
    }

    mutating func address(_ address: IPAddress) {
        u8(AddressFamilyTag(address.family).rawValue)
        bytes += address.bytes
    }

    mutating func realServerID(_ id: RealServerID) {
        switch id.virtualService {
        case .address(let address, let port, let transport):
            u8(ServiceKindTag(transport).rawValue)
            self.address(address)
            u16(port)
        case .fwmark(let mark):
            u8(ServiceKindTag.fwmark.rawValue)
            u32(mark)
        }
        self.address(id.realAddress)
        u16(id.realPort)
    }
}
