/// SMTP_CHECK's reading of the server's replies, as keepalived 2.2.7 (check_smtp.c) does it: it reads until the
/// first newline, keeps only that line, and its status is the line's first three characters when they are digits
/// followed by the end of the line or a space. So "250-first line" of a multi-line reply and a bare "250\r" have
/// no status (the check fails), as under keepalived. Pure; NetworkProbe holds the conversation on a socket.
public struct SMTPReplyReader: Sendable {
    /// keepalived's buffer: a line longer than this is dropped and reading starts again from empty.
    public static let bufferLimit = 511
    private var line: [UInt8] = []
    public private(set) var complete = false
    /// How many times a line overflowed the buffer and was dropped.
    public private(set) var overflows = 0

    public init() {}

    /// Feeds the bytes of one read; after the first newline, further bytes are ignored (keepalived discards the
    /// rest of the read and reads the next reply into an empty buffer).
    public mutating func feed(_ bytes: some Sequence<UInt8>) {
        for byte in bytes where !complete {
            if byte == UInt8(ascii: "\n") {
                complete = true
                return
            }
            if line.count >= Self.bufferLimit {
                line.removeAll(keepingCapacity: true)
                overflows += 1
            }
            line.append(byte)
        }
    }

    /// The status of the line read, or nil when there is none yet or the line has no status.
    public var status: Int? {
        guard complete else { return nil }
        return Self.status(of: line)
    }

    /// Three digits, then the end of the line or a space.
    public static func status(of line: some Collection<UInt8>) -> Int? {
        // keepalived looks for the newline with strchr, which stops at a NUL: such a line never ends there
        // (the check times out), so it has no status here either.
        guard !line.contains(0) else { return nil }
        let bytes = Array(line.prefix(4))
        guard bytes.count >= 3, bytes[0..<3].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        if bytes.count == 4 && bytes[3] != UInt8(ascii: " ") { return nil }
        return bytes[0..<3].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    /// What keepalived sends after the banner.
    public static func helo(_ name: String) -> [UInt8] { Array("HELO \(name)\r\n".utf8) }
    public static let quit = Array("QUIT\r\n".utf8)
}

/// SMTP_CHECK's conversation, step by step as keepalived 2.2.7's smtp_engine_thread runs it: the banner must be
/// 220, the answer to HELO 250, and whatever answers QUIT ends the check as a pass. Pure; the socket is
/// NetworkProbe's.
public struct SMTPConversation: Sendable {
    public enum Step: Sendable { case banner, heloReply, quitReply, done }
    public enum Action: Equatable, Sendable {
        /// Send these bytes, then read the next line.
        case send([UInt8])
        case pass
        case fail(String)
    }

    public private(set) var step = Step.banner
    private let helo: [UInt8]

    public init(helo: [UInt8]) { self.helo = helo }

    /// The next move after a whole line was read; `status` is `SMTPReplyReader.status`.
    public mutating func lineRead(status: Int?) -> Action {
        let shown = status.map(String.init) ?? "no status"
        switch step {
        case .banner:
            guard status == 220 else {
                step = .done
                return .fail("bad greeting banner (\(shown), not 220)")
            }
            step = .heloReply
            return .send(helo)
        case .heloReply:
            guard status == 250 else {
                step = .done
                return .fail("bad HELO response (\(shown), not 250)")
            }
            step = .quitReply
            return .send(SMTPReplyReader.quit)
        case .quitReply, .done:
            step = .done
            return .pass
        }
    }
}
