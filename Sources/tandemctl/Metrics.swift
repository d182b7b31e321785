import ArgumentParser
import DaemonKit
import Foundation
import Wire

struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the running daemons' metrics as OpenMetrics text (names in docs/metrics.md).",
        discussion: """
            Asks vrrpd, ipvsd and checkd on their control sockets, as `tandemctl status` does; a daemon that does \
            not answer is tandem_daemon_up 0. With --http, reads one HTTP request on standard input and answers it \
            on standard output (GET /metrics; anything else 404 or 405), for systemd's tandem-metrics.socket \
            (Accept=yes), so Prometheus scrapes with nothing running between scrapes.

            Exit status: 0 the metrics were printed (also when daemons are down), 64 a usage error.
            """)

    @Option(name: .customLong("runtime-dir"), help: "Directory of the daemons' control sockets.",
            completion: .directory)
    var runtimeDirectory = "/run/tandem"

    @Flag(help: "Answer one HTTP request read on standard input (socket activation).")
    var http = false

    func run() throws {
        guard http else {
            FileHandle.standardOutput.write(Data(exposition().utf8))
            return
        }
        let request = HTTPRequestLine.read(from: FileHandle.standardInput)
        let response: HTTPResponse
        switch request {
        case .some(let line) where line.method == "GET" && line.path == "/metrics":
            response = HTTPResponse(status: "200 OK", contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8",
                                    body: exposition())
        case .some(let line) where line.method != "GET":
            response = HTTPResponse(status: "405 Method Not Allowed", contentType: "text/plain; charset=utf-8", body: "GET /metrics only\n")
        case .some:
            response = HTTPResponse(status: "404 Not Found", contentType: "text/plain; charset=utf-8", body: "GET /metrics only\n")
        case .none:
            response = HTTPResponse(status: "400 Bad Request", contentType: "text/plain; charset=utf-8", body: "no request line\n")
        }
        FileHandle.standardOutput.write(Data(response.text.utf8))
    }

    private func exposition() -> String {
        let answers = DaemonRole.allCases.map { role in
            let socket = role.controlSocketPath(in: runtimeDirectory)
            return (name: role.name, socket: socket, answer: Status.ask(socket))
        }
        return OpenMetricsText(answers: answers).text
    }
}

/// The first line of an HTTP/1.x request: the headers after it are read and ignored (up to a limit).
struct HTTPRequestLine: Equatable {
    var method: String
    var path: String

    /// Parses `GET /metrics HTTP/1.1`; nil if it is not a request line.
    init?(_ line: String) {
        let parts = line.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1.") else { return nil }
        method = String(parts[0])
        path = String(parts[1].split(separator: "?", maxSplits: 1).first ?? "")
    }

    /// Reads up to the blank line ending the headers (at most 16 KiB) and returns the request line.
    static func read(from input: FileHandle) -> HTTPRequestLine? {
        var buffer = Data()
        while buffer.count < 16384, buffer.range(of: Data("\r\n\r\n".utf8)) == nil, buffer.range(of: Data("\n\n".utf8)) == nil {
            let chunk = input.availableData
            if chunk.isEmpty { break }
            buffer += chunk
        }
        let text = String(decoding: buffer, as: UTF8.self)
        // "\r\n" is one Character in Swift: split on newline characters, not on "\n".
        guard let first = text.split(maxSplits: 1, omittingEmptySubsequences: false, whereSeparator: \.isNewline).first
        else { return nil }
        return HTTPRequestLine(first.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

struct HTTPResponse {
    var status: String
    var contentType: String
    var body: String

    var text: String {
        "HTTP/1.1 \(status)\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
    }
}
