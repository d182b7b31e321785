import Foundation
import Testing
@testable import KeepalivedConfig
import Vocabulary

/// keepalived's validate_check_config fills in and resets some settings of a virtual_server, with a warning; the
/// kernel table depends on them, so tandem must settle them the same way. Each case here is also given to
/// Debian's keepalived (`keepalived -t`), which must accept it: keepalived is the oracle for what runs.
@Suite struct VirtualServerCompletionTests {
    static func config(_ body: String) -> ConfigLoadResult { Fixtures.parse(body) }

    @Test func anAddressServiceWithoutProtocolIsUDP() throws {
        let result = Self.config("""
        virtual_server 192.0.2.1 53 {
            real_server 198.51.100.1 53 {
            }
        }
        virtual_server 192.0.2.1 80 {
            protocol TCP
            real_server 198.51.100.1 80 {
            }
        }
        """)
        let servers = try #require(result.configuration).virtualServers
        #expect(servers[0].transportProtocol == .udp && servers[0].poolName == "UDP 192.0.2.1:53")
        #expect(result.has(.warning, at: 1, 1, containing: "no protocol set, so UDP"))
        #expect(servers[1].transportProtocol == .tcp)
        #expect(result.warnings.count == 1)
    }

    @Test func aGroupWithAddressesWithoutProtocolIsUDPAndAFwmarkIgnoresOne() throws {
        let result = Self.config("""
        virtual_server_group G {
            192.0.2.10-12 80
        }
        virtual_server group G {
            real_server 198.51.100.1 80 {
            }
        }
        virtual_server fwmark 7 {
            protocol TCP
            real_server 198.51.100.1 80 {
            }
        }
        """)
        let servers = try #require(result.configuration).virtualServers
        #expect(servers[0].transportProtocol == .udp)
        #expect(result.has(.warning, at: 4, 1, containing: "no protocol set"))
        #expect(result.has(.warning, at: 8, 1, containing: "fwmark service has no protocol"))
    }

    @Test func onePacketSchedulingIsOnlyForUDP() throws {
        let result = Self.config("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            ops
            real_server 198.51.100.1 80 {
            }
        }
        virtual_server 192.0.2.1 53 {
            protocol UDP
            ops
            real_server 198.51.100.1 53 {
            }
        }
        """)
        let servers = try #require(result.configuration).virtualServers
        #expect(!servers[0].onePacketScheduling && servers[1].onePacketScheduling)
        #expect(result.has(.warning, at: 1, 1, containing: "ops (one-packet scheduling) needs UDP"))
    }

    @Test func portZeroMakesTheServicePersistent() throws {
        let result = Self.config("""
        virtual_server 192.0.2.1 0 {
            protocol TCP
            real_server 198.51.100.1 0 {
            }
        }
        virtual_server 192.0.2.2 0 {
            protocol TCP
            persistence_timeout 50
            real_server 198.51.100.1 0 {
            }
        }
        """)
        let servers = try #require(result.configuration).virtualServers
        #expect(servers[0].persistenceTimeout == 360 && servers[1].persistenceTimeout == 50)
        #expect(result.has(.warning, at: 1, 1, containing: "port 0 is only valid for a persistent service"))
        #expect(result.warnings.count == 1)
    }

    @Test func persistenceGranularityIsANetmaskOrAPrefixLengthAndTurnsPersistenceOn() throws {
        let result = Self.config("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            persistence_granularity 255.255.255.0
            real_server 198.51.100.1 80 {
            }
        }
        virtual_server 2001:db8::1 80 {
            protocol TCP
            persistence_granularity 64
            persistence_timeout 90
            real_server 2001:db8:1::1 80 {
            }
        }
        """)
        let servers = try #require(result.configuration).virtualServers
        #expect(servers[0].persistenceGranularity == .ipv4Netmask(IPAddress("255.255.255.0")!))
        #expect(servers[0].persistenceTimeout == 360, "a granularity alone turns persistence on, as in keepalived")
        #expect(servers[1].persistenceGranularity == .ipv6PrefixLength(64) && servers[1].persistenceTimeout == 90)
    }

    @Test func malformedGranularitiesAreErrorsAtTheirToken() {
        let result = Self.config("""
        virtual_server 2001:db8::1 80 {
            protocol TCP
            persistence_granularity ffff:ffff::
        }
        virtual_server 192.0.2.1 80 {
            protocol TCP
            persistence_granularity 24
        }
        """)
        #expect(result.has(.error, at: 3, 29, containing: "must be a prefix length from 1 to 128"))
        #expect(result.has(.error, at: 7, 29, containing: "is not an IPv4 netmask"))
    }

    @Test func quorumZeroIsOneAndADuplicatedRealServerIsDropped() throws {
        let result = Self.config("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            quorum 0
            real_server 198.51.100.1 80 {
                weight 3
            }
            real_server 198.51.100.1 80 {
                weight 5
            }
        }
        """)
        let server = try #require(result.configuration).virtualServers[0]
        #expect(server.quorum == 1)
        #expect(server.realServers.map(\.weight) == [3], "the first of the two is kept, as keepalived does")
        #expect(result.has(.warning, at: 3, 12, containing: "quorum 0 is not valid, so 1"))
        #expect(result.has(.warning, at: 7, 5, containing: "appears twice"))
        #expect(result.errors.isEmpty)
    }

    @Test func realServersWithoutAWeightTakeTheVirtualServersWhereverItIsWritten() throws {
        let result = Self.config("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            real_server 198.51.100.1 80 {
            }
            weight 7
            real_server 198.51.100.2 80 {
                weight 2
            }
            real_server 198.51.100.3 80 {
                weight 0
            }
        }
        virtual_server 192.0.2.2 80 {
            protocol TCP
            weight 0
            real_server 198.51.100.1 80 {
                weight 70000
            }
        }
        """)
        let servers = try #require(result.configuration).virtualServers
        #expect(servers[0].realServers.map(\.weight) == [7, 2, 0], "the virtual server's weight comes after the first real server, as keepalived allows")
        #expect(servers[1].realServers.map(\.weight) == [1], "both bad weights keep the default")
        #expect(result.has(.warning, at: 15, 12, containing: "virtual server weight '0' is outside 1–65535"))
        #expect(result.has(.warning, at: 17, 16, containing: "real server weight 70000 is outside 0–65535"))
        #expect(result.errors.isEmpty)
    }

    /// lbflags_handler in keepalived 2.2.7: flag-N always; sh-* and mh-* only after lb_algo sh or mh; `hashed`
    /// sets nothing.
    @Test func schedulerFlagsFollowTheSchedulerSetBeforeThem() throws {
        let result = Self.config("""
        virtual_server 192.0.2.1 80 {
            protocol TCP
            lb_algo sh
            sh-port
            sh-fallback
            mh-port
            hashed
        }
        virtual_server 192.0.2.2 80 {
            protocol TCP
            mh-port
            lb_algo mh
            mh-fallback
            flag-3
        }
        virtual_server 192.0.2.3 80 {
            protocol TCP
            lb_algo rr
            flag-1
            flag-2
            hashed
            sh-port
        }
        """)
        let servers = try #require(result.configuration).virtualServers
        #expect(servers.map(\.schedulerFlags) == [["sh-port", "sh-fallback"], ["mh-fallback", "flag-3"], ["flag-1", "flag-2"]])
        #expect(result.has(.warning, at: 6, 5, containing: "mh-port only applies to the mh scheduler"))
        #expect(result.has(.warning, at: 11, 5, containing: "the scheduler when this line is read is wlc (lb_algo must come first)"))
        #expect(result.has(.warning, at: 21, 5, containing: "hashed only applies to the sh and mh schedulers"))
        #expect(result.has(.warning, at: 22, 5, containing: "sh-port only applies to the sh and mh schedulers"))
        #expect(result.warnings.filter { $0.message.contains("only applies") }.count == 4, "\(result.printed)")
    }

    @Test func haSuspendIsClearedOnAFwmarkAndWarnedOnAGroup() throws {
        let result = Self.config("""
        virtual_server_group G {
            192.0.2.1 80
        }
        virtual_server group G {
            protocol TCP
            ha_suspend
            real_server 198.51.100.1 80 {
            }
        }
        virtual_server fwmark 5 {
            ha_suspend
            real_server 198.51.100.1 80 {
            }
        }
        virtual_server 192.0.2.2 80 {
            protocol TCP
            ha_suspend
            real_server 198.51.100.1 80 {
            }
        }
        """)
        let configuration = try #require(result.configuration)
        #expect(result.has(.warning, at: 4, 1, containing: "ha_suspend on a group never sees its addresses arrive"))
        #expect(result.has(.warning, at: 10, 1, containing: "ha_suspend cannot follow a fwmark, so it is cleared"))
        #expect(configuration.virtualServers.map(\.haSuspend) == [true, false, true])
        #expect(result.warnings.count == 2, "\(result.printed)")
    }

    /// Debian's keepalived settles the same configuration the same way: `keepalived -t` prints its warning for each
    /// default it fills in, and none about the IPv6 prefix length (its exit status is not 0 whenever it warned, so
    /// the text is what is compared). Skipped, saying why, where keepalived is not installed.
    @Test func keepalivedAcceptsTheSameConfigurations() throws {
        let text = """
        virtual_server 192.0.2.1 53 {
            ops
            real_server 198.51.100.1 53 {
            }
        }
        virtual_server 192.0.2.1 0 {
            protocol TCP
            real_server 198.51.100.1 0 {
            }
        }
        virtual_server 2001:db8::1 80 {
            protocol TCP
            persistence_granularity 64
            real_server 2001:db8:1::1 80 {
            }
        }
        virtual_server 192.0.2.3 80 {
            protocol TCP
            quorum 0
            real_server 198.51.100.1 80 {
            }
            real_server 198.51.100.1 80 {
            }
        }
        virtual_server fwmark 5 {
            ha_suspend
            real_server 198.51.100.1 80 {
            }
        }
        virtual_server 192.0.2.4 80 {
            protocol TCP
            weight 0
            lb_algo rr
            hashed
            flag-1
            real_server 198.51.100.1 80 {
            }
        }
        """
        #expect(Self.config(text).errors.isEmpty)
        guard let output = try Keepalived.configTest(text, for: "VirtualServerCompletionTests") else { return }
        #expect(output.contains("[192.0.2.1]:none:53: no protocol set - defaulting to UDP"), "\(output)")
        #expect(output.contains("[192.0.2.1]:tcp:0: zero port only valid for persistent services"), "\(output)")
        #expect(!output.contains("resetting"), "ops stays on the UDP service, as in tandem: \(output)")
        #expect(!output.contains("Invalid IPv6 persistence_granularity"), "\(output)")
        #expect(output.contains("Quorum 0 must be in [1, "), "\(output)")
        #expect(output.contains("real server [198.51.100.1]:tcp:80 is duplicated - removing second rs"), "\(output)")
        #expect(output.contains("Virtual server weight 0 is outside range 1-"), "\(output)")
        #expect(output.contains("hashed only applies to sh scheduler - ignoring"), "\(output)")
        #expect(!output.contains("flag-1"), "flag-1 is taken under rr: \(output)")
        #expect(output.contains("cannot use ha_suspend with fwmarks - clearing ha_suspend"), "\(output)")
    }
}
