/// The `{ NAME [weight N [reverse|noreverse]] ... }` lists of track_script and track_interface, in a
/// vrrp_instance or a vrrp_sync_group (keepalived's alloc_track_script / alloc_track_if).
enum TrackListReader {
    struct Entry {
        var name: Token
        var weight: Int?
        /// `reverse` (true) or `noreverse` (false) after the weight; nil when neither was written.
        var reverse: Bool?
    }

    /// keepalived reads one entry per line, its weight and `reverse` on that line; several names on one line
    /// (`track_interface { eth1 eth2 }`) are read as several entries. `what` names the list in messages.
    static func read(_ s: Statement, _ what: String, values: inout ValueParser) -> [Entry] {
        var entries: [Entry] = []
        var tokens = ListReader.tokens(of: s)[...]
        while let name = tokens.popFirst() {
            if let option = optionWord(name) {
                values.log.error(name.location, "\(what): '\(option)' needs a name before it (NAME weight N [reverse])")
                if option == "weight", let value = tokens.first, onSameLine(value, name) { tokens.removeFirst() }
                continue
            }
            var entry = Entry(name: name)
            if let keyword = tokens.first, onSameLine(keyword, name), optionWord(keyword) != nil {
                tokens.removeFirst()
                guard keyword.word == "weight" else {
                    values.log.error(keyword.location, "\(what) \(name.word ?? ""): '\(keyword.word ?? "")' needs a weight before it (NAME weight N \(keyword.word ?? ""))")
                    continue
                }
                guard let value = tokens.first, onSameLine(value, keyword) else {
                    values.log.error(keyword.location, "\(what) \(name.word ?? ""): weight needs a number (-253 to 253)")
                    continue
                }
                tokens.removeFirst()
                guard var weight = values.integer(value, "weight of \(name.word ?? "")", in: -254...254) else { continue }
                if abs(weight) == 254 {
                    // keepalived still takes the ±254 it once allowed, as ±253.
                    values.log.warning(value.location, "\(what) \(name.word ?? ""): weight \(weight) is used as \(weight > 0 ? 253 : -253), as keepalived does")
                    weight = weight > 0 ? 253 : -253
                }
                entry.weight = weight
                if let option = tokens.first, onSameLine(option, value), let word = optionWord(option), word != "weight" {
                    tokens.removeFirst()
                    entry.reverse = word == "reverse"
                }
            }
            if let first = entries.first(where: { $0.name.word == name.word }) {
                values.log.warning(name.location, "duplicate \(what) \(name.word ?? "") (first at \(first.name.location)) is ignored, as keepalived does")
                continue
            }
            entries.append(entry)
        }
        return entries
    }

    private static func optionWord(_ token: Token) -> String? {
        guard !token.quoted, let word = token.word, ["weight", "reverse", "noreverse"].contains(word) else { return nil }
        return word
    }

    private static func onSameLine(_ token: Token, _ other: Token) -> Bool {
        token.location.file == other.location.file && token.location.line == other.location.line
    }
}
