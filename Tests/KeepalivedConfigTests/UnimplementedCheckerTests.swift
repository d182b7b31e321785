import Testing
@testable import KeepalivedConfig

/// keepalived's BFD_CHECK is not run by checkd. Before, the block was an
/// "unknown keyword" warning and its real server stayed up forever; now the file is refused at the checker's line.
@Suite struct UnimplementedCheckerTests {
    @Test(arguments: ["BFD_CHECK"])
    func checkerIsRefusedWhereItIsWritten(name: String) {
        let text = "virtual_server 192.0.2.1 53 {\n    real_server 198.51.100.1 53 {\n        \(name) {\n            connect_timeout 3\n        }\n    }\n}\n"
        let result = Fixtures.parse(text)
        #expect(result.has(.error, at: 3, 9, containing: "\(name) is refused"), "\(result.printed)")
        #expect(result.configuration == nil, "a refused checker refuses the file")
    }

    @Test func knownCheckersStillParse() {
        let text = "virtual_server 192.0.2.1 80 {\n    protocol TCP\n    real_server 198.51.100.1 80 {\n        TCP_CHECK {\n            connect_timeout 3\n        }\n    }\n}\n"
        let result = Fixtures.parse(text)
        #expect(result.errors.isEmpty, "\(result.printed)")
        #expect(result.configuration?.virtualServers.first?.realServers.first?.checks.first?.name == "TCP_CHECK")
    }
}
