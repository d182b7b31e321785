import KeepalivedConfig
import Testing
@testable import Health

/// UDP_CHECK's hex strings and reply judgement, as keepalived 2.2.7 reads and judges them.
@Suite struct UDPReplyTests {
    @Test func hexStrings() {
        #expect(UDPCheckHex.parse("deadBEEF", wildcards: false)?.data == [0xde, 0xad, 0xbe, 0xef])
        #expect(UDPCheckHex.parse("de ad\tbe ef", wildcards: false)?.data == [0xde, 0xad, 0xbe, 0xef])
        #expect(UDPCheckHex.parse("1 02 3", wildcards: false)?.data == [0x01, 0x02, 0x03], "a lone digit is an octet")
        #expect(UDPCheckHex.parse("deadbeef", wildcards: false)?.mask == nil)
        #expect(UDPCheckHex.parse("", wildcards: false) == nil)
        #expect(UDPCheckHex.parse("   ", wildcards: false) == nil)
        #expect(UDPCheckHex.parse("zz", wildcards: false) == nil)
        #expect(UDPCheckHex.parse("0x", wildcards: false) == nil, "no wildcards in a payload")
    }

    @Test func wildcardsSetTheMask() {
        let parsed = UDPCheckHex.parse("ABxX x1", wildcards: true)
        #expect(parsed?.data == [0xab, 0x00, 0x01])
        #expect(parsed?.mask == [0x00, 0xff, 0xf0])
    }

    @Test func withoutRequireReplySilenceIsUpAndAnErrorIsDown() {
        let rule = UDPReplyRule()
        #expect(rule.passes(.silence))
        #expect(!rule.passes(.error), "ICMP port unreachable")
        #expect(rule.passes(.reply(Array("anything".utf8))))
    }

    @Test func requireReplyAloneWantsAnyReply() {
        var rule = UDPReplyRule()
        rule.requireReply = true
        #expect(!rule.passes(.silence))
        #expect(rule.passes(.reply([])))
        #expect(rule.passes(.reply([UInt8](repeating: 1, count: 256))), "lengths count only with data to match")
    }

    @Test func requireReplyDataMatchesThePrefix() {
        var rule = UDPReplyRule()
        rule.requireReply = true
        let parsed = UDPCheckHex.parse("50 4f 4e 47 xx", wildcards: true)!
        rule.data = parsed.data
        rule.mask = parsed.mask
        #expect(rule.passes(.reply(Array("PONG!".utf8))))
        #expect(rule.passes(.reply(Array("PONG?extra".utf8))))
        #expect(rule.passes(.reply(Array("PO".utf8))), "keepalived compares the shorter of the two")
        #expect(!rule.passes(.reply(Array("PING!".utf8))), "garbage")
        #expect(!rule.passes(.reply([UInt8](repeating: 0x50, count: 256))), "longer than max_reply_length 255")
        rule.minimumLength = 4
        #expect(!rule.passes(.reply(Array("PO".utf8))))
    }
}
