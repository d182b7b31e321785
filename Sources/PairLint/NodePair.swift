import KeepalivedConfig

/// Two nodes compared: `a` is the one named first, so a finding's own location is on `a` unless only `b` has
/// the thing it is about.
struct NodePair {
    let a: LintNode
    let b: LintNode
    private(set) var findings: [LintFinding] = []

    init(_ a: LintNode, _ b: LintNode) {
        self.a = a
        self.b = b
    }

    /// A finding on `a`'s side, its counterpart on `b` at `other` (nil: `b` has none).
    mutating func report(_ severity: DiagnosticSeverity, _ code: LintCode, _ subject: String, _ message: String,
                         at location: ConfigLocation, other: ConfigLocation?) {
        findings.append(LintFinding(severity, code, subject: subject, message, at: location,
                                    other: .init(file: b.file, location: other)))
    }

    /// A finding on `b`'s side, its counterpart on `a`.
    mutating func reportOnB(_ severity: DiagnosticSeverity, _ code: LintCode, _ subject: String, _ message: String,
                            at location: ConfigLocation, other: ConfigLocation?) {
        findings.append(LintFinding(severity, code, subject: subject, message, at: location,
                                    other: .init(file: a.file, location: other)))
    }

    /// The same comparison seen from the other node: rules that look at one side's items run twice this way.
    var swapped: NodePair { NodePair(b, a) }

    mutating func take(_ other: NodePair) { findings += other.findings }
}

extension LintNode {
    /// Where the last of `keywords` is written directly in the block at `block`, else the block itself (the
    /// value is then the default, and the block is where to add it).
    func line(_ keywords: String..., in block: ConfigLocation) -> ConfigLocation {
        for keyword in keywords {
            if let location = statements.location(of: keyword, inBlockAt: block) { return location }
        }
        return block
    }

    func statement(_ keyword: String, in block: ConfigLocation) -> Statement? {
        statements.statement(keyword, inBlockAt: block)
    }

    /// A keyword of global_defs, if written.
    func globalLine(_ keyword: String) -> ConfigLocation? {
        statements.topLevel("global_defs")?.child(keyword)?.location
    }
}
