// Reads a run of netlink attributes into slots by type, with bounds checked before every access.
// Like the kernel's nla_parse: unknown types are skipped, the last of a repeated type wins.

struct Attributes {
    let bytes: [UInt8]
    private var slots: [Range<Int>?]

    /// Parses the attributes in `range` of `bytes`, keeping types 1...max.
    init(_ bytes: [UInt8], in range: Range<Int>, max: UInt16) throws(IPVSDecodeError) {
        self.bytes = bytes
        slots = Array(repeating: nil, count: Int(max) + 1)
        var offset = range.lowerBound
        while range.upperBound - offset >= Netlink.attributeHeaderSize {
            let length = Int(Attributes.hostU16(bytes, at: offset))
            let type = Attributes.hostU16(bytes, at: offset + 2) & Netlink.attributeTypeMask
            guard length >= Netlink.attributeHeaderSize, length <= range.upperBound - offset else {
                throw .badAttributeLength(type: type)
            }
            if type != 0, type <= max {
                slots[Int(type)] = (offset + Netlink.attributeHeaderSize)..<(offset + length)
            }
            // The last attribute's padding may be cut off by its container; that is allowed.
            offset = Swift.min(offset + Netlink.align4(length), range.upperBound)
        }
        guard offset == range.upperBound else { throw .trailingBytes }
    }

    /// The payload range of attribute `type`, if present.
    subscript(type: UInt16) -> Range<Int>? {
        Int(type) < slots.count ? slots[Int(type)] : nil
    }

    func u8(_ type: UInt16, _ name: String) throws(IPVSDecodeError) -> UInt8? {
        guard let r = try sized(type, 1, name) else { return nil }
        return bytes[r.lowerBound]
    }

    func u16(_ type: UInt16, _ name: String) throws(IPVSDecodeError) -> UInt16? {
        guard let r = try sized(type, 2, name) else { return nil }
        return Attributes.hostU16(bytes, at: r.lowerBound)
    }

    /// A 16-bit value sent in network byte order (ports).
    func be16(_ type: UInt16, _ name: String) throws(IPVSDecodeError) -> UInt16? {
        guard let v = try u16(type, name) else { return nil }
        return UInt16(bigEndian: v)
    }

    func u32(_ type: UInt16, _ name: String) throws(IPVSDecodeError) -> UInt32? {
        guard let r = try sized(type, 4, name) else { return nil }
        return Attributes.load(bytes, at: r.lowerBound, as: UInt32.self)
    }

    /// A counter the kernel sends as u32 (old STATS) or u64 (STATS64, byte counts).
    func counter(_ type: UInt16, _ name: String) throws(IPVSDecodeError) -> UInt64? {
        guard let r = self[type] else { return nil }
        switch r.count {
        case 4: return UInt64(Attributes.load(bytes, at: r.lowerBound, as: UInt32.self))
        case 8: return Attributes.load(bytes, at: r.lowerBound, as: UInt64.self)
        default: throw .badAttributeValue(name)
        }
    }

    /// A string up to its first NUL (or the payload's end), which must be UTF-8.
    func string(_ type: UInt16, _ name: String) throws(IPVSDecodeError) -> String? {
        guard let r = self[type] else { return nil }
        let slice = bytes[r]
        let text = slice.firstIndex(of: 0).map { slice[slice.startIndex..<$0] } ?? slice
        guard let s = String(validating: text, as: UTF8.self) else { throw .badAttributeValue(name) }
        return s
    }

    /// The raw payload bytes.
    func raw(_ type: UInt16) -> ArraySlice<UInt8>? {
        self[type].map { bytes[$0] }
    }

    /// The attributes nested in attribute `type`.
    func nested(_ type: UInt16, max: UInt16) throws(IPVSDecodeError) -> Attributes? {
        guard let r = self[type] else { return nil }
        return try Attributes(bytes, in: r, max: max)
    }

    private func sized(_ type: UInt16, _ size: Int, _ name: String) throws(IPVSDecodeError) -> Range<Int>? {
        guard let r = self[type] else { return nil }
        guard r.count == size else { throw .badAttributeValue(name) }
        return r
    }

    // Callers check `offset + size <= bytes.count` first; these never read out of bounds.
    static func load<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int, as: T.Type) -> T {
        bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
    }

    static func hostU16(_ bytes: [UInt8], at offset: Int) -> UInt16 { load(bytes, at: offset, as: UInt16.self) }
    static func hostU32(_ bytes: [UInt8], at offset: Int) -> UInt32 { load(bytes, at: offset, as: UInt32.self) }
}

/// Unwraps a required attribute or fails with its name.
func required<T>(_ value: T?, _ name: String) throws(IPVSDecodeError) -> T {
    guard let value else { throw .missingAttribute(name) }
    return value
}
