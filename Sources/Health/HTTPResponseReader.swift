/// Reads an HTTP response as it arrives: the status line and headers (bounded), then the body as a stream.
///
/// The backend is untrusted: headers beyond `maximumHeaderBytes` or a malformed status line end the check
/// as a failure instead of growing memory.
struct HTTPResponseReader {
    enum Failure: Error, Equatable {
        case headerTooLarge
        case malformedStatusLine
    }

    let maximumHeaderBytes: Int
    private var header: [UInt8] = []
    /// The status code once the headers are complete.
    private(set) var status: Int?
    /// Content-Length, when the server gave one.
    private(set) var contentLength: Int?
    /// Body bytes seen so far.
    private(set) var bodyBytes = 0

    init(maximumHeaderBytes: Int = 64 * 1024) {
        self.maximumHeaderBytes = maximumHeaderBytes
    }

    var headersComplete: Bool { status != nil }
    /// True when Content-Length says the body is all there.
    var bodyComplete: Bool {
        guard let contentLength else { return false }
        return bodyBytes >= contentLength
    }

    /// Takes the next bytes; calls `body` with the part that belongs to the body.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, body: (UnsafeRawBufferPointer) -> Void) throws(Failure) {
        if status != nil {
            bodyBytes += bytes.count
            body(bytes)
            return
        }
        let before = header.count
        header.append(contentsOf: bytes)
        guard let end = Self.headerEnd(header, from: max(0, before - 3)) else {
            if header.count > maximumHeaderBytes { throw .headerTooLarge }
            return
        }
        if end.headerLength > maximumHeaderBytes { throw .headerTooLarge }
        try parseHeader(header[..<end.headerLength])
        let rest = end.bodyStart - before
        header = []
        let tail = UnsafeRawBufferPointer(rebasing: bytes[rest...])
        bodyBytes += tail.count
        if !tail.isEmpty { body(tail) }
    }

    /// Where the blank line ends the header: CRLFCRLF, or LFLF from sloppy servers.
    private static func headerEnd(_ bytes: [UInt8], from start: Int) -> (headerLength: Int, bodyStart: Int)? {
        var index = start
        while index < bytes.count {
            if bytes[index] == 10 {
                if index + 1 < bytes.count && bytes[index + 1] == 10 { return (index, index + 2) }
                if index + 2 < bytes.count && bytes[index + 1] == 13 && bytes[index + 2] == 10 {
                    return (index, index + 3)
                }
            }
            index += 1
        }
        return nil
    }

    private mutating func parseHeader(_ bytes: ArraySlice<UInt8>) throws(Failure) {
        let lines = bytes.split(separator: 10, omittingEmptySubsequences: false).map { line in
            line.last == 13 ? line.dropLast() : line
        }
        guard let statusLine = lines.first else { throw .malformedStatusLine }
        // "HTTP/1.x NNN reason": the version, then exactly three digits.
        let parts = statusLine.split(separator: 32, maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0].starts(with: Array("HTTP/".utf8)), parts[1].count == 3,
              parts[1].allSatisfy({ (48...57).contains($0) }) else { throw .malformedStatusLine }
        status = parts[1].reduce(0) { $0 * 10 + Int($1 - 48) }
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: 58) else { continue }
            let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
            guard name == "content-length" else { continue }
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces
            if let length = Int(value), length >= 0 { contentLength = length }
        }
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
