import Testing
@testable import KeepalivedConfig

/// `lvs_sync_daemon_interface` inside a vrrp_instance: deprecated in keepalived and still honoured as the global
/// `lvs_sync_daemon IF INSTANCE`; the first one wins (vrrp_lvs_syncd_handler).
@Suite struct SyncDaemonInterfaceConfigTests {
    @Test func itBecomesTheGlobalSyncDaemonForItsInstance() throws {
        let result = Fixtures.parse(instanceText("    lvs_sync_daemon_interface eth1\n"))
        let daemon = try #require(result.configuration?.global.lvsSyncDaemon, "\(result.printed)")
        #expect(daemon.interface == "eth1" && daemon.vrrpInstance == "VI_1")
        #expect(result.has(.warning, at: 4, 5, containing: "lvs_sync_daemon_interface is deprecated"), "\(result.printed)")
    }

    @Test func theFirstOneWins() throws {
        let text = "global_defs {\n    lvs_sync_daemon eth2 VI_2\n}\n" + instanceText("    lvs_sync_daemon_interface eth1\n")
            + instanceText("", name: "VI_2", vrid: 52)
        let result = Fixtures.parse(text)
        let daemon = try #require(result.configuration?.global.lvsSyncDaemon, "\(result.printed)")
        #expect(daemon.interface == "eth2" && daemon.vrrpInstance == "VI_2")
        #expect(result.has(.warning, at: 7, 5, containing: "already set to eth2 for VI_2; this one is ignored"), "\(result.printed)")
    }
}
