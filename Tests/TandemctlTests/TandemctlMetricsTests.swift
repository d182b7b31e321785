import Foundation
import TestSupport
import Testing

/// `tandemctl metrics` parsed back by the reference OpenMetrics parser (Debian's python3-prometheus-client), with
/// the daemons down and running, and its `--http` mode answering a real HTTP client (curl).
@Suite(.serialized) struct TandemctlMetricsTests {
    static let parserPath = "/usr/bin/python3"
    static var parserAvailable: Bool {
        NetworkLab.sh("\(parserPath) -c 'import prometheus_client.openmetrics.parser' 2>&1").status == 0
    }

    struct Sample: Decodable, Equatable {
        let family: String
        let type: String
        let name: String
        let labels: [String: String]
        let value: Double
    }

    /// Every sample of the exposition as the reference parser reads it; the parser raises on anything that is not
    /// valid OpenMetrics (a missing `# EOF`, a bad name, a counter sample without `_total`…).
    static func parse(_ text: String) throws -> [Sample] {
        let directory = try TemporaryDirectory()
        let input = directory.file("metrics.txt")
        try text.write(to: input, atomically: true, encoding: .utf8)
        let script = """
            import json, sys
            from prometheus_client.openmetrics.parser import text_string_to_metric_families
            out = []
            for f in text_string_to_metric_families(open(sys.argv[1]).read()):
                for s in f.samples:
                    out.append({"family": f.name, "type": f.type, "name": s.name, "labels": s.labels, "value": s.value})
            print(json.dumps(out))
            """
        let file = directory.file("parse.py")
        try script.write(to: file, atomically: true, encoding: .utf8)
        let result = NetworkLab.sh("\(parserPath) \(file.path) \(input.path) 2>&1")
        guard result.status == 0 else { throw ParseFailure(output: result.output, text: text) }
        return try JSONDecoder().decode([Sample].self, from: Data(result.output.utf8))
    }

    struct ParseFailure: Error, CustomStringConvertible {
        let output: String
        let text: String
        var description: String { "the OpenMetrics parser refused the text: \(output)\n\(text)" }
    }

    @Test(.enabled(if: parserAvailable, "needs Debian's python3-prometheus-client (scripts/install-deps)"))
    func daemonsDownAreUpZeroInValidOpenMetrics() throws {
        let directory = try TemporaryDirectory()
        let run = try TandemctlProcessTests.tandemctl(["metrics", "--runtime-dir", directory.path])
        #expect(run.status == 0, "\(run)")
        #expect(run.standardOutput.hasSuffix("# EOF\n"))
        let samples = try Self.parse(run.standardOutput)
        let up = samples.filter { $0.name == "tandem_daemon_up" }
        #expect(up.map { $0.labels["daemon"] ?? "" } == ["vrrpd", "ipvsd", "checkd"])
        #expect(up.allSatisfy { $0.value == 0 && $0.type == "gauge" })
    }

    @Test(.enabled(if: parserAvailable, "needs Debian's python3-prometheus-client (scripts/install-deps)"),
          .enabled(if: NetworkLab.available, "vrrpd as a process needs root and a network namespace of its own (raw sockets, addresses)"))
    func runningDaemonsGiveTheirStatesPrioritiesAndPeers() throws {
        let directory = try TemporaryDirectory()
        let runtime = directory.file("run").path
        let config = directory.file("keepalived.conf").path
        try FileManager.default.copyItem(
            atPath: TandemctlProcessTests.repository.appendingPathComponent("Configs/nginx-ha/lb01.conf").path, toPath: config)
        // In a namespace of their own: on the test host's eth0 the instance would advertise and could add its VIP.
        let lab = try NetworkLab()
        try lab.addNode("a", addresses: ["192.0.2.1/24"])
        let vrrpd = try lab.spawn("a", DaemonProcess.binary("vrrpd").path, ["-l", "-f", config, "--runtime-dir", runtime],
                                  logFile: directory.file("vrrpd.log"))
        let checkd = try lab.spawn("a", DaemonProcess.binary("checkd").path, ["-l", "-f", config, "--runtime-dir", runtime],
                                   logFile: directory.file("checkd.log"))
        defer {
            _ = checkd.terminate()
            _ = vrrpd.terminate()
        }
        #expect(vrrpd.waitForLog("checkd connected"), "\(vrrpd.log)")
        let run = try TandemctlProcessTests.tandemctl(["metrics", "--runtime-dir", runtime])
        #expect(run.status == 0, "\(run)")
        let samples = try Self.parse(run.standardOutput)
        func value(_ name: String, _ labels: [String: String]) -> Double? {
            samples.first { $0.name == name && $0.labels == labels }?.value
        }
        #expect(value("tandem_daemon_up", ["daemon": "vrrpd"]) == 1)
        #expect(value("tandem_daemon_up", ["daemon": "checkd"]) == 1)
        #expect(value("tandem_daemon_up", ["daemon": "ipvsd"]) == 0)
        #expect(value("tandem_daemon_peer_connected", ["daemon": "vrrpd", "peer": "checkd"]) == 1, "\(run.standardOutput)")
        #expect(value("tandem_daemon_peer_connected", ["daemon": "vrrpd", "peer": "ipvsd"]) == 0)
        #expect(samples.contains { $0.name == "tandem_build_info" && $0.type == "info" && $0.labels["daemon"] == "vrrpd" })
        let states = samples.filter { $0.family == "tandem_vrrp_instance_state" }
        #expect(states.first?.type == "stateset")
        #expect(states.count == 4 && states.filter { $0.value == 1 }.count == 1, "one state of VI_1 set: \(states)")
        #expect((value("tandem_vrrp_instance_priority", ["instance": "VI_1"]) ?? 0) > 0)
        let started = try #require(value("tandem_daemon_start_time_seconds", ["daemon": "vrrpd"]))
        #expect(abs(started - Date().timeIntervalSince1970) < 120)
    }

    /// tandem-metrics.socket's service: one connection on standard input and output, as systemd's Accept=yes gives
    /// it; here a small inetd in Python accepts curl's connection on loopback and hands it to tandemctl.
    @Test(.enabled(if: parserAvailable, "needs Debian's python3-prometheus-client (scripts/install-deps)"),
          .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "needs curl"))
    func httpModeAnswersARealHTTPClient() throws {
        let directory = try TemporaryDirectory()
        let tandemctl = DaemonProcess.binary("tandemctl").path
        let inetd = """
            import socket, subprocess, sys
            listener = socket.socket()
            listener.bind(("127.0.0.1", 0))
            listener.listen(4)
            print(listener.getsockname()[1], flush=True)
            for _ in range(3):
                connection, _ = listener.accept()
                subprocess.run([sys.argv[1], "metrics", "--http", "--runtime-dir", sys.argv[2]],
                               stdin=connection.fileno(), stdout=connection.fileno())
                connection.close()
            """
        let script = directory.file("inetd.py")
        try inetd.write(to: script, atomically: true, encoding: .utf8)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Self.parserPath)
        server.arguments = [script.path, tandemctl, directory.path]
        let output = Pipe()
        server.standardOutput = output
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        let portLine = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        let port = try #require(Int(portLine.trimmingCharacters(in: .whitespacesAndNewlines)), "inetd said \(portLine)")

        let ok = NetworkLab.sh("curl -s --max-time 10 -D - http://127.0.0.1:\(port)/metrics")
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.output.hasPrefix("HTTP/1.1 200 OK"), "\(ok.output)")
        #expect(ok.output.contains("Content-Type: application/openmetrics-text; version=1.0.0; charset=utf-8"))
        let body = ok.output.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        #expect(try Self.parse(body).contains { $0.name == "tandem_daemon_up" })
        let missing = NetworkLab.sh("curl -s --max-time 10 -o /dev/null -w '%{http_code}' http://127.0.0.1:\(port)/other")
        #expect(missing.output == "404", "\(missing.output)")
        let post = NetworkLab.sh("curl -s --max-time 10 -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:\(port)/metrics")
        #expect(post.output == "405", "\(post.output)")
    }
}
