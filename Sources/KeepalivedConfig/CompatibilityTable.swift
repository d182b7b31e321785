/// The keyword compatibility table (docs/compatibility.md), generated from the reader tables and
/// KeywordClasses so that it cannot drift from what the parser does.
enum CompatibilityTable {
    /// Every keyword of every reader table, by keepalived block, with the consequence when it is read without effect.
    static var tableKeywords: [(block: String, keyword: String, noEffect: String?)] {
        var result: [(block: String, keyword: String, noEffect: String?)] = []
        func add<T>(_ table: KeywordTable<T>, as block: String? = nil) {
            result += table.entries.map { (block ?? table.keepalivedBlock, $0.key, $0.value.noEffect) }
        }
        add(ConfigLoader.topLevelTable)
        result += KeywordClasses.preprocessorKeywords.map { ("top", $0, nil) }
        add(GlobalDefsReader.table)
        add(VRRPReader.scriptTable)
        add(VRRPReader.syncGroupTable)
        add(VRRPReader.authenticationTable)
        add(VRRPReader.instanceTable)
        add(GratuitousKeywords.garpGroupTable)
        add(VirtualServerReader.virtualServerTable)
        add(VirtualServerReader.realServerTable)
        add(VirtualServerReader.tcpCheckTable)
        add(VirtualServerReader.httpCheckTable)
        add(VirtualServerReader.sslCheckTable)
        add(VirtualServerReader.miscCheckTable)
        add(VirtualServerReader.udpCheckTable)
        add(VirtualServerReader.dnsCheckTable)
        add(VirtualServerReader.smtpCheckTable)
        add(VirtualServerReader.pingCheckTable)
        add(VirtualServerReader.smtpHostTable)
        add(TrackFileReader.fileCheckTable)
        add(TrackFileReader.trackFileTable)
        add(TrackFileReader.trackFileTable, as: "vrrp_track_file")
        add(VirtualServerReader.urlTable, as: "virtual_server/real_server/HTTP_GET/url")
        add(VirtualServerReader.urlTable, as: "virtual_server/real_server/SSL_GET/url")
        return result
    }

    /// Keywords a reader table implements with effect, by keepalived block.
    static var implemented: [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for entry in tableKeywords where entry.noEffect == nil { result[entry.block, default: []].insert(entry.keyword) }
        return result
    }

    /// Keywords a reader table reads without effect, with the consequence it warns about.
    static var readWithoutEffect: [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        for entry in tableKeywords { if let note = entry.noEffect { result[entry.block, default: [:]][entry.keyword] = note } }
        return result
    }

    struct Row: Equatable {
        var block: String
        var keyword: String
        var kind: KeywordClass?
        var note: String
    }

    /// One row per keepalived keyword; `kind` is nil for a keyword in no class.
    static func rows(keepalivedKeywords: [(block: String, keyword: String)]) -> [Row] {
        let implemented = implemented, withoutEffect = readWithoutEffect
        return keepalivedKeywords.map { block, keyword in
            if let note = withoutEffect[block]?[keyword] {
                return Row(block: block, keyword: keyword, kind: .warned, note: note)
            }
            if implemented[block]?.contains(keyword) == true {
                return Row(block: block, keyword: keyword, kind: .implemented, note: "")
            }
            let rule = KeywordClasses.rule(block: block, keyword: keyword)
            return Row(block: block, keyword: keyword, kind: rule?.kind, note: rule?.note ?? "")
        }
    }

    /// Reads `block<TAB>keyword` lines (scripts/keepalived-keywords' output).
    static func parseKeywordList(_ text: String) -> [(block: String, keyword: String)] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            return fields.count == 2 ? (String(fields[0]), String(fields[1])) : nil
        }
    }

    static func markdown(_ rows: [Row], version: String) -> String {
        var text = "# keepalived keyword compatibility\n\n"
        text += "Generated from tandem's parser tables by CompatibilityTableTests (`TANDEM_UPDATE_DOCS=1 swift test "
        text += "--filter CompatibilityTableTests` rewrites it); do not edit by hand. The keyword list is keepalived "
        text += "\(version)'s, extracted by `scripts/keepalived-keywords`.\n\n"
        text += "- **implemented**: read with keepalived's meaning.\n"
        text += "- **refused**: an error (file:line:column) at `vrrpd -t` (`ipvsd -t`, `checkd -t`) and at start, because running without "
        text += "it would change which node holds an address or route, where traffic goes, or who can talk to the daemon.\n"
        text += "- **warned**: accepted with a warning that says what differs.\n\n"
        text += "Besides keepalived's keywords tandem reads one block of its own, `tandem_announce` (README, \"More than one "
        text += "pair\"), which keepalived reports as unknown keywords and skips.\n\n"
        text += "| class | keywords |\n|---|---|\n"
        for kind in KeywordClass.allCases {
            text += "| \(kind.rawValue) | \(rows.filter { $0.kind == kind }.count) |\n"
        }
        let unclassified = rows.filter { $0.kind == nil }.count
        if unclassified > 0 { text += "| in no class | \(unclassified) |\n" }
        text += "| total | \(rows.count) |\n\n"
        text += "| block | keyword | class | note |\n|---|---|---|---|\n"
        for row in rows.sorted(by: { ($0.block, $0.keyword) < ($1.block, $1.keyword) }) {
            let note = row.note.split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
            text += "| \(row.block) | `\(row.keyword)` | \(row.kind?.rawValue ?? "NONE") | \(note) |\n"
        }
        return text
    }
}
