import Foundation

/// The control protocol, version 1: one SOCK_SEQPACKET datagram a request, one a response.
///
/// A request is the ASCII text `tandem.control/1 <verb>` (today only `status`): human-typeable with socat,
/// and the version prefix lets a later tandemctl talk to an older daemon and get a clear refusal. A response
/// is one JSON object `{"protocol":1,"status":{...}}` or `{"protocol":1,"error":"..."}`; JSON because the
/// status document is for operators and tools (tandemctl prints it again as `tandem.status/1`), unlike Wire's
/// compact binary messages between the daemons.
public enum ControlCodec {
    public static let protocolVersion = 1
    /// The largest request a daemon reads; anything longer is answered with an error.
    public static let maxRequestSize = 256
    /// The largest response; a status document of a large configuration stays well below it.
    public static let maxResponseSize = 256 * 1024
    static let requestPrefix = "tandem.control/"

    public static func encode(_ request: ControlRequest) -> [UInt8] {
        Array("\(requestPrefix)\(protocolVersion) \(request.rawValue)".utf8)
    }

    public static func decodeRequest(_ bytes: some Collection<UInt8>) throws(ControlError) -> ControlRequest {
        guard !bytes.isEmpty else { throw .malformed("empty request") }
        guard bytes.count <= maxRequestSize else { throw .oversized(bytes.count) }
        guard let text = String(validating: Array(bytes), as: UTF8.self) else { throw .malformed("request is not UTF-8") }
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        guard words.count == 2, words[0].hasPrefix(requestPrefix) else {
            throw .malformed("expected \"\(requestPrefix)\(protocolVersion) VERB\"")
        }
        guard let version = Int(words[0].dropFirst(requestPrefix.count)) else { throw .malformed("no protocol version") }
        guard version == protocolVersion else { throw .unsupportedVersion(version) }
        guard let request = ControlRequest(rawValue: String(words[1])) else { throw .unknownRequest(String(words[1])) }
        return request
    }

    public static func encode(_ response: ControlResponse) -> [UInt8] {
        let envelope: Envelope
        switch response {
        case .status(let status): envelope = Envelope(protocol: protocolVersion, status: status, error: nil)
        case .error(let text): envelope = Envelope(protocol: protocolVersion, status: nil, error: text)
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
        switch (envelope.status, envelope.error) {
        case (let status?, nil): return .status(status)
        case (nil, let text?): return .error(text)
        default: throw .malformed("response has neither or both of status and error")
        }
    }

    struct Envelope: Codable {
        var `protocol`: Int
        var status: DaemonStatus?
        var error: String?
    }
}

public enum ControlRequest: String, Sendable, CaseIterable {
    case status
}

public enum ControlResponse: Sendable, Equatable {
    case status(DaemonStatus)
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
