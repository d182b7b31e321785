import KeepalivedConfig
import Testing
@testable import Health

/// DNS_CHECK's query and judgement, byte for byte as keepalived 2.2.7's check_dns.c makes and reads them.
@Suite struct DNSQueryTests {
    @Test func rootSOAQueryIsKeepalivedsDefault() {
        let query = DNSQuery.encode(id: 0xBEEF, name: DNSCheckSettings.defaultName, type: DNSCheckSettings.defaultType)
        // ID, flags with only RD, QDCOUNT 1, no other records; QNAME root; QTYPE SOA; QCLASS IN.
        #expect(query == [0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 1])
        #expect(DNSQuery.encode(id: 0xBEEF, name: "", type: 6) == query, "keepalived's empty default name is the root too")
    }

    @Test func namesAreLabelsWithOrWithoutTheFinalDot() {
        let expected: [UInt8] = [0, 7, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,
                                 4] + Array("test".utf8) + [7] + Array("example".utf8) + [0, 0, 28, 0, 1]
        #expect(DNSQuery.encode(id: 7, name: "test.example", type: 28) == expected)
        #expect(DNSQuery.encode(id: 7, name: "test.example.", type: 28) == expected)
    }

    @Test func typesAreKeepalivedsTable() {
        #expect(DNSCheckSettings.recordTypes["A"] == 1)
        #expect(DNSCheckSettings.recordTypes["MX"] == 15)
        #expect(DNSCheckSettings.recordTypes["AAAA"] == 28)
        #expect(DNSCheckSettings.recordTypes["DNSKEY"] == 48)
        #expect(DNSCheckSettings.recordTypes.count == 9)
    }

    @Test func emptyLabelsAreRefusedAsKeepalivedDoes() {
        #expect(DNSCheckSettings.isValidName("."))
        #expect(DNSCheckSettings.isValidName("example.org."))
        #expect(!DNSCheckSettings.isValidName(".example.org"))
        #expect(!DNSCheckSettings.isValidName("example..org"))
        #expect(!DNSCheckSettings.isValidName(String(repeating: "a", count: 64) + ".org"), "a label has at most 63 bytes")
    }

    static func answer(id: UInt16, flags: UInt16, extra: Int = 0) -> [UInt8] {
        [UInt8(id >> 8), UInt8(id & 0xff), UInt8(flags >> 8), UInt8(flags & 0xff), 0, 1, 0, 1, 0, 0, 0, 0]
            + [UInt8](repeating: 0xAA, count: extra)
    }

    @Test func aResponseWithTheIDAndRCODEZeroPasses() {
        #expect(DNSQuery.judge(Self.answer(id: 42, flags: 0x8180, extra: 30), id: 42) == .pass)
    }

    @Test func anErrorRCODEFails() {
        #expect(DNSQuery.judge(Self.answer(id: 42, flags: 0x8183), id: 42) == .fail(rcode: 3), "NXDOMAIN")
        #expect(DNSQuery.judge(Self.answer(id: 42, flags: 0x8182), id: 42) == .fail(rcode: 2), "SERVFAIL")
    }

    /// Hostile or stray datagrams: keepalived waits on for the right answer, so the attempt ends at the timeout.
    @Test func strayDatagramsAreIgnored() {
        guard case .ignore = DNSQuery.judge(Self.answer(id: 41, flags: 0x8180), id: 42) else {
            Issue.record("another ID must not pass"); return
        }
        guard case .ignore = DNSQuery.judge(Self.answer(id: 42, flags: 0x0100), id: 42) else {
            Issue.record("a query (QR 0) must not pass"); return
        }
        guard case .ignore = DNSQuery.judge([0, 42, 0x81, 0x80], id: 42) else {
            Issue.record("a datagram shorter than a header must not pass"); return
        }
        guard case .ignore = DNSQuery.judge([UInt8](), id: 42) else {
            Issue.record("an empty datagram must not pass"); return
        }
    }

    @Test func hugeAnswersAreJudgedByTheirHeader() {
        #expect(DNSQuery.judge(Self.answer(id: 9, flags: 0x8580, extra: 65_000), id: 9) == .pass)
    }
}
