// ipvsd against a fake kernel (in process, speaking real netlink bytes) and, on a host without IPVS,
// as a real process that must refuse to start with a clear message.
import Foundation
@testable import IPVS
@testable import KeepalivedConfig
import Logging
import Testing
import Wire
@testable import ipvsd
import Vocabulary
import TestSupport

private let quiet = Logger(label: "test.ipvsd") { _ in SwiftLogNoOpLogHandler() }

private let twoServices = """
    virtual_server 192.0.2.93 80 {
        lb_algo rr
        lb_kind DR
        protocol TCP
        real_server 198.51.100.72 80 {
            weight 1
        }
        real_server 198.51.100.80 80 {
            weight 2
            inhibit_on_failure
        }
    }
    virtual_server 192.0.2.94 81 {
        lb_algo wlc
        lb_kind NAT
        persistence_timeout 300
        persistence_granularity 255.255.255.0
        protocol UDP
        real_server 198.51.100.72 8081 {
        }
    }
    """

private let oneService = String(twoServices.prefix { $0 != "}" }) + "}\n}\n"

private let vip93: IPVSServiceKey = .address(.tcp, IPAddress("192.0.2.93")!, port: 80)
private let vip94: IPVSServiceKey = .address(.udp, IPAddress("192.0.2.94")!, port: 81)
private let rs72 = IPVSDestinationKey(address: IPAddress("198.51.100.72")!, port: 80)
private let rs80 = IPVSDestinationKey(address: IPAddress("198.51.100.80")!, port: 80)

/// Another tool's service: ipvsd must never touch it.
private let foreign = IPVSVirtualServer(
    IPVSService(key: .address(.tcp, IPAddress("203.0.113.50")!, port: 443), scheduler: "sh"),
    destinations: [IPVSDestination(key: IPVSDestinationKey(address: IPAddress("203.0.113.51")!, port: 443),
                                   forwarding: .masquerade, weight: 7)])

private func configuration(_ text: String, in directory: TemporaryDirectory) throws -> KeepalivedConfiguration {
    let file = directory.file("keepalived-\(text.hashValue).conf")
    try text.write(to: file, atomically: true, encoding: .utf8)
    let result = ConfigLoader.load(path: file.path, host: HostFacts())
    return try #require(result.configuration(for: [.virtualServers]))
}

private func keeper(_ fake: FakeIPVSKernel, _ config: KeepalivedConfiguration,
                    _ directory: TemporaryDirectory) -> TableKeeper {
    TableKeeper(kernel: IPVSKernel(transport: fake, familyID: FakeIPVSKernel.family), configuration: config,
                runtimeDirectory: directory.path, logger: quiet)
}

/// A keeper of `twoServices` whose start had rs80 refused by the kernel (so its view of the kernel is not
/// trusted); the kernel takes everything again afterwards.
private func keeperAfterARefusedDestination(_ fake: FakeIPVSKernel,
                                            _ directory: TemporaryDirectory) throws -> TableKeeper {
    fake.refuseDestination = rs80
    let k = keeper(fake, try configuration(twoServices, in: directory), directory)
    #expect(k.reconcile(reason: "start").failed == 1)
    fake.refuseDestination = nil
    return k
}

@Suite struct IPVSFakeKernelTests {
    @Test func startInstallsTheConfigAndLeavesAnUnmanagedServiceAlone() throws {
        let directory = try TemporaryDirectory()
        let fake = FakeIPVSKernel()
        fake.table = IPVSTable([foreign])
        let summary = keeper(fake, try configuration(twoServices, in: directory), directory).reconcile(reason: "start")
        #expect(summary == ReconcileSummary(applied: 5, failed: 0))
        #expect(fake.table.servers[foreign.service.key] == foreign)
        #expect(fake.flushes == 0)
        let web = try #require(fake.table.servers[vip93])
        #expect(web.service.scheduler == "rr")
        #expect(web.destinations.mapValues(\.weight) == [rs72: 1, rs80: 2])
        #expect(web.destinations[rs72]?.forwarding == .route)
        let udp = try #require(fake.table.servers[vip94])
        #expect(udp.service.flags.contains(.persistent))
        #expect(udp.service.timeout == 300)
        #expect(udp.service.netmask == 0xFFFF_FF00)
        #expect(udp.destinations.values.map(\.forwarding) == [.masquerade])
        #expect(udp.destinations.keys.map(\.port) == [8081])
    }

    @Test func aStrayDestinationAndAChangedWeightAreCorrectedOnTheNextReconcile() throws {
        let directory = try TemporaryDirectory()
        let fake = FakeIPVSKernel()
        fake.table = IPVSTable([foreign])
        let k = keeper(fake, try configuration(twoServices, in: directory), directory)
        k.reconcile(reason: "start")
        let wanted = fake.table
        // What someone with ipvsadm might do behind ipvsd's back.
        let stray = IPVSDestination(key: IPVSDestinationKey(address: IPAddress("198.51.100.99")!, port: 80),
                                    forwarding: .route, weight: 1)
        try fake.table.apply(.addDestination(vip93, stray))
        var edited = try #require(fake.table.servers[vip93]?.destinations[rs72])
        edited.weight = 50
        try fake.table.apply(.editDestination(vip93, edited))
        try fake.table.apply(.deleteService(vip94))
        try fake.table.apply(.addDestination(foreign.service.key, stray))
        let summary = k.reconcile(reason: "periodic")
        #expect(summary == ReconcileSummary(applied: 4, failed: 0))
        var expected = wanted
        try expected.apply(.addDestination(foreign.service.key, stray))  // not ours: stays
        #expect(fake.table == expected)
    }

    @Test func aRestartChangesNothingAndNeverFlushes() throws {
        let directory = try TemporaryDirectory()
        let fake = FakeIPVSKernel()
        fake.table = IPVSTable([foreign])
        let config = try configuration(twoServices, in: directory)
        keeper(fake, config, directory).reconcile(reason: "start")
        let before = fake.table
        let sentBefore = fake.mutatingRequests
        // A new process: fresh keeper, same kernel, same runtime directory.
        let restarted = keeper(fake, config, directory)
        #expect(restarted.reconcile(reason: "start") == ReconcileSummary())
        #expect(fake.mutatingRequests == sentBefore)
        #expect(fake.flushes == 0)
        #expect(fake.table == before)
    }

    @Test func aServiceRemovedFromTheConfigDuringARestartIsCleanedUp() throws {
        let directory = try TemporaryDirectory()
        let fake = FakeIPVSKernel()
        fake.table = IPVSTable([foreign])
        keeper(fake, try configuration(twoServices, in: directory), directory).reconcile(reason: "start")
        let restarted = keeper(fake, try configuration(oneService, in: directory), directory)
        #expect(restarted.managedKeys.contains(vip94), "remembered from the first run")
        restarted.reconcile(reason: "start")
        #expect(fake.table.servers[vip94] == nil)
        #expect(fake.table.servers[vip93] != nil)
        #expect(fake.table.servers[foreign.service.key] == foreign)
        #expect(!restarted.managedKeys.contains(vip94), "forgotten once removed")
        let managedFile = try String(contentsOf: directory.file("ipvsd.managed"), encoding: .utf8)
        #expect(managedFile == "tcp 192.0.2.93 80\n")
    }

    @Test func healthReportsMoveDestinationsAndInhibitKeepsThemAtWeightZero() throws {
        let directory = try TemporaryDirectory()
        let fake = FakeIPVSKernel()
        let k = keeper(fake, try configuration(twoServices, in: directory), directory)
        k.reconcile(reason: "start")
        func report(_ rs: String, up: Bool, weight: Int32 = 1) -> RealServerHealth {
            RealServerHealth(id: RealServerID(protocol: .tcp, virtualAddress: IPAddress("192.0.2.93")!, virtualPort: 80,
                                              realAddress: IPAddress(rs)!, realPort: 80), up: up, weight: weight)
        }
        #expect(k.record(report("198.51.100.72", up: false)))
        #expect(k.record(report("198.51.100.80", up: false, weight: 2)))
        #expect(!k.record(report("198.51.100.80", up: false, weight: 2)), "a repeat is no change")
        #expect(!k.record(report("198.51.100.1", up: false)), "not configured")
        k.reconcileHealthChanges()
        #expect(fake.table.servers[vip93]?.destinations.mapValues(\.weight) == [rs80: 0])
        #expect(k.record(report("198.51.100.80", up: true, weight: 5)))
        k.reconcileHealthChanges()
        #expect(fake.table.servers[vip93]?.destinations.mapValues(\.weight) == [rs80: 5])
        #expect(k.reconcile(reason: "periodic") == ReconcileSummary(), "the partial path left nothing behind")
        // A reload keeps the verdicts of real servers that are still configured.
        k.update(try configuration(twoServices, in: directory))
        #expect(k.reconcile(reason: "reload") == ReconcileSummary())
    }

    /// Issue 6: one destination change costs a constant number of netlink messages, whatever the table's size.
    @Test(arguments: [10, 1000])
    func aHealthChangeCostsOneRequestWhateverTheTableSize(services: Int) throws {
        let directory = try TemporaryDirectory()
        var text = ""
        for index in 0..<services {
            text += "virtual_server 192.0.2.\(1 + index % 200) \(1000 + index / 200) {\n    protocol TCP\n    lb_kind NAT\n"
            for rs in 1...3 { text += "    real_server 198.51.100.\(rs) 80 {\n    }\n" }
            text += "}\n"
        }
        let fake = FakeIPVSKernel()
        let k = keeper(fake, try configuration(text, in: directory), directory)
        k.reconcile(reason: "start")
        #expect(fake.table.servers.count == services)
        let before = fake.commands.count
        let report = RealServerHealth(id: RealServerID(protocol: .tcp, virtualAddress: IPAddress("192.0.2.1")!, virtualPort: 1000,
                                                       realAddress: IPAddress("198.51.100.2")!, realPort: 80), up: false, weight: 1)
        #expect(k.record(report))
        k.reconcileHealthChanges()
        #expect(fake.commands.count - before == 1, "one DEL_DEST, no dump: \(fake.commands.count - before) requests")
        #expect(fake.table.servers.values.reduce(0) { $0 + $1.destinations.count } == services * 3 - 1)
        // The periodic reconcile reads the kernel again and finds nothing to do.
        let afterChange = fake.commands.count
        #expect(k.reconcile(reason: "periodic") == ReconcileSummary())
        #expect(fake.mutatingRequests == fake.commands[..<afterChange].filter { [1, 2, 3, 5, 6, 7, 17].contains($0) }.count)
    }

    /// The health path computes only the changed pool, with its quorum, hysteresis and sorry server.
    @Test func aHealthChangeThatLosesQuorumInstallsTheSorryServerAndOnlyThat() throws {
        let directory = try TemporaryDirectory()
        let text = """
            virtual_server 192.0.2.93 80 {
                protocol TCP
                lb_kind DR
                quorum 2
                sorry_server 203.0.113.9 80
                real_server 198.51.100.72 80 {
                }
                real_server 198.51.100.80 80 {
                }
            }
            virtual_server 192.0.2.94 81 {
                protocol TCP
                lb_kind NAT
                real_server 198.51.100.72 8081 {
                }
            }
            """
        let fake = FakeIPVSKernel()
        fake.table = IPVSTable([foreign])
        let k = keeper(fake, try configuration(text, in: directory), directory)
        k.reconcile(reason: "start")
        let untouched = fake.table.servers.filter { $0.key != vip93 }
        let down = RealServerHealth(id: RealServerID(protocol: .tcp, virtualAddress: IPAddress("192.0.2.93")!, virtualPort: 80,
                                                     realAddress: IPAddress("198.51.100.80")!, realPort: 80), up: false, weight: 1)
        #expect(k.record(down))
        let before = fake.commands.count
        #expect(k.reconcileHealthChanges() == ReconcileSummary(applied: 3, failed: 0))
        let sorry = IPVSDestinationKey(address: IPAddress("203.0.113.9")!, port: 80)
        #expect(Set(fake.table.servers[vip93]?.destinations.keys ?? [:].keys) == [sorry])
        #expect(fake.commands.count - before == 3, "two DEL_DEST and one NEW_DEST, no dump")
        #expect(fake.table.servers.filter { $0.key != vip93 } == untouched)
        #expect(k.quorumUp.values.filter { !$0 }.count == 1, "only 192.0.2.93:80 lost quorum: \(k.quorumUp)")
        #expect(k.reconcile(reason: "periodic") == ReconcileSummary())
    }

    /// checkd runs quorum_up/quorum_down from ipvsd's reports: each pool's state once (at the first start after
    /// boot all of them, as keepalived runs quorum_up at its start), then only changes, named as the
    /// configuration's virtual server (`poolName`); the view survives a restart of ipvsd in its runtime file.
    @Test func quorumChangesAreAnnouncedOncePerChangeByPoolNameAcrossRestarts() throws {
        let directory = try TemporaryDirectory()
        let configuration = try configuration("""
            virtual_server 192.0.2.93 80 {
                protocol TCP
                quorum 2
                real_server 198.51.100.72 80 {
                }
                real_server 198.51.100.80 80 {
                }
            }
            virtual_server 192.0.2.94 81 {
                protocol TCP
                real_server 198.51.100.72 8081 {
                }
            }
            """, in: directory)
        let k = keeper(FakeIPVSKernel(), configuration, directory)
        let path = directory.url.appendingPathComponent("ipvsd.quorum").path
        var announcements = QuorumAnnouncements(path: path)
        #expect(announcements.announced.isEmpty && !announcements.hasListeners)
        let connection = NSObject()
        announcements.synchronized(connection)
        #expect(announcements.isSynchronized(connection) && announcements.hasListeners)
        k.reconcile(reason: "start")
        #expect(configuration.virtualServers.map(\.poolName) == ["TCP 192.0.2.93:80", "TCP 192.0.2.94:81"])
        #expect(announcements.changes(to: k.quorumUp).map { "\($0.name) \($0.up)" }
            == ["TCP 192.0.2.93:80 true", "TCP 192.0.2.94:81 true"])
        #expect(announcements.changes(to: k.quorumUp).isEmpty)
        let down = RealServerHealth(id: RealServerID(protocol: .tcp, virtualAddress: IPAddress("192.0.2.93")!, virtualPort: 80,
                                                     realAddress: IPAddress("198.51.100.80")!, realPort: 80), up: false, weight: 1)
        #expect(k.record(down))
        k.reconcileHealthChanges()
        #expect(announcements.changes(to: k.quorumUp).map { "\($0.name) \($0.up)" } == ["TCP 192.0.2.93:80 false"])
        #expect(announcements.save())

        // A restarted ipvsd reads what was announced: nothing is new to checkd.
        let restarted = QuorumAnnouncements(path: path)
        #expect(restarted.announced == ["TCP 192.0.2.93:80": false, "TCP 192.0.2.94:81": true])
        var afterRestart = restarted
        #expect(afterRestart.changes(to: k.quorumUp).isEmpty)
        announcements.forget(connection)
        #expect(!announcements.isSynchronized(connection) && !announcements.hasListeners)
    }

    /// After a refused operation the view of the kernel is not trusted: the next health change reads it again.
    @Test func aHealthChangeAfterAFailureReadsTheKernel() throws {
        let directory = try TemporaryDirectory()
        let fake = FakeIPVSKernel()
        let k = try keeperAfterARefusedDestination(fake, directory)
        let down = RealServerHealth(id: RealServerID(protocol: .tcp, virtualAddress: IPAddress("192.0.2.93")!, virtualPort: 80,
                                                     realAddress: IPAddress("198.51.100.72")!, realPort: 80), up: false, weight: 1)
        #expect(k.record(down))
        let before = fake.commands.count
        #expect(k.reconcileHealthChanges() == ReconcileSummary(applied: 2, failed: 0), "rs72 removed, rs80 retried")
        #expect(fake.commands[before] == IPVSCommandNumber.getService, "a dump first: \(fake.commands[before...])")
        #expect(fake.table.servers[vip93]?.destinations.keys.sorted() == [rs80])
    }

    /// A reload compares the new configuration with ipvsd's trusted view of the kernel instead of reading the
    /// whole table again; a change made behind its back waits for the next periodic reconcile, which reads it.
    @Test func aReloadWritesOnlyWhatChangedWithoutReadingTheKernel() throws {
        let directory = try TemporaryDirectory()
        let fake = FakeIPVSKernel()
        fake.table = IPVSTable([foreign])
        let k = keeper(fake, try configuration(twoServices, in: directory), directory)
        k.reconcile(reason: "start")
        // Behind ipvsd's back: a weight changed with ipvsadm.
        var edited = try #require(fake.table.servers[vip93]?.destinations[rs72])
        edited.weight = 50
        try fake.table.apply(.editDestination(vip93, edited))
        // The reload: rs80's weight 2 -> 3, and the UDP service gone from the file.
        let before = fake.commands.count
        let secondService = try #require(twoServices.range(of: "virtual_server 192.0.2.94"))
        let firstServiceOnly = twoServices[..<secondService.lowerBound]
        k.update(try configuration(firstServiceOnly.replacingOccurrences(of: "weight 2", with: "weight 3"), in: directory))
        #expect(k.reconcile(reason: "reload", usingKnownView: true) == ReconcileSummary(applied: 2, failed: 0))
        let sent = Array(fake.commands[before...])
        #expect(sent.sorted() == [IPVSCommandNumber.delService, IPVSCommandNumber.setDest].sorted(), "no dump: \(sent)")
        #expect(fake.table.servers[vip93]?.destinations.mapValues(\.weight) == [rs72: 50, rs80: 3])
        #expect(fake.table.servers[vip94] == nil)
        #expect(fake.table.servers[foreign.service.key] == foreign)
        // The next periodic reconcile reads the kernel and undoes the edit.
        #expect(k.reconcile(reason: "periodic") == ReconcileSummary(applied: 1, failed: 0))
        #expect(fake.table.servers[vip93]?.destinations.mapValues(\.weight) == [rs72: 1, rs80: 3])
    }

    @Test func aReloadAfterAFailureReadsTheKernel() throws {
        let directory = try TemporaryDirectory()
        let fake = FakeIPVSKernel()
        let k = try keeperAfterARefusedDestination(fake, directory)
        let before = fake.commands.count
        k.update(try configuration(twoServices, in: directory))
        #expect(k.reconcile(reason: "reload", usingKnownView: true) == ReconcileSummary(applied: 1, failed: 0))
        #expect(fake.commands[before] == IPVSCommandNumber.getService, "the view is not trusted: a dump first")
        #expect(fake.table.servers[vip93]?.destinations[rs80]?.weight == 2)
    }

    @Test func aRefusedOperationIsCountedAndRetriedNextTime() throws {
        let directory = try TemporaryDirectory()
        let fake = FakeIPVSKernel()
        fake.refuseDestination = rs80
        let k = keeper(fake, try configuration(twoServices, in: directory), directory)
        #expect(k.reconcile(reason: "start") == ReconcileSummary(applied: 4, failed: 1))
        #expect(fake.table.servers[vip93]?.destinations[rs80] == nil)
        fake.refuseDestination = nil
        #expect(k.reconcile(reason: "periodic") == ReconcileSummary(applied: 1, failed: 0))
        #expect(fake.table.servers[vip93]?.destinations[rs80]?.weight == 2)
    }

    @Test func flushOnStopRemovesOnlyManagedServices() throws {
        let directory = try TemporaryDirectory()
        let fake = FakeIPVSKernel()
        fake.table = IPVSTable([foreign])
        let k = keeper(fake, try configuration(twoServices, in: directory), directory)
        k.reconcile(reason: "start")
        k.removeManagedServices()
        #expect(fake.table == IPVSTable([foreign]))
        #expect(fake.flushes == 0)
    }

    @Test func theSyncDaemonFollowsTheTrackedInstance() throws {
        let fake = FakeIPVSKernel()
        let settings = LVSSyncDaemon(interface: "eth0", vrrpInstance: "VI_1", syncID: 5,
                                     location: ConfigLocation(file: "t", line: 1, column: 1))
        let control = SyncDaemonControl(kernel: IPVSKernel(transport: fake, familyID: FakeIPVSKernel.family),
                                        settings: settings, logger: quiet)
        control.instance("VI_2", isNow: .master)
        #expect(fake.syncDaemons.isEmpty, "another instance")
        control.instance("VI_1", isNow: .backup)
        #expect(Set(fake.syncDaemons.keys) == [.backup])
        control.instance("VI_1", isNow: .master)
        #expect(Set(fake.syncDaemons.keys) == [.master])
        #expect(fake.syncDaemons[.master]?.interface == "eth0")
        #expect(fake.syncDaemons[.master]?.syncID == 5)
        control.instance("VI_1", isNow: .fault)
        #expect(Set(fake.syncDaemons.keys) == [.backup])
    }

    @Test func theNewRoleStartsFirstAndTheOldStopsAfterTheOverlap() throws {
        let fake = FakeIPVSKernel()
        let settings = LVSSyncDaemon(interface: "eth0", vrrpInstance: "VI_1", syncID: 5,
                                     location: ConfigLocation(file: "t", line: 1, column: 1))
        var pending: [(Duration, () -> Void)] = []
        let control = SyncDaemonControl(kernel: IPVSKernel(transport: fake, familyID: FakeIPVSKernel.family),
                                        settings: settings, logger: quiet, overlap: .seconds(5),
                                        schedule: { pending.append(($0, $1)) })
        control.instance("VI_1", isNow: .backup)
        control.instance("VI_1", isNow: .master)
        // Both run until the overlap has passed: connections the old master still takes are synced meanwhile.
        #expect(Set(fake.syncDaemons.keys) == [.master, .backup])
        #expect(pending.map(\.0) == [.seconds(5), .seconds(5)])
        pending.removeLast().1()
        #expect(Set(fake.syncDaemons.keys) == [.master])
        // A flip back before the overlap ends keeps the role that is wanted again.
        control.instance("VI_1", isNow: .backup)
        control.instance("VI_1", isNow: .master)
        for (_, stop) in pending { stop() }
        #expect(fake.syncDaemons.keys.contains(.master))
    }

    @Test func managedServiceLinesRoundTrip() {
        let keys: [IPVSServiceKey] = [vip93, vip94, .address(.sctp, IPAddress("2001:db8::1")!, port: 5060),
                                      .firewallMark(.ipv6, 77), .firewallMark(.ipv4, 1)]
        for key in keys {
            #expect(ManagedServices.parse(Substring(ManagedServices.format(key))) == key)
        }
        #expect(ManagedServices.parse("tcp 192.0.2.1") == nil)
        #expect(ManagedServices.parse("fwmark ipx 1") == nil)
    }
}

@Suite struct IPVSDaemonProcessTests {
    /// On a kernel without IPVS, ipvsd must stop at once and say why.
    @Test(.enabled(if: !FileManager.default.fileExists(atPath: "/proc/net/ip_vs"),
                   "this kernel has IPVS; the no-IPVS message cannot be shown here"))
    func withoutIPVSInTheKernelIpvsdRefusesToStartWithAClearMessage() throws {
        let directory = try TemporaryDirectory()
        let config = Inputs.repository.appendingPathComponent("Configs/dr/lb01.conf").path
        let (status, output) = try DaemonProcess.run(
            "ipvsd", ["-f", config, "--log-console", "--runtime-dir", directory.url.path])
        #expect(status == 1)
        #expect(output.contains(
            "the kernel has no IPVS (ip_vs module not loaded, or CONFIG_IP_VS unset): run `modprobe ip_vs`"), "\(output)")
    }
}

/// keepalived.conf → pools: what each keyword becomes in the kernel's terms.
@Suite struct IPVSPoolMappingTests {
    @Test func groupsFwmarksTunnelsSorryServersAndPersistence() throws {
        let directory = try TemporaryDirectory()
        let config = try configuration("""
            virtual_server_group web {
                192.0.2.20-22 80
                fwmark 9
            }
            virtual_server group web {
                protocol TCP
                lb_algo sh
                lb_kind TUN
                sh-port
                persistence_timeout 0
                alpha
                sorry_server 203.0.113.9 8080
                sorry_server_inhibit
                real_server 198.51.100.5 80 {
                    weight 3
                    TCP_CHECK {
                    }
                }
                real_server 198.51.100.6 80 {
                }
            }
            virtual_server fwmark 12 {
                lb_algo rr
                lb_kind DR
                persistence_timeout 60
                real_server 2001:db8::5 {
                }
            }
            """, in: directory)
        let pools = PoolMap(config).pools
        #expect(pools.count == 2)
        let group = try #require(pools.first)
        let keys = group.services.map(\.key)
        #expect(keys == [.address(.tcp, IPAddress("192.0.2.20")!, port: 80), .address(.tcp, IPAddress("192.0.2.21")!, port: 80),
                         .address(.tcp, IPAddress("192.0.2.22")!, port: 80), .firewallMark(.ipv4, 9)])
        for service in group.services {
            #expect(service.scheduler == "sh")
            #expect(service.flags == .shPort, "persistence_timeout 0 is no persistence")
            #expect(service.timeout == 0)
        }
        #expect(group.realServers.map(\.destination.forwarding) == [.tunnel(IPVSTunnel()), .tunnel(IPVSTunnel())])
        #expect(group.realServers.map(\.destination.weight) == [3, 1])
        #expect(group.realServers.map(\.startsUp) == [false, true],
                "alpha waits for a checker; with none, keepalived adds the server at once")
        #expect(group.sorryServer?.key == IPVSDestinationKey(address: IPAddress("203.0.113.9")!, port: 8080))
        #expect(group.sorryServer?.forwarding == .tunnel(IPVSTunnel()), "the virtual server's method by default")
        #expect(group.sorryServerInhibit)
        // TUN forwards unchanged: each destination takes its service's port, 0 in the fwmark service.
        #expect(group.realServers.map(\.servicePorts) == [[80, 80, 80, 0], [80, 80, 80, 0]])
        #expect(group.sorryServerPorts == [80, 80, 80, 0])

        let mark = try #require(pools.last)
        #expect(mark.services.map(\.key) == [.firewallMark(.ipv6, 12)], "the family of its real servers")
        #expect(mark.services.first?.flags == .persistent)
        #expect(mark.services.first?.timeout == 60)
        #expect(mark.services.first?.netmask == 128)
        #expect(mark.realServers.map(\.destination.key) == [IPVSDestinationKey(address: IPAddress("2001:db8::5")!, port: 0)])
        #expect(mark.realServers.map(\.destination.forwarding) == [.route])

        // A health report for a group member finds the group's pool, whichever entry it names.
        let map = PoolMap(config)
        let viaSecondEntry = RealServerID(protocol: .tcp, virtualAddress: IPAddress("192.0.2.21")!, virtualPort: 80,
                                          realAddress: IPAddress("198.51.100.5")!, realPort: 80)
        #expect(map.locate(viaSecondEntry)?.pool == group.name)
        let viaMark = RealServerID(fwmark: 12, realAddress: IPAddress("2001:db8::5")!, realPort: 0)
        #expect(map.locate(viaMark)?.pool == mark.name)
    }

    @Test func persistenceGranularityBecomesTheKernelsNetmask() {
        #expect(PoolMap.netmask(.ipv4Netmask(IPAddress("255.255.255.0")!), family: .ipv4) == 0xFFFF_FF00)
        #expect(PoolMap.netmask(.ipv6PrefixLength(57), family: .ipv6) == 57)
        #expect(PoolMap.netmask(.ipv4Netmask(IPAddress("255.255.0.0")!), family: .ipv6) == nil, "another family's mask is ignored")
        #expect(PoolMap.netmask(nil, family: .ipv4) == nil)
    }
}
