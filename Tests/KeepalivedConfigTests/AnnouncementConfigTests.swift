import Foundation
import Testing
import Vocabulary
@testable import KeepalivedConfig

/// `tandem_announce`, tandem's extension for directors behind ECMP routers: what it reads, what it refuses, and
/// that keepalived, reading the same file, only warns about it and reads everything else as without it.
@Suite struct AnnouncementConfigTests {
    static let instance = """
    vrrp_script chk_uplink {
        script "/bin/true"
    }
    vrrp_instance VI_1 {
        state BACKUP
        interface eth0
        virtual_router_id 51
        priority 100
        virtual_ipaddress {
            192.0.2.100
        }
    }

    """

    static let block = """
    tandem_announce web {
        address 203.0.113.10 203.0.113.11
        address 2001:db8::10
        track_script {
            chk_uplink
        }
        track_interface {
            eth0
        }
        table 201
        withdraw_delay 2.5
    }

    """

    @Test func aBlockGivesItsAddressesAndWhatTheyTrack() throws {
        let result = Fixtures.parse(Self.instance + Self.block + "tandem_announce dns {\n    address 203.0.113.53\n}\n")
        let configuration = try #require(result.configuration, "\(result.printed)")
        #expect(result.diagnostics.isEmpty, "\(result.printed)")
        let web = try #require(configuration.announcements.first)
        #expect(web.name == "web")
        #expect(web.addresses.map(\.description) == ["203.0.113.10", "203.0.113.11", "2001:db8::10"])
        #expect(web.trackScripts == ["chk_uplink"] && web.trackInterfaces == ["eth0"])
        #expect(web.table == 201 && web.withdrawDelay == .milliseconds(2500))
        let dns = configuration.announcements[1]
        #expect(dns.table == HealthAnnouncement.defaultTable && dns.withdrawDelay == HealthAnnouncement.defaultWithdrawDelay)
        #expect(dns.trackScripts.isEmpty && dns.trackInterfaces.isEmpty)
    }

    /// Each refusal names its line: what would otherwise announce an address nothing checks, or fight VRRP for it.
    @Test(arguments: [
        ("tandem_announce a {\n    table 201\n}\n", "needs at least one address"),
        ("tandem_announce a {\n    address 203.0.113.1\n    table 254\n}\n", "table"),
        ("tandem_announce a {\n    address 203.0.113.1\n    track_script {\n        chk_uplink weight 10\n    }\n}\n", "takes no weight here"),
        ("tandem_announce a {\n    address 203.0.113.1\n    track_script {\n        chk_missing\n    }\n}\n", "vrrp_script chk_missing, which is not defined"),
        ("tandem_announce a {\n    address 192.0.2.100\n}\n", "also an address of VI_1"),
        ("tandem_announce a {\n    address 203.0.113.1\n}\ntandem_announce b {\n    address 203.0.113.1\n}\n", "already announced by tandem_announce a"),
        ("tandem_announce a {\n    address 203.0.113.1\n}\ntandem_announce a {\n    address 203.0.113.2\n}\n", "defined twice"),
        ("tandem_announce a {\n    address 203.0.113.1\n    withdraw_delay 61\n}\n", "withdraw_delay"),
        ("tandem_announce a {\n    address not-an-address\n}\n", "address"),
    ])
    func aBadBlockIsRefusedWithItsLine(_ text: String, _ expected: String) throws {
        let result = Fixtures.parse(Self.instance + text)
        #expect(result.configuration == nil, "\(result.printed)")
        let error = try #require(result.errors.first { $0.message.contains(expected) }, "\(result.printed)")
        #expect(error.location.line > Self.instance.split(separator: "\n", omittingEmptySubsequences: false).count - 1)
    }

    /// keepalived has no tandem_announce: it reports each of the block's lines as an unknown keyword and goes on,
    /// reading the rest of the file as if the block were not there (its VRRP dump is the same either way).
    @Test func keepalivedOnlyWarnsAndReadsTheRestAsWithoutTheBlock() throws {
        guard let output = try Keepalived.configTest(Self.instance + Self.block, for: "AnnouncementConfigTests") else { return }
        #expect(output.contains("Unknown keyword 'tandem_announce'"), "\(output)")
        let unknown = output.split(separator: "\n").filter { $0.contains("Unknown keyword") }
        let other = output.split(separator: "\n").filter { $0.contains("rror") || $0.contains("WARNING") }
            .filter { !$0.contains("Unknown keyword") }
        #expect(unknown.count >= 5, "\(output)")
        #expect(other.isEmpty, "keepalived said more than 'Unknown keyword': \(output)")
        if let reason = Keepalived.unavailable {
            print("skipped the dump comparison: \(reason)")
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-announce-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let with = directory.appendingPathComponent("with.conf"), without = directory.appendingPathComponent("without.conf")
        try (Self.block + Self.instance + Self.block).write(to: with, atomically: true, encoding: .utf8)
        try Self.instance.write(to: without, atomically: true, encoding: .utf8)
        let dumpWith = try Keepalived.dump(with.path, []), dumpWithout = try Keepalived.dump(without.path, [])
        #expect(dumpWith.contains("VRRP Instance = VI_1"), "\(dumpWith)")
        #expect(dumpWith == dumpWithout)
    }
}
