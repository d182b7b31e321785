// Truncated, oversized and garbage input: always a typed error or a result, never a trap.
import Testing
@testable import IPVS
import Vocabulary
import TestSupport

private let http4 = IPVSServiceKey.address(.tcp, IPAddress("192.0.2.10")!, port: 80)

private func validService() -> [UInt8] {
    kernelServiceMessage(seq: 1, key: http4, scheduler: "rr", flags: 2, timeout: 0, netmaskWire: [255, 255, 255, 255])
}

private func decodeError(_ bytes: [UInt8]) -> IPVSDecodeError? {
    do {
        _ = try IPVSReplyMessage.decode(bytes, familyID: testFamily)
        return nil
    } catch {
        return error
    }
}

/// Sets nlmsg_len of the first message.
private func withLength(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
    var b = bytes
    b.replaceSubrange(0..<4, with: le32(UInt32(length)))
    return b
}

@Test func framingErrors() throws {
    #expect(try IPVSReplyMessage.decode([], familyID: testFamily).isEmpty)
    #expect(decodeError(Array(validService().prefix(10))) == .truncatedHeader)
    #expect(decodeError(withLength(validService(), 8)) == .badMessageLength(8))
    #expect(decodeError(withLength(validService(), validService().count + 4))
            == .badMessageLength(UInt32(validService().count + 4)))
    #expect(decodeError(validService() + [0, 0, 0]) == .truncatedHeader)
    #expect(decodeError(nlmsg(type: 4, flags: 0, seq: 1, [])) == .overrun)
    #expect(decodeError(nlmsg(type: 0x99, flags: 0, seq: 1, genl(1))) == .unexpectedMessageType(0x99))
    #expect(decodeError(nlmsg(type: testFamily, flags: 0, seq: 1, [1, 1])) == .truncatedHeader)
    #expect(decodeError(nlmsg(type: testFamily, flags: 0, seq: 1, genl(16))) == .unexpectedCommand(16))
    #expect(decodeError(nlmsg(type: 2, flags: 0, seq: 1, [0xff])) == .truncatedHeader)
    #expect(decodeError(nlmsg(type: 2, flags: 0, seq: 1, le32(5))) == .badAttributeValue("error.code"))
}

@Test func everyTruncationOfAValidMessageFails() {
    let full = validService()
    for cut in 1..<full.count {
        // As received (length field now lies) and with the length patched to match (attributes cut).
        #expect(decodeError(Array(full.prefix(cut))) != nil, "cut at \(cut)")
        if cut >= 16 {
            #expect(decodeError(withLength(Array(full.prefix(cut)), cut)) != nil, "patched cut at \(cut)")
        }
    }
}

@Test func attributeErrorsAreNamed() {
    func service(_ body: [UInt8]) -> [UInt8] { nlmsg(type: testFamily, flags: 2, seq: 1, genl(1) + nla(1, body)) }
    let common = nla(6, Array("rr".utf8) + [0]) + nla(7, le32(0) + le32(~0)) + nla(8, le32(0)) + nla(9, le32(~0))
    let v4 = nla(1, le16(2)) + nla(2, le16(6)) + nla(3, [192, 0, 2, 10]) + nla(4, be16(80))
    #expect(decodeError(service(v4 + common)) == nil, "a 4-byte IPv4 address is also accepted")
    #expect(decodeError(service(nla(1, le16(2)) + nla(2, le16(6)) + nla(3, [192, 0, 2, 10]) + nla(4, le32(80)) + common))
            == .badAttributeValue("service.port"))
    #expect(decodeError(service(nla(1, le16(7)) + nla(5, le32(1)) + common)) == .badAttributeValue("service.family"))
    #expect(decodeError(service(nla(1, le16(2)) + nla(2, le16(99)) + nla(3, [0, 0, 0, 0]) + nla(4, be16(1)) + common))
            == .badAttributeValue("service.protocol"))
    #expect(decodeError(service(nla(1, le16(10)) + nla(2, le16(6)) + nla(3, [0, 0, 0, 0]) + nla(4, be16(1)) + common))
            == .badAttributeValue("service.address"))
    #expect(decodeError(service(v4)) == .missingAttribute("service.scheduler"))
    #expect(decodeError(service(v4 + nla(6, [0xff, 0xfe, 0]) + common.dropFirst(8)))
            == .badAttributeValue("service.scheduler"))
    #expect(decodeError(nlmsg(type: testFamily, flags: 2, seq: 1, genl(1))) == .missingAttribute("service"))
    // An attribute claiming more than its nest holds, and one shorter than its own header.
    var oversized = service(v4 + common)
    oversized[20] = 0xF0  // the service nest (type 1) claims 240 bytes
    #expect(decodeError(oversized) == .badAttributeLength(type: 1))
    var undersized = service(v4 + common)
    undersized[24] = 2  // its first member (AF, type 1) claims 2 bytes
    #expect(decodeError(undersized) == .badAttributeLength(type: 1))
    // Stray bytes after the last attribute inside a message.
    #expect(decodeError(nlmsg(type: testFamily, flags: 2, seq: 1, genl(1) + nla(1, v4 + common) + [0, 0])) == .trailingBytes)
    // A destination without its family cannot be read safely.
    let dest = nla(1, [198, 51, 100, 1] + [UInt8](repeating: 0, count: 12)) + nla(2, be16(80)) + nla(3, le32(0)) + nla(4, le32(1))
    #expect(decodeError(nlmsg(type: testFamily, flags: 2, seq: 1, genl(5) + nla(2, dest)))
            == .missingAttribute("destination.family"))
    #expect(decodeError(nlmsg(type: testFamily, flags: 2, seq: 1, genl(5) + nla(2, dest + nla(11, le16(2)) + nla(13, [9]))))
            == .badAttributeValue("destination.tunnelType"))
    #expect(decodeError(nlmsg(type: testFamily, flags: 2, seq: 1, genl(5) + nla(2, dest + nla(11, le16(2)) + nla(3, le32(6)))))
            == .badAttributeValue("destination.forwarding"))
}

@Test func randomGarbageAndMutationsNeverTrap() {
    var rng = SplitMix64(seed: 0xBAD_F00D)
    let seeds = [
        validService(),
        kernelDestinationMessage(seq: 1, dest: IPVSDestination(
            key: IPVSDestinationKey(address: IPAddress("2001:db8::1")!, port: 80), forwarding: .masquerade)),
        kernelError(seq: 1, code: -22, extAckMessage: "bad"),
        kernelDone(seq: 1),
    ]
    var decoded = 0, refused = 0
    for round in 0..<20_000 {
        var bytes: [UInt8]
        if round % 4 == 0 {
            bytes = (0..<Int(rng.next() % 96)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if bytes.count >= 6, round % 8 == 0 { bytes.replaceSubrange(0..<6, with: le32(UInt32(bytes.count)) + le16(testFamily)) }
        } else {
            bytes = seeds[Int(rng.next() % UInt64(seeds.count))]
            for _ in 0...(rng.next() % 4) {
                let at = Int(rng.next() % UInt64(bytes.count))
                bytes[at] = UInt8(truncatingIfNeeded: rng.next())
            }
        }
        if (try? IPVSReplyMessage.decode(bytes, familyID: testFamily)) != nil { decoded += 1 } else { refused += 1 }
    }
    // Both outcomes occur: mutations that hit payload values still decode, framing hits are refused.
    #expect(decoded > 0 && refused > 0)
    #expect(decoded + refused == 20_000)
}
