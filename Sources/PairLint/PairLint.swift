import KeepalivedConfig

/// Do these nodes' configurations make a working pair (or group)? Each pair of nodes is compared; findings
/// come in the order of the files given, then by line and column.
public enum PairLint {
    public static func lint(_ nodes: [LintNode]) -> [LintFinding] {
        var findings: [LintFinding] = []
        for node in nodes {
            findings += node.warnings.map {
                LintFinding(.warning, .configWarning, subject: node.file, $0.message, at: $0.location, other: nil)
            }
            findings += AnnouncementRules.check(node)
        }
        for (i, a) in nodes.enumerated() {
            for b in nodes[(i + 1)...] {
                findings += lint(a, b)
            }
        }
        // A node's included files sort with it.
        let order = Dictionary(nodes.enumerated().flatMap { index, node in
            ([node.file] + node.configuration.files).map { ($0, index) }
        }, uniquingKeysWith: { x, _ in x })
        var seen: Set<LintFinding> = []
        return findings.filter { seen.insert($0).inserted }.sorted { x, y in
            let fileX = order[x.location.file] ?? Int.max, fileY = order[y.location.file] ?? Int.max
            if fileX != fileY { return fileX < fileY }
            if x.location.file != y.location.file { return x.location.file < y.location.file }
            if x.location.line != y.location.line { return x.location.line < y.location.line }
            if x.location.column != y.location.column { return x.location.column < y.location.column }
            return x.code.rawValue < y.code.rawValue
        }
    }

    /// One pair, `a` first.
    static func lint(_ a: LintNode, _ b: LintNode) -> [LintFinding] {
        var pair = NodePair(a, b)
        let instances = InstanceMatching(a.configuration.vrrpInstances, b.configuration.vrrpInstances)
        InstanceRules.check(&pair, instances)
        ElectionRules.check(&pair, instances)
        UnicastRules.check(&pair, instances)
        SyncGroupRules.check(&pair, instances)
        SyncDaemonRules.check(&pair, instances)
        VirtualServerRules.check(&pair)
        AnnouncementRules.check(&pair)
        return pair.findings
    }
}
