import Foundation
import Testing
@testable import KeepalivedConfig
import Vocabulary

/// Every entry form of virtual_server_group keepalived 2.2.7 takes (alloc_vsg_entry), and the services each one
/// installs (ipvs_group_range_cmd's walk); bad entries are skipped with a warning, as keepalived skips them.
@Suite struct VirtualServerGroupTests {
    static func text(_ entries: String, realServer: String = "198.51.100.1") -> String {
        """
        virtual_server_group G {
        \(entries)
        }
        virtual_server group G {
            protocol TCP
            real_server \(realServer) 80 {
            }
        }
        """
    }

    private func services(_ entries: String, realServer: String = "198.51.100.1") throws -> (ids: [String], result: ConfigLoadResult) {
        let result = Fixtures.parse(Self.text(entries, realServer: realServer))
        let configuration = try #require(result.configuration(for: [.virtualServers]), "\(result.printed)")
        let server = configuration.virtualServers[0]
        return (server.services(in: configuration).map { service -> String in
            switch service.id {
            case .address(let ip, let port, _): return "\(ip) \(port)"
            case .fwmark(let mark): return "fwmark \(mark) \(service.family == .ipv4 ? "inet" : "inet6")"
            }
        }, result)
    }

    @Test func ipv4FormsAndFwmarkFamilies() throws {
        let (ids, result) = try services("""
            192.0.2.1 80
            192.0.2.5
            192.0.2.10-12 80
            192.0.2.254-192.0.3.1 443
            192.0.2.32/30 8080
            fwmark 7 inet6
            fwmark 8
        """)
        #expect(ids == ["192.0.2.1 80", "192.0.2.5 0", "192.0.2.10 80", "192.0.2.11 80", "192.0.2.12 80",
                        "192.0.2.254 443", "192.0.2.255 443", "192.0.3.0 443", "192.0.3.1 443",
                        "192.0.2.32 8080", "192.0.2.33 8080", "192.0.2.34 8080", "192.0.2.35 8080",
                        "fwmark 7 inet6", "fwmark 8 inet"], "addresses first, then fwmarks, as keepalived installs them")
        #expect(result.errors.isEmpty, "\(result.printed)")
        #expect(result.warnings.map(\.message) == ["virtual_server group G: port 0 is only valid for a persistent service, so persistence_timeout 360 is set (as keepalived)"],
                "192.0.2.5 has no port: \(result.printed)")
    }

    /// IPv6 walks only the last 16 bits, so a range whose end is in the next block wraps within them.
    @Test func ipv6WalksTheLastSixteenBits() throws {
        let (ids, result) = try services("""
            2001:db8::fffe-2001:db8::1:1 80
            2001:db8:0:1::/126 80
            2001:db8:0:2::a-c 80
        """, realServer: "2001:db8:1::1")
        #expect(ids == ["2001:db8::fffe 80", "2001:db8::ffff 80", "2001:db8:: 80", "2001:db8::1 80",
                        "2001:db8:0:1:: 80", "2001:db8:0:1::1 80", "2001:db8:0:1::2 80", "2001:db8:0:1::3 80",
                        "2001:db8:0:2::a 80", "2001:db8:0:2::b 80", "2001:db8:0:2::c 80"])
        #expect(result.errors.isEmpty, "\(result.printed)")
    }

    @Test func badEntriesAreSkippedWithAWarning() throws {
        let (ids, result) = try services("""
            192.0.2.1-1 80
            192.0.2.33/30 80
            192.0.2.2 http
            fwmark 5 ipx
            fwmark 0
            192.0.2.9 80
            192.0.2.10-300 80
        """)
        #expect(ids == ["192.0.2.9 80"])
        #expect(result.has(.warning, at: 2, 5, containing: "is not greater than its start; the entry is skipped"))
        #expect(result.has(.warning, at: 3, 5, containing: "has host bits set"))
        #expect(result.has(.warning, at: 4, 15, containing: "has no valid port"))
        #expect(result.has(.warning, at: 5, 14, containing: "family 'ipx' is not inet or inet6"))
        #expect(result.has(.warning, at: 6, 12, containing: "must be 1 to"))
        #expect(result.has(.warning, at: 8, 5, containing: "is not a number up to 255"))
    }

    @Test func aHugePrefixAndAMixedGroupAreRefused() {
        let huge = Fixtures.parse(Self.text("    192.0.0.0/8 80"))
        #expect(huge.has(.error, at: 2, 5, containing: "is 16777216 addresses"))
        let mixed = Fixtures.parse(Self.text("    192.0.2.1 80\n    2001:db8::1 80\n    fwmark 3"))
        #expect(mixed.has(.error, at: 1, 1, containing: "has IPv4 and IPv6 addresses and a fwmark without inet or inet6"))
    }

    /// keepalived -t reads the same entries and says the same about the bad ones.
    @Test func keepalivedSkipsTheSameEntries() throws {
        let text = Self.text("""
            192.0.2.1-1 80
            192.0.2.33/30 80
            fwmark 5 ipx
            192.0.2.254-192.0.3.1 443
            2001:db8::fffe-2001:db8::1:1 80
            fwmark 7 inet6
        """)
        guard let output = try Keepalived.configTest(text, for: "VirtualServerGroupTests") else { return }
        #expect(output.contains("Address range end is not greater than address range start - 192.0.2.1-1 - skipping"), "\(output)")
        #expect(output.contains("Address mask bits not empty - 192.0.2.33/30 - skipping"), "\(output)")
        #expect(output.contains("fwmark '5' family ipx unknown - ignoring"), "\(output)")
        #expect(!output.contains("192.0.2.254-192.0.3.1"), "the full-end range is taken: \(output)")
        #expect(!output.contains("2001:db8::fffe"), "\(output)")
        #expect(!output.contains("Unknown keyword"), "\(output)")
    }
}
