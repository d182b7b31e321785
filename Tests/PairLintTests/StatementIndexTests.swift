import KeepalivedConfig
import PairLint
import Testing

/// Findings point at the line of the keyword, also inside an included file.
@Suite struct StatementIndexTests {
    @Test func aKeywordIsFoundInTheBlockTheModelLocates() throws {
        let text = "vrrp_instance VI_1 {\n    interface eth0\n    priority 50\n    priority 60\n}\n"
        let index = StatementIndex.parse(text, name: "t.conf")
        let instance = try #require(ConfigLoader.parse(text, name: "t.conf").partialConfiguration?.vrrpInstances.first)
        #expect(index.location(of: "priority", inBlockAt: instance.location)
                == ConfigLocation(file: "t.conf", line: 4, column: 5), "the last one, whose value counts")
        #expect(index.location(of: "advert_int", inBlockAt: instance.location) == nil)
    }

    @Test func locationsInsideAnIncludedFile() throws {
        let files = [
            "/etc/lb01.conf": "include /etc/vrrp.conf\n",
            "/etc/lb02.conf": "include /etc/vrrp2.conf\n",
            "/etc/vrrp.conf": "vrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 51\n    virtual_ipaddress {\n        192.0.2.1\n    }\n}\n",
            "/etc/vrrp2.conf": "\nvrrp_instance VI_1 {\n    interface eth0\n    virtual_router_id 52\n    priority 90\n    virtual_ipaddress {\n        192.0.2.1\n    }\n}\n",
        ]
        let source = InMemoryConfigSource(files)
        let nodes = try ["/etc/lb01.conf", "/etc/lb02.conf"].map { path in
            guard case .loaded(let node) = LintNode.load(path: path, source: source) else { throw LintTestError(path) }
            return node
        }
        let finding = try #require(PairLint.lint(nodes).first { $0.code == .vridMismatch })
        #expect(finding.location == ConfigLocation(file: "/etc/vrrp.conf", line: 3, column: 5))
        #expect(finding.other?.location == ConfigLocation(file: "/etc/vrrp2.conf", line: 4, column: 5))
    }
}
