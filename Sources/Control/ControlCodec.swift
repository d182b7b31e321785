import Foundation

/// The control protocol, version 1: one SOCK_SEQPACKET datagram a request, one response (in Platform's
/// ControlRecords: one record when it is short, several when a status is large).
///
/// A request is the ASCII text `tandem.control/1 <verb> [ARG...]` (`status`, `switchover`, `resume`): human-typeable with socat,
/// and the version prefix lets a later tandemctl talk to an older daemon and get a clear refusal. A response
/// is one JSON object `{"protocol":1,"status":{...}}`, `{"protocol":1,"ok":"..."}` or `{"protocol":1,"error":"..."}`; JSON because the
/// status document is for operators and tools (tandemctl prints it again as `tandem.status/1`), unlike Wire's
/// compact binary messages between the daemons.
public enum ControlCodec {
    public static let protocolVersion = 1
    /// The largest request a daemon reads; anything longer is answered with an error.
    public static let maxRequestSize = 256
    /// The largest response tandemctl takes: a status of 100,000 checked real servers is some tens of megabytes,
    /// so a configuration that large is refused rather than answered partially.
    public static let maxResponseSize = 64 * 1024 * 1024
    static let requestPrefix = "tandem.control/"

    public static func encode(_ request: ControlRequest) -> [UInt8] {
        Array(([requestPrefix + String(protocolVersion), request.verb] + request.arguments).joined(separator: " ").utf8)
    }

    public static func decodeRequest(_ bytes: some Collection<UInt8>) throws(ControlError) -> ControlRequest {
        guard !bytes.isEmpty else { throw .malformed("empty request") }
        guard bytes.count <= maxRequestSize else { throw .oversized(bytes.count) }
        guard let text = String(validating: Array(bytes), as: UTF8.self) else { throw .malformed("request is not UTF-8") }
        let words = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard words.count >= 2, words[0].hasPrefix(requestPrefix) else {
            throw .malformed("expected \"\(requestPrefix)\(protocolVersion) VERB\"")
        }
        guard let version = Int(words[0].dropFirst(requestPrefix.count)) else { throw .malformed("no protocol version") }
        guard version == protocolVersion else { throw .unsupportedVersion(version) }
        let arguments = Array(words.dropFirst(2))
        guard !arguments.contains(where: \.isEmpty) else { throw .malformed("an empty argument (two spaces in a row)") }
        switch words[1] {
        case "status":
            guard arguments.isEmpty else { throw .malformed("status takes no arguments") }
            return .status
        case "switchover": return .switchover(instances: arguments)
        case "resume": return .resume(instances: arguments)
        default: throw .unknownRequest(words[1])
        }
    }

    public static func encode(_ response: ControlResponse) -> [UInt8] {
        let envelope: Envelope
        switch response {
        case .status(let status): envelope = Envelope(protocol: protocolVersion, status: status)
        case .ok(let text): envelope = Envelope(protocol: protocolVersion, ok: text)
        case .error(let text): envelope = Envelope(protocol: protocolVersion, error: text)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, numbers and arrays cannot fail.
        return Array((try? encoder.encode(envelope)) ?? Data("{\"protocol\":1,\"error\":\"encoding failed\"}".utf8))
    }

    public static func decodeResponse(_ bytes: some Collection<UInt8>) throws(ControlError) -> ControlResponse {
        guard bytes.count <= maxResponseSize else { throw .oversized(bytes.count) }
        let envelope: Envelope
        do { envelope = try JSONDecoder().decode(Envelope.self, from: Data(bytes)) } catch {
            throw .malformed("response is not a control/1 JSON object")
        }
        guard envelope.protocol == protocolVersion else { throw .unsupportedVersion(envelope.protocol) }
        switch (envelope.status, envelope.ok, envelope.error) {
        case (let status?, nil, nil): return .status(status)
        case (nil, let text?, nil): return .ok(text)
        case (nil, nil, let text?): return .error(text)
        default: throw .malformed("response has not exactly one of status, ok and error")
        }
    }

    struct Envelope: Codable {
        var `protocol`: Int
        var status: DaemonStatus? = nil
        var ok: String? = nil
        var error: String? = nil
    }
}

public enum ControlRequest: Sendable, Equatable {
    /// Every daemon: its status document. Root and the admin group.
    case status
    /// vrrpd: hand Master of these vrrp_instances (every Master one when empty) to the peer without a gap, and
    /// stay Backup afterwards. Root only.
    case switchover(instances: [String])
    /// vrrpd: end the hold a switchover left on these instances (all when empty). Root only.
    case resume(instances: [String])

    public var verb: String {
        switch self {
        case .status: "status"
        case .switchover: "switchover"
        case .resume: "resume"
        }
    }

    public var arguments: [String] {
        switch self {
        case .status: []
        case .switchover(let names), .resume(let names): names
        }
    }

    /// Whether it changes something, and so is root's only.
    public var changesState: Bool { self != .status }
}

public enum ControlResponse: Sendable, Equatable {
    case status(DaemonStatus)
    /// A request that changes something was accepted; what it did or started, in a sentence.
    case ok(String)
    case error(String)
}

public enum ControlError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case oversized(Int)
    case unsupportedVersion(Int)
    case unknownRequest(String)

    public var description: String {
        switch self {
        case .malformed(let why): "malformed: \(why)"
        case .oversized(let count): "oversized: \(count) bytes"
        case .unsupportedVersion(let version): "unsupported protocol version \(version) (this side speaks \(ControlCodec.protocolVersion))"
        case .unknownRequest(let verb): "unknown request \"\(verb)\""
        }
    }
}
