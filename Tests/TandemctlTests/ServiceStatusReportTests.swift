import Control
import Foundation
import Testing
@testable import tandemctl

/// ipvsd's virtual servers and checkd's checkers on the status screen, as problems, and as metrics parsed back
/// by the reference OpenMetrics parser — from statuses given by hand (no sockets).
@Suite struct ServiceStatusReportTests {
    static let now = 1_790_000_100.0

    static func daemon(_ name: String) -> DaemonStatus {
        DaemonStatus(name: name, version: "0.1.0", pid: 7, startedAt: 1_790_000_000, uptimeSeconds: 100,
                     configFile: "/etc/keepalived/keepalived.conf", configLoadedAt: 1_790_000_001)
    }

    static var ipvsd: DaemonStatus {
        var status = daemon("ipvsd")
        let counters = TrafficCounters(connections: 1200, inPackets: 9000, outPackets: 0, inBytes: 1_200_000,
                                       outBytes: 0, connectionsPerSecond: 12, inPacketsPerSecond: 90,
                                       outPacketsPerSecond: 0, inBytesPerSecond: 1536, outBytesPerSecond: 0)
        let web01 = DestinationStatus(address: "192.0.2.11:80", forwarding: "route", weight: 1, activeConnections: 3,
                                      inactiveConnections: 40, counters: TrafficCounters(connections: 600))
        status.virtualServers = [
            VirtualServerStatus(
                name: "TCP 192.0.2.100:80",
                services: [ServiceStatus(service: "TCP 192.0.2.100:80", scheduler: "wrr", inKernel: true,
                                         counters: counters, destinations: [web01])],
                quorumUp: true,
                realServers: [RealServerStatus(address: "192.0.2.11:80", health: "up", weight: 1, inKernel: true),
                              RealServerStatus(address: "192.0.2.12:80", health: "down", weight: 1, inKernel: false)]),
            VirtualServerStatus(
                name: "UDP [2001:db8::100]:53",
                services: [ServiceStatus(service: "UDP [2001:db8::100]:53", scheduler: "rr", inKernel: false)],
                quorumUp: false,
                realServers: [RealServerStatus(address: "[2001:db8::11]:53", health: "provisional", weight: 1, inKernel: false)]),
        ]
        status.syncDaemon = SyncDaemonStatus(interface: "eth1", syncID: 5, instance: "VI_1", running: ["master"])
        return status
    }

    static var checkd: DaemonStatus {
        var status = daemon("checkd")
        status.realServerChecks = [
            RealServerCheckStatus(virtualServer: "TCP 192.0.2.100:80", realServer: "192.0.2.11:80", health: "up", weight: 1,
                                  checkers: [CheckerStatus(kind: "TCP_CHECK", target: "192.0.2.11:80", verdict: "up",
                                                           retriesUsed: 0, retry: 3, lastResult: "success",
                                                           lastLatencySeconds: 0.00123, lastCheckedAt: now - 3)]),
            RealServerCheckStatus(virtualServer: "TCP 192.0.2.100:80", realServer: "192.0.2.12:80", health: "down", weight: 1,
                                  checkers: [CheckerStatus(kind: "HTTP_GET", target: "192.0.2.12:80", verdict: "down",
                                                           retriesUsed: 0, retry: 3, lastResult: "failure",
                                                           lastError: "connection refused", lastLatencySeconds: 0.0004,
                                                           lastCheckedAt: now - 1)]),
        ]
        status.trackScripts = [TrackScriptStatus(name: "chk_nginx", status: "ok", rise: 2, fall: 3, towardsChange: 1,
                                                 lastExit: "exited 1", lastRunAt: now - 2)]
        return status
    }

    static var answers: [(name: String, socket: String, answer: StatusReport.Answer)] {
        [(name: "ipvsd", socket: "/run/tandem/ipvsd.control", answer: .status(ipvsd)),
         (name: "checkd", socket: "/run/tandem/checkd.control", answer: .status(checkd))]
    }

    @Test func eachRealServerShowsTheKernelsWeightAndTheLastCheck() {
        let report = StatusReport(runtimeDirectory: "/run/tandem", answers: Self.answers, configModified: { _ in nil })
        let text = report.text(now: Self.now)
        let expected = """
            Virtual servers:
              TCP 192.0.2.100:80
                TCP 192.0.2.100:80 wrr  1200 connections, 12/s, in 1.5 KiB/s out 0 B/s
                192.0.2.11:80         UP  weight 1  3 active 40 inactive
                    TCP_CHECK 192.0.2.11:80 up: success in 1.2 ms, 3s ago
                192.0.2.12:80         DOWN  weight 1  not in the kernel
                    HTTP_GET 192.0.2.12:80 down: failure (connection refused) in 0.4 ms, 1s ago
              UDP [2001:db8::100]:53  QUORUM DOWN
                UDP [2001:db8::100]:53 rr  NOT IN THE KERNEL
                [2001:db8::11]:53     PROVISIONAL  weight 1  not in the kernel

            Track scripts:
              chk_nginx  OK (1/3 towards failed)  last exited 1, 2s ago

            Sync daemon: master on eth1, syncid 5, follows VI_1
            """
        #expect(text.contains(expected), "\(text)")
        #expect(report.problems == ["TCP 192.0.2.100:80: real server 192.0.2.12:80 down",
                                    "UDP [2001:db8::100]:53 has lost its quorum",
                                    "UDP [2001:db8::100]:53 (UDP [2001:db8::100]:53) is not in the kernel"])
    }

    @Test func checkdsViewStandsAloneWhenIpvsdDoesNotAnswer() {
        let report = StatusReport(runtimeDirectory: "/run/tandem",
                                  answers: [(name: "ipvsd", socket: "/run/tandem/ipvsd.control", answer: .failed("ENOENT")),
                                            (name: "checkd", socket: "/run/tandem/checkd.control", answer: .status(Self.checkd))],
                                  configModified: { _ in nil })
        let text = report.text(now: Self.now)
        #expect(text.contains("  TCP 192.0.2.100:80  (checkd's view)\n    192.0.2.11:80         UP  weight 1\n"), "\(text)")
        #expect(report.problems == ["ipvsd is not reachable: ENOENT"])
    }

    @Test func aKernelErrorIsAProblemAndHidesTheMissingServices() {
        var ipvsd = Self.ipvsd
        ipvsd.kernelError = "netlink: EPERM"
        let report = StatusReport(runtimeDirectory: "/run/tandem",
                                  answers: [(name: "ipvsd", socket: "/run/tandem/ipvsd.control", answer: .status(ipvsd))],
                                  configModified: { _ in nil })
        #expect(report.problems.first == "ipvsd could not read the kernel's IPVS table: netlink: EPERM")
        #expect(!report.problems.contains { $0.contains("is not in the kernel") })
    }

    @Test(.enabled(if: TandemctlMetricsTests.parserAvailable, "needs Debian's python3-prometheus-client (scripts/install-deps)"))
    func servicesChecksAndAdvertCountersAreValidOpenMetrics() throws {
        var vrrpd = Self.daemon("vrrpd")
        var instance = InstanceStatus(name: "VI_1", state: "backup", effectivePriority: 100)
        instance.advertsSent = 0
        instance.advertsReceived = 4321
        instance.transitions = 3
        instance.becameMaster = 1
        instance.masterAddress = "192.0.2.2"
        instance.masterPriority = 150
        var other = InstanceStatus(name: "VI_2", state: "master", effectivePriority: 150)
        other.droppedAdverts = ["authFailure": 7]
        other.otherMasterAddress = "192.0.2.3"
        other.otherMasterSeenAt = Self.now - 1
        vrrpd.instances = [instance, other]
        let answers = Self.answers + [(name: "vrrpd", socket: "/run/tandem/vrrpd.control", answer: .status(vrrpd))]
        let samples = try TandemctlMetricsTests.parse(OpenMetricsText(answers: answers).text)
        func value(_ name: String, _ labels: [String: String]) -> Double? {
            samples.first { $0.name == name && $0.labels == labels }?.value
        }
        func type(_ family: String) -> String? { samples.first { $0.family == family }?.type }
        let vi1 = ["instance": "VI_1"]
        #expect(value("tandem_vrrp_adverts_received_total", vi1) == 4321 && type("tandem_vrrp_adverts_received") == "counter", "\(samples.filter { $0.name.hasPrefix("tandem_vrrp") })")
        #expect(value("tandem_vrrp_adverts_sent_total", vi1) == 0)
        #expect(value("tandem_vrrp_transitions_total", vi1) == 3 && value("tandem_vrrp_became_master_total", vi1) == 1)
        #expect(value("tandem_vrrp_master_priority", ["instance": "VI_1", "master": "192.0.2.2"]) == 150)
        #expect(value("tandem_vrrp_instance_dropped_packets_total", ["instance": "VI_2", "reason": "authFailure"]) == 7)
        #expect(value("tandem_vrrp_other_master_time_seconds", ["instance": "VI_2", "master": "192.0.2.3"]) == Self.now - 1)

        let vs = "TCP 192.0.2.100:80"
        #expect(value("tandem_virtual_server_quorum_up", ["virtual_server": vs]) == 1)
        #expect(value("tandem_virtual_server_quorum_up", ["virtual_server": "UDP [2001:db8::100]:53"]) == 0)
        #expect(value("tandem_real_server_up", ["virtual_server": vs, "real_server": "192.0.2.11:80"]) == 1)
        #expect(value("tandem_real_server_up", ["virtual_server": vs, "real_server": "192.0.2.12:80"]) == 0)
        #expect(!samples.contains { $0.name == "tandem_real_server_up" && $0.labels["real_server"] == "[2001:db8::11]:53" },
                "a provisional server has no verdict to export")
        let service = ["service": vs]
        #expect(value("tandem_ipvs_service_connections_total", service) == 1200 && type("tandem_ipvs_service_connections") == "counter")
        #expect(value("tandem_ipvs_service_in_bytes_per_second", service) == 1536 && type("tandem_ipvs_service_in_bytes_per_second") == "gauge")
        #expect(value("tandem_ipvs_service_in_kernel", ["service": "UDP [2001:db8::100]:53"]) == 0)
        let destination = ["service": vs, "destination": "192.0.2.11:80"]
        #expect(value("tandem_ipvs_destination_connections_total", destination) == 600)
        #expect(value("tandem_ipvs_destination_active_connections", destination) == 3)
        #expect(value("tandem_ipvs_destination_inactive_connections", destination) == 40)
        #expect(value("tandem_ipvs_destination_weight", destination) == 1)
        #expect(value("tandem_ipvs_sync_daemon", ["interface": "eth1", "tandem_ipvs_sync_daemon": "master"]) == 1)
        #expect(value("tandem_ipvs_sync_daemon", ["interface": "eth1", "tandem_ipvs_sync_daemon": "backup"]) == 0)

        let check = ["virtual_server": vs, "real_server": "192.0.2.12:80", "checker": "HTTP_GET", "target": "192.0.2.12:80"]
        #expect(value("tandem_check_up", check) == 0)
        #expect(value("tandem_check_latency_seconds", check) == 0.0004)
        #expect(value("tandem_check_last_time_seconds", check) == Self.now - 1)
        #expect(value("tandem_check_retries_used", check) == 0)
        #expect(value("tandem_track_script_ok", ["script": "chk_nginx"]) == 1)
    }
}
