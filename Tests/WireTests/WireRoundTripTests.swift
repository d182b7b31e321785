import Testing
@testable import Wire
import Vocabulary

private let vip = IPAddress.ipv4(192, 0, 2, 10)
private let rip = IPAddress.ipv4(198, 51, 100, 7)
private let vip6 = IPAddress("2001:db8::10")!
private let rip6 = IPAddress("2001:db8:0:1::7")!

/// One message of every kind and variant, so a round trip covers every field encoder.
let sampleMessages: [WireMessage] = [
    .hello(role: .vrrpd, pid: 1),
    .hello(role: .ipvsd, pid: Int32.max),
    .hello(role: .checkd, pid: -1),
    .realServerHealth(RealServerHealth(
        id: RealServerID(protocol: .tcp, virtualAddress: vip, virtualPort: 80, realAddress: rip, realPort: 8080),
        up: true, weight: 1)),
    .realServerHealth(RealServerHealth(
        id: RealServerID(protocol: .udp, virtualAddress: vip6, virtualPort: 53, realAddress: rip6, realPort: 53),
        up: false, weight: 0)),
    .realServerHealth(RealServerHealth(
        id: RealServerID(protocol: .sctp, virtualAddress: vip, virtualPort: 3868, realAddress: rip, realPort: 3868),
        up: true, weight: Int32.min)),
    .realServerHealth(RealServerHealth(
        id: RealServerID(fwmark: 0xdead_beef, realAddress: rip6, realPort: 0), up: true, weight: 65535)),
    .trackScript(name: "chk_haproxy", ok: true),
    .trackScript(name: "", ok: false),
    .trackScript(name: "prüfung-✓", ok: true),
    .instanceState(name: "VI_1", state: .initialize, priority: 0),
    .instanceState(name: "VI_1", state: .backup, priority: 100),
    .instanceState(name: "VI_2", state: .master, priority: 255),
    .instanceState(name: "VI_3", state: .fault, priority: 1),
    .instanceState(name: "VI_4", state: .stop, priority: 50),
    .quorum(virtualServer: "TCP 192.0.2.1:80", up: false),
    .quorum(virtualServer: "TCP group web", up: true),
    .snapshotBegin,
    .snapshotEnd,
]

@Test("every message survives encode then decode", arguments: sampleMessages)
func roundTrip(_ message: WireMessage) throws {
    let bytes = WireCodec.encode(message)
    #expect(bytes.count <= WireCodec.maxMessageSize)
    #expect(try WireCodec.decode(bytes) == message)
    #expect(try WireCodec.decode(bytes[...]) == message, "decodes from a slice as well")
}

@Test func headerLayoutIsFixed() {
    let bytes = WireCodec.encode(.hello(role: .checkd, pid: 0x0102_0304))
    #expect(bytes == [0x54, 0x44, 1, 1, 0, 5, 3, 1, 2, 3, 4])
}

@Test func realServerLayoutIsBigEndian() {
    let id = RealServerID(protocol: .tcp, virtualAddress: vip, virtualPort: 80, realAddress: rip, realPort: 8080)
    let bytes = WireCodec.encode(.realServerHealth(RealServerHealth(id: id, up: true, weight: 2)))
    let payload = Array(bytes[WireCodec.headerSize...])
    #expect(payload == [1, 4, 192, 0, 2, 10, 0, 80, 4, 198, 51, 100, 7, 0x1f, 0x90, 1, 0, 0, 0, 2])
}

@Test func encodeCutsOverlongStringsAtACharacterBoundary() throws {
    // 1023 ASCII bytes then a 2-byte character: the character would end at byte 1025, so it is dropped.
    let name = String(repeating: "a", count: 1023) + "é"
    let decoded = try WireCodec.decode(WireCodec.encode(.trackScript(name: name, ok: true)))
    #expect(decoded == .trackScript(name: String(repeating: "a", count: 1023), ok: true))
    #expect(throws: WireError.stringTooLong(1025)) {
        try WireCodec.encodeStrict(.trackScript(name: name, ok: true))
    }
    let exact = String(repeating: "b", count: WireCodec.maxStringLength)
    #expect(try WireCodec.decode(WireCodec.encodeStrict(.instanceState(name: exact, state: .master, priority: 9)))
        == .instanceState(name: exact, state: .master, priority: 9))
}

@Test func realServerIDAccessors() {
    let id = RealServerID(protocol: .udp, virtualAddress: vip, virtualPort: 53, realAddress: rip, realPort: 5353)
    #expect(id.transport == .udp)
    #expect(id.virtualAddress == vip)
    #expect(id.virtualPort == 53)
    #expect(id.fwmark == nil)
    #expect(id.description == "udp 192.0.2.10:53 -> 198.51.100.7:5353")
    let mark = RealServerID(fwmark: 7, realAddress: rip6, realPort: 80)
    #expect(mark.transport == nil)
    #expect(mark.virtualAddress == nil)
    #expect(mark.fwmark == 7)
    #expect(mark.virtualPort == 0)
    #expect(mark.description == "fwmark 7 -> [2001:db8:0:1::7]:80")
}

@Test func onlyTheOwningDaemonMaySendEachReport() {
    #expect(WireMessage.trackScript(name: "x", ok: true).expectedSenders == [.checkd])
    #expect(WireMessage.instanceState(name: "VI_1", state: .master, priority: 1).expectedSenders == [.vrrpd])
    #expect(WireMessage.quorum(virtualServer: "TCP 192.0.2.1:80", up: true).expectedSenders == [.ipvsd])
    #expect(sampleMessages.filter { if case .realServerHealth = $0 { true } else { false } }
        .allSatisfy { $0.expectedSenders == [.checkd] })
    #expect(WireMessage.snapshotBegin.expectedSenders.count == 3)
}
