import Testing
@testable import Wire

/// A valid datagram to corrupt: instanceState("VI_1", master, 100).
private let valid = WireCodec.encode(.instanceState(name: "VI_1", state: .master, priority: 100))

/// A datagram with a hand-made header and payload.
private func datagram(type: UInt8, _ payload: [UInt8], version: UInt8 = 1) -> [UInt8] {
    [0x54, 0x44, version, type, UInt8(payload.count >> 8), UInt8(payload.count & 0xff)] + payload
}

@Test func emptyAndShortHeadersAreTruncated() {
    #expect(throws: WireError.truncated) { try WireCodec.decode([UInt8]()) }
    #expect(throws: WireError.truncated) { try WireCodec.decode([0x54, 0x44, 1, 4, 0]) }
}

@Test func everyPrefixOfAValidDatagramIsRefused() {
    for length in 0..<valid.count {
        #expect(throws: WireError.truncated) { try WireCodec.decode(valid[..<length]) }
    }
}

@Test func oversizedDatagramIsRefusedBeforeParsing() {
    let big = valid + [UInt8](repeating: 0, count: WireCodec.maxMessageSize)
    #expect(throws: WireError.oversized(big.count)) { try WireCodec.decode(big) }
}

@Test func badMagic() {
    var bytes = valid
    bytes[0] = 0x00
    #expect(throws: WireError.badMagic(0x0044)) { try WireCodec.decode(bytes) }
}

@Test func unsupportedVersion() {
    var bytes = valid
    bytes[2] = 2
    #expect(throws: WireError.unsupportedVersion(2)) { try WireCodec.decode(bytes) }
    #expect(throws: WireError.unsupportedVersion(0)) { try WireCodec.decode(datagram(type: 5, [], version: 0)) }
}

@Test func unknownType() {
    #expect(throws: WireError.unknownType(0)) { try WireCodec.decode(datagram(type: 0, [])) }
    #expect(throws: WireError.unknownType(99)) { try WireCodec.decode(datagram(type: 99, [])) }
}

@Test func trailingBytesAfterTheAnnouncedPayload() {
    #expect(throws: WireError.trailingBytes(3)) { try WireCodec.decode(valid + [1, 2, 3]) }
}

@Test func trailingBytesInsideTheAnnouncedPayload() {
    // snapshotBegin has no fields, so any payload is left over.
    #expect(throws: WireError.trailingBytes(2)) { try WireCodec.decode(datagram(type: 5, [0, 0])) }
    // hello with one byte more than role + pid.
    #expect(throws: WireError.trailingBytes(1)) { try WireCodec.decode(datagram(type: 1, [1, 0, 0, 0, 1, 9])) }
}

@Test func announcedLengthLongerThanTheDatagram() {
    var bytes = valid
    bytes[5] &+= 1
    #expect(throws: WireError.truncated) { try WireCodec.decode(bytes) }
}

@Test func fieldsShorterThanThePayloadNeeds() {
    // hello needs 5 payload bytes; the header honestly announces 3.
    #expect(throws: WireError.truncated) { try WireCodec.decode(datagram(type: 1, [1, 0, 0])) }
    // A string announcing 10 bytes with 2 present.
    #expect(throws: WireError.truncated) { try WireCodec.decode(datagram(type: 3, [0, 10, 0x41, 0x42])) }
}

@Test func invalidUTF8() {
    #expect(throws: WireError.invalidUTF8) { try WireCodec.decode(datagram(type: 3, [0, 2, 0xC3, 0x28, 1])) }
    // An overlong encoding of "/" is ill-formed too.
    #expect(throws: WireError.invalidUTF8) { try WireCodec.decode(datagram(type: 3, [0, 2, 0xC0, 0xAF, 1])) }
}

@Test func stringLongerThanTheLimit() {
    let length = WireCodec.maxStringLength + 1
    let payload = [UInt8(length >> 8), UInt8(length & 0xff)] + [UInt8](repeating: 0x61, count: length) + [1]
    #expect(throws: WireError.stringTooLong(length)) { try WireCodec.decode(datagram(type: 3, payload)) }
}

@Test func badEnumValues() {
    #expect(throws: WireError.badEnumValue(field: "role", value: 9)) {
        try WireCodec.decode(datagram(type: 1, [9, 0, 0, 0, 1]))
    }
    #expect(throws: WireError.badEnumValue(field: "ok", value: 2)) {
        try WireCodec.decode(datagram(type: 3, [0, 1, 0x41, 2]))
    }
    #expect(throws: WireError.badEnumValue(field: "state", value: 5)) {
        try WireCodec.decode(datagram(type: 4, [0, 1, 0x41, 5, 100]))
    }
    #expect(throws: WireError.badEnumValue(field: "protocol", value: 0)) {
        try WireCodec.decode(datagram(type: 2, [0]))
    }
    // fwmark service, then a real address with family 5.
    #expect(throws: WireError.badEnumValue(field: "address family", value: 5)) {
        try WireCodec.decode(datagram(type: 2, [4, 0, 0, 0, 1, 5, 1, 2, 3, 4, 0, 80, 1, 0, 0, 0, 1]))
    }
    #expect(throws: WireError.badEnumValue(field: "up", value: 7)) {
        try WireCodec.decode(datagram(type: 2, [4, 0, 0, 0, 1, 4, 1, 2, 3, 4, 0, 80, 7, 0, 0, 0, 1]))
    }
}
