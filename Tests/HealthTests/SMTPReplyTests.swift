import KeepalivedConfig
import Testing
@testable import Health

/// SMTP_CHECK's reply reading as keepalived 2.2.7's check_smtp.c does it: the first line only, and its status
/// only when three digits end the line or are followed by a space.
@Suite struct SMTPReplyTests {
    static func read(_ chunks: [String]) -> SMTPReplyReader {
        var reader = SMTPReplyReader()
        for chunk in chunks { reader.feed(Array(chunk.utf8)) }
        return reader
    }

    @Test func bannerAndHeloReplies() {
        #expect(Self.read(["220 mail.example.org ESMTP\r\n"]).status == 220)
        #expect(Self.read(["250 mail.example.org\r\n"]).status == 250)
        #expect(Self.read(["250\n"]).status == 250, "three digits then the end of the line")
    }

    @Test func aLineSplitOverReadsIsJoined() {
        let reader = Self.read(["2", "20 ready", "\r\n"])
        #expect(reader.complete)
        #expect(reader.status == 220)
    }

    @Test func noStatusBeforeTheNewline() {
        let reader = Self.read(["220 still talking"])
        #expect(!reader.complete)
        #expect(reader.status == nil)
    }

    /// keepalived judges only the first line of a multi-line reply, and "250-" has no status there: the check fails.
    @Test func multiLineRepliesHaveNoStatusAsUnderKeepalived() {
        #expect(Self.read(["250-mail.example.org\r\n250 HELP\r\n"]).status == nil)
        #expect(Self.read(["220-greetings\r\n220 ready\r\n"]).status == nil)
    }

    /// keepalived keeps the carriage return in the line, so a bare "220\r\n" has no status.
    @Test func bareCodeWithCarriageReturnHasNoStatus() {
        #expect(Self.read(["220\r\n"]).status == nil)
    }

    @Test func hostileLines() {
        #expect(Self.read(["554 go away\r\n"]).status == 554, "a 5xx is a status, which the check then refuses")
        #expect(Self.read(["garbage\r\n"]).status == nil)
        #expect(Self.read(["2200 ready\r\n"]).status == nil)
        #expect(Self.read(["22 ready\r\n"]).status == nil)
        #expect(Self.read(["\r\n"]).status == nil)
        #expect(Self.read(["220 \u{0} ready\r\n"]).status == nil, "a NUL hides the newline from keepalived")
    }

    @Test func aHugeLineOverflowsAndStartsAgain() {
        var reader = SMTPReplyReader()
        reader.feed([UInt8](repeating: UInt8(ascii: "x"), count: 100_000))
        #expect(!reader.complete)
        #expect(reader.overflows == 100_000 / SMTPReplyReader.bufferLimit)
        reader.feed(Array("\r\n".utf8))
        #expect(reader.status == nil)
    }

    @Test func bytesAfterTheFirstLineAreIgnored() {
        #expect(Self.read(["220 ready\r\n", "554 no\r\n"]).status == 220)
    }

    @Test func commandsAreKeepaliveds() {
        #expect(SMTPReplyReader.helo(SMTPCheckSettings.defaultHeloName) == Array("HELO smtpchecker.keepalived.org\r\n".utf8))
        #expect(SMTPReplyReader.quit == Array("QUIT\r\n".utf8))
    }
}
