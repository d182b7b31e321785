import Testing
@testable import KeepalivedConfig
import Vocabulary

/// Two virtual_server blocks for one service: keepalived 2.2.7 installs one service with the first block's
/// settings and the real servers of both, a real server in both keeping the first block's weight (measured in the
/// lab; the `checkers` scenario compares the table with keepalived's). tandem refused such a file before.
@Suite struct DuplicateVirtualServerTests {
    @Test func theSecondBlocksRealServersJoinTheFirstWithWhatTheyTookFromTheirBlock() throws {
        let result = Fixtures.parse("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            lb_algo rr
            persistence_timeout 30
            delay_loop 5
            real_server 198.51.100.1 80 {
                weight 2
                TCP_CHECK { }
            }
            real_server 198.51.100.2 80 {
            }
        }
        virtual_server 192.0.2.1 80 {
            protocol TCP
            lb_algo wlc
            lb_kind DR
            delay_loop 2
            weight 4
            inhibit_on_failure
            real_server 198.51.100.2 80 {
                weight 5
            }
            real_server 198.51.100.3 80 {
                TCP_CHECK { }
            }
        }
        """)
        let configuration = try #require(result.configuration, "\(result.printed)")
        #expect(configuration.virtualServers.count == 1)
        let server = configuration.virtualServers[0]
        #expect(server.scheduler == "rr" && server.persistenceTimeout == 30 && server.forwarding == .nat)
        #expect(server.realServers.map { "\($0.address)" } == ["198.51.100.1", "198.51.100.2", "198.51.100.3"])
        #expect(server.realServers.map(\.weight) == [2, 1, 4], "the one in both keeps the first block's weight")
        let third = server.realServers[2]
        #expect(third.forwarding == .directRouting && third.inhibitOnFailure == true)
        #expect(third.timing.over(server.timing).delayLoop == .seconds(2), "its checks keep their block's delay_loop")
        #expect(server.realServers[0].timing.over(server.timing).delayLoop == .seconds(5))
        #expect(result.has(.warning, at: 13, 1, containing: "is already defined at t.conf:1:1: its real servers join that service"))
        #expect(result.has(.warning, at: 20, 5, containing: "real_server 198.51.100.2 80 is also in the block at t.conf:1:1"))
        #expect(result.errors.isEmpty)
    }

    @Test func aSecondQuorumOrSorryServerIsWarned() {
        let result = Fixtures.parse("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            real_server 198.51.100.1 80 {
            }
        }
        virtual_server 192.0.2.1 80 {
            protocol TCP
            quorum 2
            sorry_server 198.51.100.9 80
            real_server 198.51.100.3 80 {
            }
        }
        """)
        #expect(result.has(.warning, at: 6, 1, containing: "this block's sorry_server, quorum, hysteresis and quorum scripts are not used"))
        #expect(result.errors.isEmpty)
    }
}
