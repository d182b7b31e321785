// Builds one netlink message: nlmsghdr, genlmsghdr, then 4-byte-aligned attributes.
// Integers are in host order (netlink's rule) except where the kernel wants network order (ports).

struct MessageWriter {
    private(set) var bytes: [UInt8] = []

    /// Starts a generic-netlink message; `finish()` fills in the length.
    init(type: UInt16, flags: UInt16, sequence: UInt32, portID: UInt32, command: UInt8) {
        bytes.reserveCapacity(128)
        appendHost(UInt32(0))  // nlmsg_len, patched by finish()
        appendHost(type)
        appendHost(flags)
        appendHost(sequence)
        appendHost(portID)
        bytes.append(command)
        bytes.append(IPVSCommandNumber.genlVersion)
        appendHost(UInt16(0))  // reserved
    }

    /// The finished message with nlmsg_len set.
    func finish() -> [UInt8] {
        var out = bytes
        patchHost(UInt32(out.count), at: 0, in: &out)
        return out
    }

    mutating func u8(_ type: UInt16, _ value: UInt8) { attribute(type) { $0.bytes.append(value) } }
    mutating func u16(_ type: UInt16, _ value: UInt16) { attribute(type) { $0.appendHost(value) } }
    mutating func u32(_ type: UInt16, _ value: UInt32) { attribute(type) { $0.appendHost(value) } }
    /// A 16-bit value in network byte order (ports: the kernel reads them with nla_get_be16).
    mutating func be16(_ type: UInt16, _ value: UInt16) { attribute(type) { $0.appendHost(value.bigEndian) } }
    mutating func raw(_ type: UInt16, _ value: [UInt8]) { attribute(type) { $0.bytes.append(contentsOf: value) } }
    /// A NUL-terminated string, as NLA_PUT_STRING writes it.
    mutating func string(_ type: UInt16, _ value: String) {
        attribute(type) { $0.bytes.append(contentsOf: Array(value.utf8) + [0]) }
    }

    /// A nested attribute (NLA_F_NESTED set) whose members `body` writes.
    mutating func nest(_ type: UInt16, _ body: (inout MessageWriter) -> Void) {
        attribute(type | Netlink.attributeNested, body)
    }

    /// Writes header, payload, then pads to 4 bytes; nla_len counts header + payload, not padding.
    private mutating func attribute(_ type: UInt16, _ body: (inout MessageWriter) -> Void) {
        let start = bytes.count
        appendHost(UInt16(0))
        appendHost(type)
        body(&self)
        patchHost(UInt16(truncatingIfNeeded: bytes.count - start), at: start, in: &bytes)
        bytes.append(contentsOf: repeatElement(0, count: Netlink.align4(bytes.count) - bytes.count))
    }

    private mutating func appendHost<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value) { bytes.append(contentsOf: $0) }
    }

    private func patchHost<T: FixedWidthInteger>(_ value: T, at offset: Int, in array: inout [UInt8]) {
        withUnsafeBytes(of: value) { raw in
            for (i, b) in raw.enumerated() { array[offset + i] = b }
        }
    }
}
