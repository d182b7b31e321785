import Foundation

/// Every `--json` answer of tandemctl: one object on standard output, pretty-printed with sorted keys (so it
/// diffs and greps well), slashes unescaped (paths), ending with a newline.
func writeJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    FileHandle.standardOutput.write(try encoder.encode(value) + Data("\n".utf8))
}
