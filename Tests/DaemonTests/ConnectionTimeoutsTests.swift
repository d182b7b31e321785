import Testing
@testable import IPVS
import KeepalivedConfig
import TestSupport
@testable import ipvsd
import Vocabulary

/// `lvs_timeouts` reaches the kernel at start and on reload, as keepalived's checker sets it (`ipvsadm --set`).
@Suite(.serialized) struct ConnectionTimeoutsTests {
    static func config(_ timeouts: String) -> String {
        """
        global_defs {
            \(timeouts)
        }
        virtual_server 192.0.2.1 80 {
            protocol TCP
            real_server 198.51.100.1 80 {
            }
        }
        """
    }

    @Test func theConfiguredTimeoutsAreSetAtStartAndOnReload() throws {
        let kernel = FakeIPVSKernel()
        let directory = try TemporaryDirectory()
        let ipvsd = try IPVSDaemonInProcess(Self.config("lvs_timeouts tcp 7200 udp 60"), kernel: kernel, directory: directory)
        #expect(kernel.timeouts == LVSTimeouts(tcp: 7200, tcpFin: 120, udp: 60), "tcpfin left as the kernel had it")
        try ipvsd.service.reload(try ipvsdConfiguration(Self.config("lvs_timeouts tcpfin 30")))
        #expect(kernel.timeouts == LVSTimeouts(tcp: 7200, tcpFin: 30, udp: 60))
    }

    @Test func withoutLvsTimeoutsNothingIsSent() throws {
        let kernel = FakeIPVSKernel()
        let directory = try TemporaryDirectory()
        _ = try IPVSDaemonInProcess(Self.config("router_id lb01"), kernel: kernel, directory: directory)
        #expect(!kernel.commands.contains(IPVSCommandNumber.setConfig))
        #expect(kernel.timeouts == LVSTimeouts(tcp: 900, tcpFin: 120, udp: 300))
    }

    @Test func badOptionsAreWarnedAndTheRestKept() throws {
        let result = ConfigLoader.parse(Self.config("lvs_timeouts tcp 60 bogus 5 udp lots tcpfin"))
        let global = try #require(result.configuration).global
        #expect(global.lvsTimeouts == LVSTimeouts(tcp: 60))
        let lvs = result.warnings.map(\.message).filter { $0.hasPrefix("lvs_timeouts") }
        // As keepalived: an unknown option is skipped alone, so its value is read as another unknown option.
        #expect(lvs.count == 4, "bogus, 5, lots and the value-less tcpfin: \(result.warnings)")
        #expect(result.errors.isEmpty)
    }
}
