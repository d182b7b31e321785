// ipvsd's part of a status answer: the pure builder (TableKeeper's state and a kernel dump in, the Control
// types out), then describe(into:) in process on the fake kernel, which reports counters as the kernel does.
import Control
import Foundation
@testable import IPVS
@testable import KeepalivedConfig
import Testing
import TestSupport
import Vocabulary
import Wire
@testable import ipvsd

private let web = """
    virtual_server 192.0.2.93 80 {
        lb_algo wrr
        lb_kind DR
        protocol TCP
        sorry_server 198.51.100.99 80
        real_server 198.51.100.72 80 {
            weight 3
            TCP_CHECK {
                connect_timeout 3
            }
        }
        real_server 198.51.100.80 80 {
            weight 2
            inhibit_on_failure
            TCP_CHECK {
                connect_timeout 3
            }
        }
        real_server 198.51.100.81 80 {
            weight 1
        }
        real_server 198.51.100.82 80 {
            weight 1
            TCP_CHECK {
                connect_timeout 3
            }
        }
    }
    """

private let vip93: IPVSServiceKey = .address(.tcp, IPAddress("192.0.2.93")!, port: 80)
private func rs(_ address: String, _ port: UInt16 = 80) -> IPVSDestinationKey {
    IPVSDestinationKey(address: IPAddress(address)!, port: port)
}

private func pools(_ text: String) throws -> [IPVSPoolSpec] { PoolMap(try ipvsdConfiguration(text)).pools }

/// The kernel holding exactly what ipvsd wants for `pools` under `health`, every counter zero.
private func kernel(holding pools: [IPVSPoolSpec], health: [String: [IPVSDestinationKey: IPVSHealth]] = [:])
    -> [IPVSKernelService] {
    let table = desiredState(pools: pools, health: health, previousQuorumUp: [:]).table
    return table.servers.values.sorted { $0.service.key < $1.service.key }.map { server in
        IPVSKernelService(entry: IPVSServiceEntry(service: server.service),
                          destinations: server.destinations.values.map { IPVSDestinationEntry(destination: $0) })
    }
}

private func stats(connections: UInt64, rate: UInt64) -> IPVSStats {
    var s = IPVSStats()
    s.connections = connections
    s.inPackets = connections * 10
    s.outPackets = connections * 9
    s.inBytes = connections * 1000
    s.outBytes = connections * 9000
    s.connectionRate = rate
    s.inPacketRate = rate * 10
    s.outPacketRate = rate * 9
    s.inByteRate = rate * 1000
    s.outByteRate = rate * 9000
    return s
}

@Suite struct VirtualServerStatusBuilderTests {
    @Test func eachHealthIsSpelledFromTheKeepersState() throws {
        let pools = try pools(web)
        let name = try #require(pools.first?.name)
        #expect(name == "TCP 192.0.2.93:80")
        let health: [String: [IPVSDestinationKey: IPVSHealth]] = [name: [
            rs("198.51.100.72"): IPVSHealth(up: true, weight: 3),
            rs("198.51.100.80"): IPVSHealth(up: false, weight: 2),
            rs("198.51.100.82"): IPVSHealth(up: true, weight: 1),
        ]]
        let statuses = virtualServerStatuses(
            pools: pools, health: health, provisional: [name: [rs("198.51.100.82")]], quorumUp: [name: true],
            kernel: kernel(holding: pools, health: health))
        let server = try #require(statuses.first)
        #expect(statuses.count == 1)
        #expect(server.name == name)
        #expect(server.quorumUp)
        #expect(server.realServers == [
            RealServerStatus(address: "198.51.100.72:80", health: "up", weight: 3, inKernel: true),
            // inhibit_on_failure: down, and still in the kernel with weight 0.
            RealServerStatus(address: "198.51.100.80:80", health: "down", weight: 2, inKernel: true),
            RealServerStatus(address: "198.51.100.81:80", health: "unchecked", weight: 1, inKernel: true),
            RealServerStatus(address: "198.51.100.82:80", health: "provisional", weight: 1, inKernel: true),
            // The sorry server is not in use while the quorum holds.
            RealServerStatus(address: "198.51.100.99:80", health: "sorry", weight: 1, inKernel: false),
        ])
        let service = try #require(server.services.first)
        #expect(service.service == "TCP 192.0.2.93:80")
        #expect(service.scheduler == "wrr")
        #expect(service.inKernel)
        #expect(service.destinations.map(\.address) == ["198.51.100.72:80", "198.51.100.80:80", "198.51.100.81:80",
                                                         "198.51.100.82:80"])
        #expect(service.destinations.map(\.weight) == [3, 0, 1, 1])
        #expect(service.destinations.allSatisfy { $0.forwarding == "route" })
    }

    @Test func aDownServerWithoutInhibitIsOutOfTheKernel() throws {
        let pools = try pools(web)
        let name = pools[0].name
        let health = [name: [rs("198.51.100.72"): IPVSHealth(up: false, weight: 3)]]
        let server = try #require(virtualServerStatuses(pools: pools, health: health, provisional: [:],
                                                        quorumUp: [name: true],
                                                        kernel: kernel(holding: pools, health: health)).first)
        #expect(server.realServers[0] == RealServerStatus(address: "198.51.100.72:80", health: "down", weight: 3,
                                                          inKernel: false))
        #expect(!server.services[0].destinations.contains { $0.address == "198.51.100.72:80" })
    }

    @Test func theSorryServerIsInTheKernelWhileTheQuorumIsLost() throws {
        let pools = try pools(web.replacingOccurrences(of: "lb_kind DR", with: "lb_kind DR\n    quorum 10"))
        let name = pools[0].name
        let server = try #require(virtualServerStatuses(pools: pools, health: [:], provisional: [:],
                                                        quorumUp: [name: false],
                                                        kernel: kernel(holding: pools)).first)
        #expect(!server.quorumUp)
        #expect(server.realServers.last == RealServerStatus(address: "198.51.100.99:80", health: "sorry", weight: 1,
                                                            inKernel: true))
        // The real servers make way for it; the inhibit_on_failure one stays with weight 0.
        #expect(server.realServers.dropLast().map(\.inKernel) == [false, true, false, false])
        #expect(server.services[0].destinations.map(\.weight) == [0, 1])
    }

    @Test func alphaWithoutAVerdictIsDown() throws {
        let pools = try pools(web.replacingOccurrences(of: "lb_kind DR", with: "lb_kind DR\n    alpha"))
        let server = try #require(virtualServerStatuses(pools: pools, health: [:], provisional: [:], quorumUp: [:],
                                                        kernel: kernel(holding: pools)).first)
        #expect(server.realServers.map(\.health) == ["down", "down", "unchecked", "down", "sorry"])
    }

    @Test func countersAndConnectionCountsAreCarried() throws {
        let pools = try pools(web)
        var held = kernel(holding: pools)
        held[0].entry.stats = stats(connections: 120, rate: 4)
        let index = try #require(held[0].destinations.firstIndex { $0.destination.key == rs("198.51.100.80") })
        held[0].destinations[index].activeConnections = 7
        held[0].destinations[index].inactiveConnections = 2
        held[0].destinations[index].stats = stats(connections: 60, rate: 2)
        let service = try #require(virtualServerStatuses(pools: pools, health: [:], provisional: [:], quorumUp: [:],
                                                         kernel: held).first?.services.first)
        #expect(service.counters == TrafficCounters(connections: 120, inPackets: 1200, outPackets: 1080, inBytes: 120_000,
                                                    outBytes: 1_080_000, connectionsPerSecond: 4, inPacketsPerSecond: 40,
                                                    outPacketsPerSecond: 36, inBytesPerSecond: 4000,
                                                    outBytesPerSecond: 36_000))
        let destination = try #require(service.destinations.first { $0.address == "198.51.100.80:80" })
        #expect(destination.activeConnections == 7)
        #expect(destination.inactiveConnections == 2)
        #expect(destination.counters.connections == 60)
        #expect(destination.counters.outBytesPerSecond == 18_000)
    }

    @Test func aGroupHasAServicePerEntryAndAServiceMissingFromTheKernel() throws {
        let text = """
            virtual_server_group web {
                192.0.2.93 80
                192.0.2.94 8080
            }
            virtual_server group web {
                lb_algo rr
                lb_kind NAT
                protocol TCP
                real_server 198.51.100.72 80 {
                    weight 1
                }
            }
            """
        let pools = try pools(text)
        #expect(pools[0].name == "TCP group web")
        // The second service was removed behind ipvsd's back.
        let held = kernel(holding: pools).filter { $0.entry.service.key == vip93 }
        let server = try #require(virtualServerStatuses(pools: pools, health: [:], provisional: [:],
                                                        quorumUp: [pools[0].name: true], kernel: held).first)
        #expect(server.name == "TCP group web")
        #expect(server.services.map(\.service) == ["TCP 192.0.2.93:80", "TCP 192.0.2.94:8080"])
        #expect(server.services.map(\.inKernel) == [true, false])
        #expect(server.services[0].destinations.map(\.forwarding) == ["masq"])
        #expect(server.services[1] == ServiceStatus(service: "TCP 192.0.2.94:8080", scheduler: "rr", inKernel: false))
        // In the kernel for only one of the block's services: not in the kernel.
        #expect(server.realServers == [RealServerStatus(address: "198.51.100.72:80", health: "unchecked", weight: 1,
                                                        inKernel: false)])
    }

    @Test func ipv6AndFirewallMarksAreSpelledAsIpvsadmDoes() throws {
        let text = """
            virtual_server 2001:db8::100 53 {
                lb_algo rr
                lb_kind NAT
                protocol UDP
                real_server 2001:db8::11 53 {
                    weight 1
                }
            }
            virtual_server fwmark 7 {
                lb_algo sh
                lb_kind DR
                protocol TCP
                real_server 192.0.2.20 443 {
                    weight 1
                }
            }
            """
        let pools = try pools(text)
        let statuses = virtualServerStatuses(pools: pools, health: [:], provisional: [:], quorumUp: [:],
                                             kernel: kernel(holding: pools))
        #expect(statuses.map(\.services.first?.service) == ["UDP [2001:db8::100]:53", "FWM 7"])
        #expect(statuses[0].realServers.map(\.address) == ["[2001:db8::11]:53"])
        #expect(statuses[0].services[0].destinations.map(\.address) == ["[2001:db8::11]:53"])
        #expect(statuses.allSatisfy { $0.realServers.allSatisfy(\.inKernel) })
        #expect(serviceName(.firewallMark(.ipv6, 7)) == "FWM 7 IPv6")
    }

    @Test func withoutTheKernelsTableTheConfiguredViewAloneIsGiven() throws {
        let pools = try pools(web)
        let server = try #require(virtualServerStatuses(pools: pools, health: [:], provisional: [:], quorumUp: [:],
                                                        kernel: nil).first)
        #expect(server.services == [ServiceStatus(service: "TCP 192.0.2.93:80", scheduler: "wrr", inKernel: false)])
        #expect(server.realServers.allSatisfy { !$0.inKernel })
        #expect(server.realServers.map(\.health) == ["up", "up", "unchecked", "up", "sorry"])
    }

    @Test func theSyncDaemonShowsTheRolesTheKernelRuns() throws {
        let settings = LVSSyncDaemon(interface: "eth1", vrrpInstance: "VI_1", syncID: 9,
                                     location: ConfigLocation(file: "k.conf", line: 1, column: 1))
        #expect(syncDaemonStatus(nil, running: []) == nil)
        let both = [IPVSSyncDaemon(state: .backup, interface: "eth1", syncID: 9),
                    IPVSSyncDaemon(state: .master, interface: "eth1", syncID: 9)]
        #expect(syncDaemonStatus(settings, running: both)
                == SyncDaemonStatus(interface: "eth1", syncID: 9, instance: "VI_1", running: ["master", "backup"]))
        #expect(syncDaemonStatus(settings, running: nil)?.running == [])
    }
}

private let synced = """
    global_defs {
        lvs_sync_daemon eth0 VI_1 id 9
    }
    vrrp_instance VI_1 {
        interface lo
        virtual_router_id 51
        priority 100
        virtual_ipaddress {
            192.0.2.10
        }
    }
    virtual_server 192.0.2.93 80 {
        protocol TCP
        lb_algo wlc
        lb_kind DR
        real_server 198.51.100.72 80 {
            weight 1
            TCP_CHECK {
            }
        }
        real_server 198.51.100.80 80 {
            weight 1
            inhibit_on_failure
            TCP_CHECK {
            }
        }
    }
    """

private func describe(_ ipvsd: IPVSDaemonInProcess) -> DaemonStatus {
    var status = DaemonStatus(name: "ipvsd", version: "test", pid: 1, startedAt: 0, uptimeSeconds: 0, configFile: "",
                              configLoadedAt: 0)
    ipvsd.service.describe(into: &status)
    return status
}

/// describe(into:) on the fake kernel, whose dumps carry counters and sync daemons as the kernel's do.
@Suite(.serialized) struct IPVSStatusInProcessTests {
    @Test func describeShowsHealthKernelWeightsCountersAndTheSyncDaemon() throws {
        let kernel = FakeIPVSKernel()
        let directory = try TemporaryDirectory()
        let ipvsd = try IPVSDaemonInProcess(synced, kernel: kernel, directory: directory)
        let atStart = describe(ipvsd)
        #expect(atStart.kernelError == nil)
        #expect(atStart.syncDaemon == SyncDaemonStatus(interface: "eth0", syncID: 9, instance: "VI_1", running: []))
        #expect(atStart.virtualServers?.first?.realServers.map(\.health) == ["up", "up"], "the start state")
        #expect(atStart.virtualServers?.first?.realServers.allSatisfy(\.inKernel) == true)

        var traffic = IPVSStats()
        traffic.connections = 42
        traffic.inBytes = 4200
        traffic.connectionRate = 3
        kernel.serviceStats[vip93] = traffic
        kernel.destinationCounters[vip93] = [rs("198.51.100.72"): .init(active: 5, inactive: 1, stats: traffic)]
        let vrrpd = ipvsd.peer(sending: [.hello(role: .vrrpd, pid: 2),
                                         .instanceState(name: "VI_1", state: .master, priority: 100)])
        let checkd = ipvsd.checkd([verdict("198.51.100.72", up: true), verdict("198.51.100.80", up: false)])
        #expect(ipvsd.deliver {
            kernel.syncDaemons[.master] != nil && kernel.table.servers[vip93]?.destinations[rs("198.51.100.80")]?.weight == 0
        })
        let status = describe(ipvsd)
        withExtendedLifetime((vrrpd, checkd)) {}
        #expect(status.kernelError == nil)
        #expect(status.syncDaemon?.running == ["master"])
        let server = try #require(status.virtualServers?.first)
        #expect(server.name == "TCP 192.0.2.93:80")
        #expect(server.quorumUp)
        #expect(server.realServers == [
            RealServerStatus(address: "198.51.100.72:80", health: "up", weight: 1, inKernel: true),
            RealServerStatus(address: "198.51.100.80:80", health: "down", weight: 1, inKernel: true),
        ])
        let service = try #require(server.services.first)
        #expect(service.scheduler == "wlc")
        #expect(service.counters == TrafficCounters(connections: 42, inBytes: 4200, connectionsPerSecond: 3))
        #expect(service.destinations == [
            DestinationStatus(address: "198.51.100.72:80", forwarding: "route", weight: 1, activeConnections: 5,
                              inactiveConnections: 1,
                              counters: TrafficCounters(connections: 42, inBytes: 4200, connectionsPerSecond: 3)),
            DestinationStatus(address: "198.51.100.80:80", forwarding: "route", weight: 0, activeConnections: 0,
                              inactiveConnections: 0, counters: TrafficCounters()),
        ])
        // A status changes nothing in the kernel: dumps only.
        let mutating = kernel.mutatingRequests
        _ = describe(ipvsd)
        #expect(kernel.mutatingRequests == mutating)
    }

    @Test func aTableThatCannotBeReadGivesTheConfiguredViewAndTheError() throws {
        let kernel = FakeIPVSKernel()
        let directory = try TemporaryDirectory()
        let ipvsd = try IPVSDaemonInProcess(synced, kernel: kernel, directory: directory)
        kernel.refuseServiceDump = 1
        let status = describe(ipvsd)
        let error = try #require(status.kernelError)
        #expect(error.contains("cannot read the kernel's IPVS table") && error.contains("EPERM"), "\(error)")
        let server = try #require(status.virtualServers?.first)
        #expect(server.services == [ServiceStatus(service: "TCP 192.0.2.93:80", scheduler: "wlc", inKernel: false)])
        #expect(server.realServers.map(\.inKernel) == [false, false])
        #expect(status.syncDaemon != nil, "the sync daemons are read apart from the table")
    }

    @Test func withoutLvsSyncDaemonNoSyncDaemonIsReportedOrAsked() throws {
        let kernel = FakeIPVSKernel()
        let directory = try TemporaryDirectory()
        let text = String(synced[synced.range(of: "virtual_server")!.lowerBound...])
        let ipvsd = try IPVSDaemonInProcess(text, kernel: kernel, directory: directory)
        let status = describe(ipvsd)
        #expect(status.syncDaemon == nil)
        #expect(status.virtualServers?.count == 1)
        #expect(!kernel.commands.contains(IPVSCommandNumber.getDaemon))
        // Absent optional fields stay out of the answer.
        let json = String(decoding: try JSONEncoder().encode(status), as: UTF8.self)
        #expect(!json.contains("syncDaemon") && !json.contains("kernelError"), "\(json)")
    }

    /// 2,000 services of two destinations each: one status answer, its dump and its size. The fake answers in
    /// process, so this is ipvsd's own cost (decoding 6,001 dump messages and building the answer), not the
    /// kernel's: the lab's read of 2,000 × 10 takes 2.3 s (bench/results/ipvs.md).
    @Test func aStatusOf2000ServicesIsOneDump() throws {
        var text = ""
        for index in 0..<2000 {
            text += """
                virtual_server 10.\(index / 250).\(index % 250).1 80 {
                    protocol TCP
                    lb_kind DR
                    real_server 198.51.100.1 80 {
                    }
                    real_server 198.51.100.2 80 {
                    }
                }

                """
        }
        let kernel = FakeIPVSKernel()
        let directory = try TemporaryDirectory()
        let ipvsd = try IPVSDaemonInProcess(text, kernel: kernel, directory: directory)
        #expect(kernel.table.servers.count == 2000)
        let before = kernel.commands.count
        let status = describe(ipvsd)
        #expect(kernel.commands.count - before == 2001, "one service dump, one destination dump per service")
        #expect(status.virtualServers?.count == 2000)
        #expect(status.virtualServers?.allSatisfy { $0.realServers.allSatisfy(\.inKernel) } == true)
        let bytes = try JSONEncoder().encode(status).count
        let took = ipvsd.service.lastStatusTook
        print("status of 2000 services (fake kernel): dump \(took.dump), in all \(took.total), \(bytes) bytes of JSON")
        #expect(took.total < .seconds(30))
    }
}
