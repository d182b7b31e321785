import Control
import Testing

@Suite struct ControlCodecTests {
    static let sample = DaemonStatus(
        name: "vrrpd", version: "0.1.0", pid: 4242, startedAt: 1_790_000_000.5, uptimeSeconds: 61.25,
        configFile: "/etc/keepalived/keepalived.conf", configLoadedAt: 1_790_000_001,
        peers: [PeerLink(peer: "ipvsd", connected: true), PeerLink(peer: "checkd", connected: false)],
        malformedRequests: 2, refusedConnections: 1)

    @Test func statusRequestRoundTripsAndIsReadableText() throws {
        let bytes = ControlCodec.encode(.status)
        #expect(String(decoding: bytes, as: UTF8.self) == "tandem.control/1 status")
        #expect(try ControlCodec.decodeRequest(bytes) == .status)
    }

    @Test(arguments: [
        (ControlRequest.switchover(instances: []), "tandem.control/1 switchover"),
        (.switchover(instances: ["VI_1", "VI_GW"]), "tandem.control/1 switchover VI_1 VI_GW"),
        (.resume(instances: []), "tandem.control/1 resume"),
        (.resume(instances: ["VI_1"]), "tandem.control/1 resume VI_1"),
    ])
    func stateChangingRequestsRoundTripWithTheirInstances(request: ControlRequest, text: String) throws {
        let bytes = ControlCodec.encode(request)
        #expect(String(decoding: bytes, as: UTF8.self) == text)
        #expect(try ControlCodec.decodeRequest(bytes) == request)
        #expect(request.changesState)
    }

    @Test func okResponseRoundTripsAndStatusChangesNothing() throws {
        #expect(try ControlCodec.decodeResponse(ControlCodec.encode(.ok("handing over VI_1"))) == .ok("handing over VI_1"))
        #expect(!ControlRequest.status.changesState)
    }

    @Test func statusResponseRoundTrips() throws {
        let bytes = ControlCodec.encode(.status(Self.sample))
        #expect(try ControlCodec.decodeResponse(bytes) == .status(Self.sample))
    }

    @Test func errorResponseRoundTrips() throws {
        let bytes = ControlCodec.encode(.error("unknown request \"x\""))
        #expect(try ControlCodec.decodeResponse(bytes) == .error("unknown request \"x\""))
    }

    @Test(arguments: [
        ("", ControlError.malformed("empty request")),
        ("status", .malformed("expected \"tandem.control/1 VERB\"")),
        ("tandem.control/1 status extra", .malformed("status takes no arguments")),
        ("tandem.control/1 switchover  VI_1", .malformed("an empty argument (two spaces in a row)")),
        ("tandem.control/x status", .malformed("no protocol version")),
        ("tandem.control/2 status", .unsupportedVersion(2)),
        ("tandem.control/1 reload", .unknownRequest("reload")),
        ("tandem.control/1 ", .unknownRequest("")),
    ])
    func malformedRequestsAreRefusedWithTheReason(text: String, expected: ControlError) {
        #expect(throws: expected) { try ControlCodec.decodeRequest(Array(text.utf8)) }
    }

    @Test func invalidUTF8AndOversizedRequestsAreRefused() {
        #expect(throws: ControlError.malformed("request is not UTF-8")) { try ControlCodec.decodeRequest([0xff, 0xfe]) }
        let long = [UInt8](repeating: 0x61, count: ControlCodec.maxRequestSize + 1)
        #expect(throws: ControlError.oversized(ControlCodec.maxRequestSize + 1)) { try ControlCodec.decodeRequest(long) }
    }

    @Test func malformedResponsesAreRefused() {
        #expect(throws: ControlError.self) { try ControlCodec.decodeResponse(Array("not json".utf8)) }
        #expect(throws: ControlError.unsupportedVersion(7)) {
            try ControlCodec.decodeResponse(Array(#"{"protocol":7,"error":"x"}"#.utf8))
        }
        #expect(throws: ControlError.malformed("response has not exactly one of status, ok and error")) {
            try ControlCodec.decodeResponse(Array(#"{"protocol":1}"#.utf8))
        }
        #expect(throws: ControlError.malformed("response has not exactly one of status, ok and error")) {
            try ControlCodec.decodeResponse(Array(#"{"protocol":1,"ok":"a","error":"b"}"#.utf8))
        }
        // A status missing a field is not a status.
        #expect(throws: ControlError.self) {
            try ControlCodec.decodeResponse(Array(#"{"protocol":1,"status":{"name":"vrrpd"}}"#.utf8))
        }
    }

    @Test func everyTruncationOfAResponseIsRefusedNotCrashed() {
        let bytes = ControlCodec.encode(.status(Self.sample))
        for length in 0..<bytes.count {
            #expect(throws: ControlError.self) { try ControlCodec.decodeResponse(bytes.prefix(length)) }
        }
    }
}
