/// Follows a `Transfer-Encoding: chunked` body (RFC 9112 §7.1) as it arrives, without keeping any of it: each
/// chunk's size line (hex digits, optional `;extensions`), its data and CRLF, up to the zero-size chunk, its
/// trailer lines and the blank line that ends the body. A body that breaks the framing is a failed check: a
/// server that cannot frame its answer is not serving (keepalived reads the bytes as they come and would not
/// notice; its digest is over those bytes, and ours stays so).
struct ChunkedBody {
    enum Failure: Error, Equatable {
        case malformed(String)
    }

    private enum State: Equatable {
        /// Reading the hex size; `digits` so far.
        case size(digits: Int)
        /// After the size: extensions up to CR.
        case extensions
        /// Expecting the LF of a size line.
        case sizeLineFeed
        /// Inside a chunk's data.
        case data
        /// Expecting the CR, then the LF, after a chunk's data.
        case dataCarriageReturn
        case dataLineFeed
        /// After the last chunk: a trailer line (`atLineStart`: nothing of it read yet; a blank line ends it all).
        case trailer(atLineStart: Bool)
        case trailerLineFeed(blank: Bool)
        case complete
    }

    /// A size beyond 16 hex digits would overflow: no real body is that large.
    static let maximumSizeDigits = 15

    private var state = State.size(digits: 0)
    private var remaining = 0

    /// True once the blank line after the last chunk has been read.
    var isComplete: Bool { state == .complete }

    /// Takes the next body bytes. Bytes after the end are ignored (a server may close late).
    mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(Failure) {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch state {
            case .size(let digits):
                if let value = Self.hexValue(byte) {
                    guard digits < Self.maximumSizeDigits else { throw .malformed("chunk size too long") }
                    remaining = remaining << 4 | value
                    state = .size(digits: digits + 1)
                } else if digits == 0 {
                    throw .malformed("chunk size expected")
                } else if byte == UInt8(ascii: ";") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                    state = .extensions
                } else if byte == 13 {
                    state = .sizeLineFeed
                } else {
                    throw .malformed("bad byte \(byte) in a chunk size")
                }
            case .extensions:
                if byte == 13 { state = .sizeLineFeed } else if byte == 10 { throw .malformed("bare LF in a chunk size line") }
            case .sizeLineFeed:
                guard byte == 10 else { throw .malformed("chunk size line not ended by CRLF") }
                state = remaining == 0 ? .trailer(atLineStart: true) : .data
            case .data:
                let take = min(remaining, bytes.count - index)
                remaining -= take
                index += take
                if remaining == 0 { state = .dataCarriageReturn }
                continue
            case .dataCarriageReturn:
                guard byte == 13 else { throw .malformed("chunk data longer than its size") }
                state = .dataLineFeed
            case .dataLineFeed:
                guard byte == 10 else { throw .malformed("chunk data not ended by CRLF") }
                state = .size(digits: 0)
            case .trailer(let atLineStart):
                if byte == 13 {
                    state = .trailerLineFeed(blank: atLineStart)
                } else if byte == 10 {
                    throw .malformed("bare LF in the trailer")
                } else {
                    state = .trailer(atLineStart: false)
                }
            case .trailerLineFeed(let blank):
                guard byte == 10 else { throw .malformed("trailer line not ended by CRLF") }
                state = blank ? .complete : .trailer(atLineStart: true)
            case .complete:
                return
            }
            index += 1
        }
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A")) + 10
        default: return nil
        }
    }
}
