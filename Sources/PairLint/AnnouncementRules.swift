import KeepalivedConfig
import Vocabulary

/// Directors behind ECMP routers (tandem_announce): the routers send any flow to any director that announces its
/// address, and move flows between them when one withdraws. Every director must announce the same addresses, and
/// a virtual server on an announced address must pick the same real server for the same flow wherever it lands:
/// a consistent hash (mh, or sh) on identical real-server lists (VirtualServerRules and RealServerRules compare
/// those pairwise).
enum AnnouncementRules {
    /// Schedulers whose choice depends on the flow only, not on what this director has seen before.
    static let consistentSchedulers: Set<String> = ["mh", "sh"]

    /// One node alone: a virtual server on an announced address scheduled by anything else.
    static func check(_ node: LintNode) -> [LintFinding] {
        let configuration = node.configuration
        let announced = Set(configuration.announcements.flatMap(\.addresses))
        guard !announced.isEmpty else { return [] }
        var findings: [LintFinding] = []
        for server in configuration.virtualServers where !consistentSchedulers.contains(server.scheduler) {
            let addresses = server.services(in: configuration).compactMap { service -> IPAddress? in
                if case .address(let ip, _, _) = service.id { ip } else { nil }
            }
            guard let address = addresses.first(where: announced.contains) else { continue }
            findings.append(LintFinding(
                .warning, .ecmpScheduler, subject: server.subject,
                "\(server.subject) is on \(address), which tandem_announce announces, but schedules with lb_algo \(server.scheduler): a flow the routers move to another director (one lost, a route withdrawn) gets that director's own choice of real server and breaks; lb_algo mh (with the same real servers on every director) keeps it",
                at: node.line("lb_algo", "lvs_sched", in: server.location), other: nil))
        }
        return findings
    }

    /// Two nodes: an address one announces and the other does not.
    static func check(_ pair: inout NodePair) {
        let onB = Set(pair.b.configuration.announcements.flatMap(\.addresses))
        let onA = Set(pair.a.configuration.announcements.flatMap(\.addresses))
        guard !onA.isEmpty || !onB.isEmpty else { return }
        for block in pair.a.configuration.announcements {
            for address in block.addresses where !onB.contains(address) {
                pair.report(.warning, .announcementMismatch, "tandem_announce \(block.name)",
                            "\(address) is announced by this node only: all its traffic comes here, and none when this node withdraws it",
                            at: block.location, other: nil)
            }
        }
        for block in pair.b.configuration.announcements {
            for address in block.addresses where !onA.contains(address) {
                pair.reportOnB(.warning, .announcementMismatch, "tandem_announce \(block.name)",
                               "\(address) is announced by this node only: all its traffic comes here, and none when this node withdraws it",
                               at: block.location, other: nil)
            }
        }
    }
}
