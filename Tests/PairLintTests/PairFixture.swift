import Foundation
import KeepalivedConfig
import PairLint
import Testing

/// Two nodes' configurations held as text, a clean NAT pair to start from: each test edits one line and expects
/// exactly the finding that edit causes.
struct PairFixture {
    var lb01 = PairFixture.cleanLB01
    var lb02 = PairFixture.cleanLB02

    enum Node { case lb01, lb02 }

    func text(_ node: Node) -> String { node == .lb01 ? lb01 : lb02 }
    static func file(_ node: Node) -> String { node == .lb01 ? "lb01.conf" : "lb02.conf" }

    /// Replaces the first `old` (which must be there) on `node`.
    mutating func edit(_ node: Node, _ old: String, _ new: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = self.text(node)
        guard let range = text.range(of: old) else {
            Issue.record("'\(old)' is not in \(Self.file(node))", sourceLocation: sourceLocation)
            return
        }
        let edited = text.replacingCharacters(in: range, with: new)
        if node == .lb01 { lb01 = edited } else { lb02 = edited }
    }

    /// The findings, or none (and a test failure) when an edit made a file unreadable.
    func lint(sourceLocation: SourceLocation = #_sourceLocation) -> [LintFinding] {
        let nodes = [Self.node(lb01, "lb01.conf", sourceLocation: sourceLocation),
                     Self.node(lb02, "lb02.conf", sourceLocation: sourceLocation)].compactMap { $0 }
        return nodes.count == 2 ? PairLint.lint(nodes) : []
    }

    static func node(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> LintNode? {
        guard case .loaded(let node) = LintNode.parse(text, name: name) else {
            Issue.record("\(name) does not read: \(ConfigLoader.parse(text, name: name).errors)", sourceLocation: sourceLocation)
            return nil
        }
        return node
    }

    /// Where `needle` starts on `node` (the first one after `anchor`), as a finding reports it.
    func at(_ node: Node, _ needle: String, after anchor: String? = nil) -> ConfigLocation {
        let lines = text(node).components(separatedBy: "\n")
        var searching = anchor == nil
        for (index, line) in lines.enumerated() {
            if !searching, let anchor, line.contains(anchor) { searching = true; continue }
            if searching, let range = line.range(of: needle) {
                return ConfigLocation(file: Self.file(node), line: index + 1,
                                      column: line.distance(from: line.startIndex, to: range.lowerBound) + 1)
            }
        }
        Issue.record("'\(needle)' is not in \(Self.file(node))")
        return ConfigLocation(file: Self.file(node), line: 0, column: 0)
    }

    static let cleanLB01 = """
        global_defs {
            router_id lb01
        }

        vrrp_sync_group VG_1 {
            group {
                VI_1
                LAN_GW
            }
        }

        vrrp_instance VI_1 {
            state MASTER
            interface eth0
            virtual_router_id 51
            priority 100
            advert_int 1
            authentication {
                auth_type PASS
                auth_pass secret1
            }
            virtual_ipaddress {
                192.0.2.93
                192.0.2.94
            }
            unicast_src_ip 192.0.2.54
            unicast_peer {
                192.0.2.64
            }
        }

        vrrp_instance LAN_GW {
            state MASTER
            interface eth1
            virtual_router_id 52
            priority 100
            advert_int 1
            virtual_ipaddress {
                198.51.100.129
            }
        }

        virtual_server 192.0.2.93 80 {
            delay_loop 6
            lb_algo rr
            lb_kind NAT
            protocol TCP

            real_server 198.51.100.123 80 {
                weight 1
                TCP_CHECK {
                    connect_timeout 2
                }
            }
            real_server 198.51.100.124 80 {
                weight 1
                HTTP_GET {
                    url {
                        path /health
                        status_code 200
                    }
                    connect_timeout 2
                }
            }
        }

        virtual_server_group WEB {
            192.0.2.94 443
        }

        virtual_server group WEB {
            lb_algo wrr
            lb_kind NAT
            persistence_timeout 300
            protocol TCP

            real_server 198.51.100.123 443 {
                weight 2
                TCP_CHECK {
                    connect_timeout 3
                }
            }
        }

        """

    /// lb01 with what must differ: the router id, BACKUP with a lower priority, and its own unicast address.
    static let cleanLB02: String = {
        var text = cleanLB01
        for (old, new) in [
            ("router_id lb01", "router_id lb02"),
            ("state MASTER\n    interface eth0", "state BACKUP\n    interface eth0"),
            ("virtual_router_id 51\n    priority 100", "virtual_router_id 51\n    priority 90"),
            ("unicast_src_ip 192.0.2.54", "unicast_src_ip 192.0.2.64"),
            ("    unicast_peer {\n        192.0.2.64", "    unicast_peer {\n        192.0.2.54"),
            ("state MASTER\n    interface eth1", "state BACKUP\n    interface eth1"),
            ("virtual_router_id 52\n    priority 100", "virtual_router_id 52\n    priority 90"),
        ] {
            precondition(text.contains(old), "cleanLB02: '\(old)' is not in lb01")
            text = text.replacingOccurrences(of: old, with: new)
        }
        return text
    }()
}

extension [LintFinding] {
    func with(_ code: LintCode) -> [LintFinding] { filter { $0.code == code } }
    var errors: [LintFinding] { filter { $0.severity == .error } }
    var printed: String { map(\.description).joined(separator: "\n") }
}

extension LintFinding {
    /// The other side as a location, for comparing with `PairFixture.at`.
    var otherLocation: ConfigLocation? { other?.location }
}
