import ArgumentParser
import Control
import DaemonKit
import Foundation
import Platform
import Wire

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what the running daemons do: problems first, then each daemon.",
        discussion: """
            Asks vrrpd, ipvsd and checkd on their control sockets (RUNTIME-DIR/NAME.control; root or a member \
            of the group tandem-adm). Problems: a daemon not reachable, a daemon not connected to a peer, a \
            configuration file changed on disk after the daemon loaded it.

            Exit status: 0 the report was printed (also when daemons are down: they are listed as problems), \
            64 a usage error.
            """)

    @Option(name: .customLong("runtime-dir"), help: "Directory of the daemons' control sockets.",
            completion: .directory)
    var runtimeDirectory = "/run/tandem"

    @Flag(help: "Print one JSON object (schema tandem.status/1, described in docs/json/status.md).")
    var json = false

    func run() throws {
        let answers = DaemonRole.allCases.map { role in
            let socket = role.controlSocketPath(in: runtimeDirectory)
            return (name: role.name, socket: socket, answer: Self.ask(socket))
        }
        let report = StatusReport(runtimeDirectory: runtimeDirectory, answers: answers) { path in
            (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)?.timeIntervalSince1970
        }
        if json {
            try writeJSON(report)
        } else {
            FileHandle.standardOutput.write(Data(report.text.utf8))
        }
    }

    /// The uids a daemon's control socket may be held by: root (vrrpd, ipvsd), checkd's user, and this
    /// command's own (daemons a test or a user started by hand). Any other holder bound the name first.
    static var daemonUIDs: Set<uid_t> {
        var uids: Set<uid_t> = [0, geteuid()]
        if let checkd = getpwnam("tandem-checkd") { uids.insert(checkd.pointee.pw_uid) }
        return uids
    }

    static func ask(_ socket: String) -> StatusReport.Answer {
        do {
            // ipvsd reads the kernel's whole table to answer: seconds for thousands of services.
            let bytes = try ControlClient.exchange(path: socket, request: ControlCodec.encode(.status),
                                                   maxResponseSize: ControlCodec.maxResponseSize, timeout: .seconds(15),
                                                   trustedServerUIDs: daemonUIDs)
            switch try ControlCodec.decodeResponse(bytes) {
            case .status(let status): return .status(status)
            case .error(let text): return .failed("answered an error: \(text)")
            case .ok(let text): return .failed("answered \"\(text)\" instead of a status")
            }
        } catch {
            return .failed("\(error)")
        }
    }
}
