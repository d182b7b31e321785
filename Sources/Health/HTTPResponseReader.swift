/// Reads an HTTP response as it arrives: the status line and headers (bounded), then the body as a stream.
///
/// The backend is untrusted: headers beyond `maximumHeaderBytes` or a malformed status line end the check
/// as a failure instead of growing memory.
struct HTTPResponseReader {
    enum Failure: Error, Equatable, CustomStringConvertible {
        case headerTooLarge
        case malformedStatusLine
        case malformedChunkedBody(String)

        /// As the check's failure reason says it (status and journal): the case names of the first two are
        /// what bench/results and operators have seen.
        var description: String {
            switch self {
            case .headerTooLarge: return "headerTooLarge"
            case .malformedStatusLine: return "malformedStatusLine"
            case .malformedChunkedBody(let why): return "malformed chunked body (\(why))"
            }
        }
    }

    let maximumHeaderBytes: Int
    private var header: [UInt8] = []
    /// The status code once the headers are complete.
    private(set) var status: Int?
    /// Content-Length, when the server gave one.
    private(set) var contentLength: Int?
    /// Body bytes seen so far.
    private(set) var bodyBytes = 0
    /// The body's framing when the server sent it chunked; nil otherwise.
    private var chunkedBody: ChunkedBody?

    init(maximumHeaderBytes: Int = 64 * 1024) {
        self.maximumHeaderBytes = maximumHeaderBytes
    }

    var headersComplete: Bool { status != nil }
    /// Whether the body comes chunked: it must then be read to its last chunk, digest or not.
    var isChunked: Bool { chunkedBody != nil }
    /// True when Content-Length, or the last chunk, says the body is all there.
    var bodyComplete: Bool {
        if let chunkedBody { return chunkedBody.isComplete }
        guard let contentLength else { return false }
        return bodyBytes >= contentLength
    }

    /// Takes the next bytes; calls `body` with the part that belongs to the body.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, body: (UnsafeRawBufferPointer) -> Void) throws(Failure) {
        if status != nil {
            try takeBody(bytes, body)
            return
        }
        if header.isEmpty, let end = Self.headerEnd(bytes, from: 0) {
            // The usual case: the whole header in the first read; parsed where it lies, nothing copied.
            if end.headerLength > maximumHeaderBytes { throw .headerTooLarge }
            try takeHeader(Self.parseHeader(UnsafeRawBufferPointer(rebasing: bytes[..<end.headerLength])))
            try takeBody(UnsafeRawBufferPointer(rebasing: bytes[end.bodyStart...]), body)
            return
        }
        let before = header.count
        header.append(contentsOf: bytes)
        let found = header.withUnsafeBytes { Self.headerEnd($0, from: max(0, before - 3)) }
        guard let end = found else {
            if header.count > maximumHeaderBytes { throw .headerTooLarge }
            return
        }
        if end.headerLength > maximumHeaderBytes { throw .headerTooLarge }
        let whole = header
        header = []
        let parsed = whole.withUnsafeBytes { all -> Result<Header, Failure> in
            do throws(Failure) {
                return .success(try Self.parseHeader(UnsafeRawBufferPointer(rebasing: all[..<end.headerLength])))
            } catch {
                return .failure(error)
            }
        }
        try takeHeader(parsed.get())
        try takeBody(UnsafeRawBufferPointer(rebasing: bytes[(end.bodyStart - before)...]), body)
    }

    private mutating func takeHeader(_ header: Header) {
        status = header.status
        contentLength = header.contentLength
        if header.chunked { chunkedBody = ChunkedBody() }
    }

    /// Body bytes as they came (the digest is over these, as keepalived's), and through the chunk framing.
    private mutating func takeBody(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) throws(Failure) {
        guard !bytes.isEmpty else { return }
        bodyBytes += bytes.count
        body(bytes)
        do throws(ChunkedBody.Failure) {
            try chunkedBody?.feed(bytes)
        } catch {
            if case .malformed(let why) = error { throw .malformedChunkedBody(why) }
        }
    }

    struct Header {
        var status: Int
        var contentLength: Int?
        /// `Transfer-Encoding` ends with `chunked`.
        var chunked: Bool
    }

    /// Where the blank line ends the header: CRLFCRLF, or LFLF from sloppy servers.
    private static func headerEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (headerLength: Int, bodyStart: Int)? {
        var index = start
        let count = bytes.count
        while index < count {
            if bytes[index] == 10 {
                if index + 1 < count && bytes[index + 1] == 10 { return (index, index + 2) }
                if index + 2 < count && bytes[index + 1] == 13 && bytes[index + 2] == 10 {
                    return (index, index + 3)
                }
            }
            index += 1
        }
        return nil
    }

    /// The status line, Content-Length and whether the body is chunked, read in place: no line arrays, no strings.
    private static func parseHeader(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> Header {
        var lineStart = 0
        var first = true
        var status = 0
        var contentLength: Int?
        var chunked = false
        while lineStart <= bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 10 { lineEnd += 1 }
            var end = lineEnd
            if end > lineStart && bytes[end - 1] == 13 { end -= 1 }
            let line = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<end])
            if first {
                status = try statusCode(line)
                first = false
            } else if let length = Self.contentLength(line) {
                contentLength = length
            } else if let coding = Self.headerValue(named: "transfer-encoding", in: line) {
                chunked = Self.endsWithChunked(coding)
            }
            lineStart = lineEnd + 1
        }
        if first { throw .malformedStatusLine }
        return Header(status: status, contentLength: contentLength, chunked: chunked)
    }

    /// "HTTP/1.x NNN reason": the version, then exactly three digits.
    private static func statusCode(_ line: UnsafeRawBufferPointer) throws(Failure) -> Int {
        // Fields separated by runs of spaces; the first starts with HTTP/, the second is the code.
        var index = 0
        while index < line.count && line[index] == 32 { index += 1 }
        guard Self.starts(UnsafeRawBufferPointer(rebasing: line[index...]), with: "HTTP/") else {
            throw .malformedStatusLine
        }
        while index < line.count && line[index] != 32 { index += 1 }
        while index < line.count && line[index] == 32 { index += 1 }
        var digits = 0
        var code = 0
        while index < line.count && line[index] != 32 {
            let byte = line[index]
            guard (48...57).contains(byte) else { throw .malformedStatusLine }
            code = code * 10 + Int(byte - 48)
            digits += 1
            index += 1
        }
        guard digits == 3 else { throw .malformedStatusLine }
        return code
    }

    /// The value of a `Content-Length:` line (any case, spaces or tabs around the value); nil for other lines
    /// or a value that is not a number.
    private static func contentLength(_ line: UnsafeRawBufferPointer) -> Int? {
        guard let valueStart = valueStart(named: "content-length", in: line) else { return nil }
        var index = valueStart
        var end = line.count
        while index < end && (line[index] == 32 || line[index] == 9) { index += 1 }
        while end > index && (line[end - 1] == 32 || line[end - 1] == 9) { end -= 1 }
        guard index < end else { return nil }
        var value = 0
        while index < end {
            let byte = line[index]
            guard (48...57).contains(byte) else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(byte - 48))
            if overflow1 || overflow2 { return nil }
            value = sum
            index += 1
        }
        return value
    }
}

extension HTTPResponseReader {
    /// The value of a header line named `name` (lowercase; matched in any case), spaces and tabs trimmed.
    fileprivate static func headerValue(named name: StaticString, in line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard var start = valueStart(named: name, in: line) else { return nil }
        var end = line.count
        while start < end && (line[start] == 32 || line[start] == 9) { start += 1 }
        while end > start && (line[end - 1] == 32 || line[end - 1] == 9) { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: line[start..<end])
    }

    /// Where the value of a header line named `name` (lowercase ASCII; matched in any case) starts, just after its
    /// colon; nil for a line with another name. A static name: matching allocates nothing, and it runs on every
    /// header line of every answer.
    fileprivate static func valueStart(named name: StaticString, in line: UnsafeRawBufferPointer) -> Int? {
        let count = name.utf8CodeUnitCount
        guard line.count > count, line[count] == 58 else { return nil }  // ':'
        let expected = UnsafeBufferPointer(start: name.utf8Start, count: count)
        for index in 0..<count {
            var byte = line[index]
            if (65...90).contains(byte) { byte += 32 }
            guard byte == expected[index] else { return nil }
        }
        return count + 1
    }

    /// Whether `bytes` begin with `prefix`, exactly (case counts).
    fileprivate static func starts(_ bytes: UnsafeRawBufferPointer, with prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard bytes.count >= count else { return false }
        let expected = UnsafeBufferPointer(start: prefix.utf8Start, count: count)
        for index in 0..<count where bytes[index] != expected[index] { return false }
        return true
    }

    /// RFC 9112 §6.1: chunked, when present, is the last transfer coding ("gzip, chunked").
    fileprivate static func endsWithChunked(_ value: UnsafeRawBufferPointer) -> Bool {
        let last = String(decoding: value, as: UTF8.self).split(separator: ",").last.map { String($0).trimmingSpaces }
        return last?.lowercased() == "chunked"
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
