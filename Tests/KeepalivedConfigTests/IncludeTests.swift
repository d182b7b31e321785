import Vocabulary
import Testing
@testable import KeepalivedConfig
import TestSupport

@Suite struct IncludeTests {
    @Test func globsAreSortedAndRelativeToTheIncludingFile() throws {
        let files = [
            "/etc/k/keepalived.conf": "global_defs {\n router_id a\n}\ninclude conf.d/*.conf\n",
            "/etc/k/conf.d/20-b.conf": "vrrp_script b {\n script /bin/true\n}\n",
            "/etc/k/conf.d/10-a.conf": "vrrp_script a {\n script /bin/true\n}\n",
        ]
        let result = ConfigLoader.load(path: "/etc/k/keepalived.conf", source: InMemoryConfigSource(files))
        let config = try #require(result.configuration, "\(result.printed)")
        #expect(config.vrrpScripts.map(\.name) == ["a", "b"])
        #expect(config.files == ["/etc/k/keepalived.conf", "/etc/k/conf.d/10-a.conf", "/etc/k/conf.d/20-b.conf"])
    }

    @Test func diagnosticsNameTheIncludedFile() {
        let files = ["/k/main.conf": "include /k/bad.conf\n", "/k/bad.conf": "\nvrrp_instance X {\n    priority 300\n"]
        let result = ConfigLoader.load(path: "/k/main.conf", source: InMemoryConfigSource(files))
        #expect(result.printed.contains("/k/bad.conf:3:14: error: priority 300 is outside 1–255"), "\(result.printed)")
        #expect(result.printed.contains("/k/bad.conf:2:17: error: unbalanced brace: the block opened here is never closed"))
    }

    @Test func missingFileIsAnErrorButAnEmptyGlobOnlyAWarning() {
        let files = ["/k/main.conf": "include /k/missing.conf\ninclude /k/conf.d/*.conf\n"]
        let result = ConfigLoader.load(path: "/k/main.conf", source: InMemoryConfigSource(files))
        #expect(result.has(.error, at: 1, 9, containing: "cannot open /k/missing.conf"), "\(result.printed)")
        #expect(result.has(.warning, at: 2, 9, containing: "matches no file"))
    }

    @Test func aFileThatIncludesItselfIsRefused() {
        let files = ["/k/a.conf": "include b.conf\n", "/k/b.conf": "include a.conf\n"]
        let result = ConfigLoader.load(path: "/k/a.conf", source: InMemoryConfigSource(files))
        #expect(result.errors.contains { $0.message.contains("includes itself") }, "\(result.printed)")
    }

    /// The stream is spliced one token at a time: an include inside a block, several files from one line, and the
    /// text after the include line must all land where a whole-file splice would put them.
    @Test func includesInsideABlockSpliceInPlace() throws {
        let files = [
            "/k/main.conf": "virtual_server 192.0.2.1 80 {\n  include rs/*.conf extra.conf\n  lb_algo rr\n}\nvirtual_server 192.0.2.2 80\n{\n}\n",
            "/k/rs/1.conf": "real_server 198.51.100.1 80 {\n weight 3\n notify_up \"/bin/up 1\"\n}",
            "/k/rs/2.conf": "real_server 198.51.100.2 80 {\n}\n",
            "/k/extra.conf": "delay_loop 7\n",
        ]
        let result = ConfigLoader.load(path: "/k/main.conf", source: InMemoryConfigSource(files))
        let config = try #require(result.configuration, "\(result.printed)")
        #expect(config.virtualServers.count == 2)
        let first = config.virtualServers[0]
        #expect(first.realServers.map(\.weight) == [3, 1])
        #expect(first.realServers[0].notifyUp?.arguments == ["/bin/up", "1"])
        #expect(first.realServers[0].notifyDown == nil && first.realServers[1].notifyUp == nil)
        #expect(first.timing.delayLoop == .seconds(7) && first.scheduler == "rr")
        #expect(config.files == ["/k/main.conf", "/k/rs/1.conf", "/k/rs/2.conf", "/k/extra.conf"])
    }

    @Test func checkTimingKeepsWhatWasSetAndOnlyThat() {
        var timing = CheckTiming()
        #expect(timing.delayLoop == nil && timing.retry == nil && timing.warmup == nil)
        timing.delayLoop = .milliseconds(1500)
        timing.retry = 0
        timing.connectTimeout = .seconds(86_400 * 365)
        #expect(timing.delayLoop == .milliseconds(1500) && timing.retry == 0)
        #expect(timing.connectTimeout == .seconds(86_400 * 365) && timing.delayBeforeRetry == nil)
        timing.retry = nil
        #expect(timing.retry == nil && timing == CheckTiming().over(timing))
    }

    @Test func aMissingMainFileIsAnError() {
        let result = ConfigLoader.load(path: "/nonexistent/keepalived.conf")
        #expect(result.configuration == nil)
        #expect(result.errors.first?.message.contains("No such file") == true)
    }
}

/// Random input of every shape must give diagnostics, never a crash. The libFuzzer target
/// (Tests/Fuzz/config-parse.swift) goes much further; this keeps a quick guard in every test run.
@Suite struct RobustnessTests {
    @Test func randomTokenSoupNeverCrashes() {
        let vocabulary = ["{", "}", "\n", "\"", "#", "!", "vrrp_instance", "virtual_server", "real_server", "TCP_CHECK",
                          "HTTP_GET", "url", "include", "*", "192.0.2.1", "80", "-1", "0.5", "fwmark", "group",
                          "virtual_ipaddress", "dev", "label", "weight", "track_script", "authentication", "auth_pass",
                          "9999999999999999999999", "::1", "/", "256", "x", " ", "\t", "é", "global_defs", "status_code",
                          "200-", "-", "virtual_server_group", "1-", "..", "persistence_timeout"]
        var random = SplitMix64(seed: 2026)
        for _ in 0..<2000 {
            let count = Int.random(in: 0..<60, using: &random)
            let text = (0..<count).map { _ in vocabulary.randomElement(using: &random)! }.joined(separator: " ")
            let result = Fixtures.parse(text)
            #expect(result.configuration != nil || !result.errors.isEmpty)
        }
    }
}
