import Control
import Testing
@testable import tandemctl

/// tandem_announce addresses in `tandemctl status` (a withdrawn one is a problem, with vrrpd's reason) and in
/// `tandemctl metrics` (tandem_announced, read back by the reference OpenMetrics parser).
@Suite struct AnnouncementStatusTests {
    static let answers: [(name: String, socket: String, answer: StatusReport.Answer)] = {
        var vrrpd = StatusReportTests.vrrpd([])
        vrrpd.announcements = [
            AnnouncementStatus(address: "203.0.113.100", block: "web", table: 200, announced: true, served: true, reason: nil),
            AnnouncementStatus(address: "203.0.113.101", block: "web", table: 200, announced: false, served: true,
                               reason: "TCP 203.0.113.101:80 has lost its quorum"),
        ]
        return [(name: "vrrpd", socket: "/run/tandem/vrrpd.control", answer: .status(vrrpd))]
    }()

    @Test func aWithdrawnAddressIsAProblemAndEachHasALine() {
        let report = StatusReport(runtimeDirectory: "/run/tandem", answers: Self.answers, configModified: { _ in nil })
        #expect(report.problems == ["203.0.113.101 (tandem_announce web) is not announced: TCP 203.0.113.101:80 has lost its quorum"])
        let text = report.text(now: 1_790_000_100)
        #expect(text.contains("Announced addresses:\n  203.0.113.100    announced (table 200)  [web]\n  203.0.113.101    withdrawn: TCP 203.0.113.101:80 has lost its quorum  [web]"), "\(text)")
    }

    @Test(.enabled(if: TandemctlMetricsTests.parserAvailable, "needs Debian's python3-prometheus-client (scripts/install-deps)"))
    func eachAddressIsAGaugeOfOneOrZero() throws {
        let samples = try TandemctlMetricsTests.parse(OpenMetricsText(answers: Self.answers).text)
        let announced = samples.filter { $0.name == "tandem_announced" }
        #expect(announced.map(\.value) == [1, 0], "\(announced)")
        #expect(announced.map { $0.labels } == [["address": "203.0.113.100", "block": "web"], ["address": "203.0.113.101", "block": "web"]])
        #expect(announced.allSatisfy { $0.type == "gauge" })
    }
}
