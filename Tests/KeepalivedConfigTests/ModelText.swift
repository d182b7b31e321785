@testable import KeepalivedConfig

/// A model written out without its locations and list of files read: two readings of the same configuration,
/// one through definitions, repetitions or conditions and one written out by hand, must give the same text.
enum ModelText {
    static func of(_ configuration: KeepalivedConfiguration) -> String {
        var text = ""
        write(configuration, indent: 0, to: &text)
        return text
    }

    private static func write(_ value: Any, indent: Int, to text: inout String) {
        let mirror = Mirror(reflecting: value)
        let children = mirror.children.filter { $0.label != "location" && $0.label != "files" }
        if mirror.children.isEmpty {
            text += "\(value)\n"
            return
        }
        if mirror.displayStyle == .optional, let some = mirror.children.first {
            write(some.value, indent: indent, to: &text)
            return
        }
        text += "\(mirror.subjectType)\n"
        var lines = children.map { child -> String in
            var part = String(repeating: " ", count: indent + 2) + (child.label ?? "-") + ": "
            write(child.value, indent: indent + 2, to: &part)
            return part
        }
        // A set or dictionary has no order of its own.
        if mirror.displayStyle == .set || mirror.displayStyle == .dictionary { lines.sort() }
        text += lines.joined()
    }
}
