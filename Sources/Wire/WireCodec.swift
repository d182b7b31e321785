// Framing of one message in one SOCK_SEQPACKET datagram.
//
//   offset 0  magic   2 bytes  "TD" (0x54 0x44)
//          2  version 1 byte   WireCodec.version
//          3  type    1 byte   WireMessageType
//          4  length  2 bytes  payload length, big-endian
//          6  payload          fields in order, integers big-endian
//
// The payload length is redundant with the datagram length on purpose: a mismatch reveals a
// truncated or padded datagram instead of silently reading garbage.

/// The type byte of each message; also its kind in logs and counts.
public enum WireMessageType: UInt8, Sendable {
    case hello = 1
    case realServerHealth = 2
    case trackScript = 3
    case instanceState = 4
    case snapshotBegin = 5
    case snapshotEnd = 6
    case quorum = 7
}

/// Encodes and decodes `WireMessage` datagrams.
public enum WireCodec {
    /// The two bytes every datagram starts with ("TD").
    public static let magic: UInt16 = 0x5444
    /// The format version this build writes and accepts.
    public static let version: UInt8 = 1
    /// Size of the fixed header in bytes.
    public static let headerSize = 6
    /// The largest datagram sent or accepted, header included.
    public static let maxMessageSize = 4096
    /// The longest string field in UTF-8 bytes (instance and script names).
    public static let maxStringLength = 1024

    /// The datagram for `message`. Strings longer than `maxStringLength` bytes are cut at a
    /// character boundary; use `encodeStrict` to get an error instead.
    public static func encode(_ message: WireMessage) -> [UInt8] {
        var writer = WireWriter()
        let type = writePayload(message, to: &writer)
        return frame(type, writer.bytes)
    }

    /// The datagram for `message`, or `.stringTooLong` when a string does not fit.
    public static func encodeStrict(_ message: WireMessage) throws(WireError) -> [UInt8] {
        switch message {
        case .trackScript(let name, _), .instanceState(let name, _, _), .quorum(let name, _):
            let length = name.utf8.count
            if length > maxStringLength { throw .stringTooLong(length) }
        case .hello, .realServerHealth, .snapshotBegin, .snapshotEnd:
            break
        }
        return encode(message)
    }

    /// The message in `bytes`, one whole datagram; throws on anything not exactly well formed.
    public static func decode(_ bytes: some Collection<UInt8>) throws(WireError) -> WireMessage {
        // Copy at most one byte more than allowed: an oversized input is refused without reading it all.
        let datagram = Array(bytes.prefix(maxMessageSize + 1))
        if datagram.count > maxMessageSize { throw .oversized(bytes.count) }
        var reader = WireReader(datagram)
        let magic = try reader.u16()
        if magic != Self.magic { throw .badMagic(magic) }
        let version = try reader.u8()
        if version != Self.version { throw .unsupportedVersion(version) }
        let typeByte = try reader.u8()
        guard let type = WireMessageType(rawValue: typeByte) else { throw .unknownType(typeByte) }
        let length = Int(try reader.u16())
        if reader.remaining < length { throw .truncated }
        if reader.remaining > length { throw .trailingBytes(reader.remaining - length) }
        let message = try readPayload(type, from: &reader)
        if reader.remaining > 0 { throw .trailingBytes(reader.remaining) }
        return message
    }

    private static func frame(_ type: WireMessageType, _ payload: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(headerSize + payload.count)
        out += [UInt8(magic >> 8), UInt8(magic & 0xff), version, type.rawValue]
        // Every payload is far below 64 KiB: strings are capped at maxStringLength when written.
        out += [UInt8(payload.count >> 8 & 0xff), UInt8(payload.count & 0xff)]
        out += payload
        return out
    }

    private static func writePayload(_ message: WireMessage, to w: inout WireWriter) -> WireMessageType {
        switch message {
        case .hello(let role, let pid):
            w.u8(role.rawValue)
            w.u32(UInt32(bitPattern: pid))
            return .hello
        case .realServerHealth(let health):
            w.realServerID(health.id)
            w.bool(health.up)
            w.u32(UInt32(bitPattern: health.weight))
            return .realServerHealth
        case .trackScript(let name, let ok):
            w.string(name)
            w.bool(ok)
            return .trackScript
        case .instanceState(let name, let state, let priority):
            w.string(name)
            w.u8(state.rawValue)
            w.u8(priority)
            return .instanceState
        case .quorum(let virtualServer, let up):
            w.string(virtualServer)
            w.bool(up)
            return .quorum
        case .snapshotBegin:
            return .snapshotBegin
        case .snapshotEnd:
            return .snapshotEnd
        }
    }

    private static func readPayload(_ type: WireMessageType, from r: inout WireReader) throws(WireError) -> WireMessage {
        switch type {
        case .hello:
            let role = try r.enumValue(DaemonRole.self, field: "role")
            let pid = Int32(bitPattern: try r.u32())
            return .hello(role: role, pid: pid)
        case .realServerHealth:
            let id = try r.realServerID()
            let up = try r.bool(field: "up")
            let weight = Int32(bitPattern: try r.u32())
            return .realServerHealth(RealServerHealth(id: id, up: up, weight: weight))
        case .trackScript:
            let name = try r.string()
            let ok = try r.bool(field: "ok")
            return .trackScript(name: name, ok: ok)
        case .instanceState:
            let name = try r.string()
            let state = try r.enumValue(InstanceStateKind.self, field: "state")
            let priority = try r.u8()
            return .instanceState(name: name, state: state, priority: priority)
        case .quorum:
            let virtualServer = try r.string()
            let up = try r.bool(field: "up")
            return .quorum(virtualServer: virtualServer, up: up)
        case .snapshotBegin:
            return .snapshotBegin
        case .snapshotEnd:
            return .snapshotEnd
        }
    }
}
