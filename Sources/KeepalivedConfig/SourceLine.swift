/// A line that keepalived's line reader rewrites (conditional prefix, definition, substitution, ~SEQ): its UTF-8
/// bytes, and for each the place it was written, so a finding about substituted or repeated text still points
/// into the file (at the `$` of a reference, at the line of a multi-line definition, at the text after a ~SEQ).
/// Every byte keepalived's rules look at is ASCII, so the line is worked on as bytes.
struct SourceLine: Sendable {
    /// Where a byte was written: an index into `files`, a line and the column of the scalar it is part of.
    struct Origin: Sendable, Equatable {
        var file: UInt32
        var line: UInt32
        var column: UInt32
    }

    private(set) var bytes: [UInt8]
    private(set) var origins: [Origin]
    /// The files the origins name; almost always one.
    private(set) var files: [String]
    /// Where the line ends: the place of anything found after its last byte.
    private var endOrigin: Origin

    init(_ text: ArraySlice<UInt8>, file: String, line: Int) {
        bytes = Array(text)
        files = [file]
        var origins: [Origin] = []
        origins.reserveCapacity(bytes.count)
        var column: UInt32 = 0
        for byte in bytes {
            if byte & 0xC0 != 0x80 { column += 1 }
            origins.append(Origin(file: 0, line: UInt32(clamping: line), column: column))
        }
        self.origins = origins
        endOrigin = Origin(file: 0, line: UInt32(clamping: line), column: column + 1)
    }

    var count: Int { bytes.count }
    var isEmpty: Bool { bytes.isEmpty }
    var text: String { String(decoding: bytes, as: UTF8.self) }
    subscript(index: Int) -> UInt8 { bytes[index] }

    func origin(at index: Int) -> ConfigLocation { location(index < origins.count ? origins[index] : endOrigin) }
    var end: ConfigLocation { location(endOrigin) }

    private func location(_ origin: Origin) -> ConfigLocation {
        ConfigLocation(file: files[Int(origin.file)], line: Int(origin.line), column: Int(origin.column))
    }

    func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    func hasPrefix(_ prefix: StaticString) -> Bool {
        prefix.withUTF8Buffer { wanted in
            bytes.count >= wanted.count && bytes[..<wanted.count].elementsEqual(wanted)
        }
    }

    func contains(_ byte: UInt8) -> Bool { bytes.contains(byte) }

    func firstIndex(of byte: UInt8, from start: Int) -> Int? {
        guard start < bytes.count else { return nil }
        return bytes[start...].firstIndex(of: byte)
    }

    func slice(_ range: Range<Int>) -> SourceLine {
        var part = self
        part.bytes = Array(bytes[range])
        part.origins = Array(origins[range])
        part.endOrigin = range.upperBound < origins.count ? origins[range.upperBound] : endOrigin
        return part
    }

    mutating func removeSubrange(_ range: Range<Int>) {
        bytes.removeSubrange(range)
        origins.removeSubrange(range)
    }

    mutating func removeFirst(_ count: Int) { removeSubrange(0..<count) }

    /// Puts `replacement` in place of `range`, keeping the replacement's own origins.
    mutating func replaceSubrange(_ range: Range<Int>, with replacement: SourceLine) {
        bytes.replaceSubrange(range, with: replacement.bytes)
        origins.replaceSubrange(range, with: adopting(replacement))
    }

    /// Puts `replacement` in place of `range`, every byte of it placed where `range` starts (the reference it
    /// replaces).
    mutating func replaceSubrange(_ range: Range<Int>, with replacement: [UInt8]) {
        let origin = range.lowerBound < origins.count ? origins[range.lowerBound] : endOrigin
        bytes.replaceSubrange(range, with: replacement)
        origins.replaceSubrange(range, with: repeatElement(origin, count: replacement.count))
    }

    /// `other`'s origins, with its files numbered as in this line.
    private mutating func adopting(_ other: SourceLine) -> [Origin] {
        if other.files == files { return other.origins }
        let numbers = other.files.map { file -> UInt32 in
            if let index = files.firstIndex(of: file) { return UInt32(index) }
            files.append(file)
            return UInt32(files.count - 1)
        }
        return other.origins.map { Origin(file: numbers[Int($0.file)], line: $0.line, column: $0.column) }
    }

    /// The index after the spaces and tabs from `index` on.
    func skippingBlanks(from index: Int) -> Int {
        var index = index
        while index < bytes.count, Self.isBlank(bytes[index]) { index += 1 }
        return index
    }

    /// The index of the first space or tab from `index` on, or the line's end.
    func nextBlank(from index: Int) -> Int {
        var index = index
        while index < bytes.count, !Self.isBlank(bytes[index]) { index += 1 }
        return index
    }

    static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    /// keepalived's comment rules for a line it rewrites: leading blanks go; `#` or `!` outside double quotes
    /// starts a comment (anywhere, not only at a word's start); `\#` and `\!` outside quotes are the characters
    /// themselves; trailing blanks go; a final `\` (which continues a multi-line definition) is kept, moved up
    /// against the text before it. Runs again after every substitution, as keepalived's does.
    mutating func decomment() {
        removeFirst(skippingBlanks(from: 0))
        var quoted = false
        var commentStart: Int?
        var continuation: Origin?
        var index = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                if commentStart == nil { quoted.toggle() }
                index += 1
            case UInt8(ascii: "\\"):
                if index + 1 == bytes.count {
                    continuation = origins[index]
                    removeSubrange(index..<index + 1)
                } else if !quoted, bytes[index + 1] == UInt8(ascii: "#") || bytes[index + 1] == UInt8(ascii: "!") {
                    removeSubrange(index..<index + 1)
                    index += 1
                } else {
                    index += 2
                }
            case UInt8(ascii: "#"), UInt8(ascii: "!"):
                if !quoted, commentStart == nil { commentStart = index }
                index += 1
            default:
                index += 1
            }
        }
        if let commentStart { removeSubrange(commentStart..<bytes.count) }
        var last = bytes.count
        while last > 0, Self.isBlank(bytes[last - 1]) { last -= 1 }
        removeSubrange(last..<bytes.count)
        if let continuation {
            bytes.append(UInt8(ascii: "\\"))
            origins.append(continuation)
        }
    }

    /// Whether the line, as decommented, ends with the `\` of a continued definition.
    var isContinued: Bool { bytes.last == UInt8(ascii: "\\") }
}
