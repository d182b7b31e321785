// fuzz-module: Vocabulary,VRRP
// libFuzzer harness for the VRRP decoders and receive checks. Compiled in one module with Sources/VRRP/*.swift:
//   swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name FuzzVRRP Sources/VRRP/*.swift Tests/Fuzz/vrrp-decode.swift
// The first input byte picks the path: bit 0 = IPv4 datagram, or IPv6 payload with the next 33 bytes as source,
// destination and hop limit; bit 1 = patch in a correct VRRP checksum first, so random inputs also reach the
// checks behind the checksum. Every outcome is folded into a sink so -O cannot drop the work.


private let fuzzFilters: [VRRPReceiveFilter] = [
    VRRPReceiveFilter(vrid: 1, version: .v2, family: .ipv4, authentication: .password("secret"),
                      advertInterval: .seconds(1), virtualAddresses: [.ipv4(192, 0, 2, 100)]),
    VRRPReceiveFilter(vrid: 1, version: .v3, family: .ipv4, advertInterval: .milliseconds(100),
                      virtualAddresses: [.ipv4(192, 0, 2, 100)], unicastPeers: [.ipv4(192, 0, 2, 1)]),
    VRRPReceiveFilter(vrid: 1, version: .v3, family: .ipv6, advertInterval: .seconds(1),
                      virtualAddresses: [.v6(high: 0x2001_0DB8_0000_0000, low: 0x100)]),
]

nonisolated(unsafe) private var fuzzSink: UInt64 = 0

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let selector = bytes.first else { return 0 }
    let rest = Array(bytes.dropFirst())
    let fixChecksum = selector & 2 != 0
    var outcomes: [VRRPReceiveOutcome] = []
    if selector & 1 == 0 {
        var datagram = rest
        if fixChecksum { fuzzFixIPv4Checksum(&datagram) }
        for f in fuzzFilters where f.family == .ipv4 { outcomes.append(f.receiveIPv4(datagram: datagram)) }
        // Also as the shell routes: decode once, then check with the instance owning the packet's VRID.
        if case .success(let packet) = VRRPDecoder.decodeIPv4(datagram: datagram) {
            var f = fuzzFilters[Int(packet.advertisement.vrid & 1)]
            f.vrid = packet.advertisement.vrid
            outcomes.append(f.check(packet))
        }
    } else if rest.count >= 33, let src = IPAddress(bytes: rest[0..<16]), let dst = IPAddress(bytes: rest[16..<32]) {
        var payload = Array(rest.dropFirst(33))
        if fixChecksum { fuzzFixChecksum(&payload, start: 0, end: payload.count, source: src, destination: dst) }
        var f = fuzzFilters[2]
        if payload.count > 1 { f.vrid = payload[1] }
        outcomes.append(f.receiveIPv6(payload: payload, source: src, destination: dst, hopLimit: rest[32]))
    }
    for o in outcomes {
        switch o {
        case .accepted(let ad, let src, let w):
            fuzzSink &+= UInt64(ad.priority) &+ UInt64(ad.addresses.count) &+ UInt64(w.rawValue)
            // Property: re-encoding an accepted advert decodes to the same advert (a mismatch traps = a finding).
            let group = IPAddress.vrrpGroup(src.family)
            let again = src.family == .ipv4
                ? VRRPDecoder.decodeIPv4(datagram: ad.encodeIPv4Datagram(source: src, destination: group))
                : VRRPDecoder.decodeIPv6(payload: ad.encodeMessage(source: src, destination: group),
                                         source: src, destination: group, hopLimit: 255)
            guard case .success(let back) = again, back.advertisement == ad else { fatalError("round trip changed the advert") }
            // Feeding it to a state machine must not trap either.
            var i = VRRPInstance(config: VRRPInstanceConfig(name: "f", vrid: ad.vrid, version: ad.version,
                                                           virtualAddresses: [], primaryAddress: src))
            let start = MonotonicInstant(nanoseconds: 1)
            fuzzSink &+= UInt64(i.handle(.startup, at: start).count)
            fuzzSink &+= UInt64(i.handle(.advertisement(ad, from: src), at: start + .milliseconds(1)).count)
            if let d = i.nextDeadline { fuzzSink &+= UInt64(i.handle(.timerFired, at: d).count) }
        case .notForMe(let vrid): fuzzSink &+= UInt64(vrid)
        case .dropped(let r): fuzzSink &+= UInt64(r.rawValue.utf8.count)
        }
    }
    return fuzzSink == 0x7FFF_FFFF_FFFF_FFFF ? 1 : 0
}

/// Writes the correct VRRP checksum into an IPv4 datagram's VRRP message, where the header allows it.
private func fuzzFixIPv4Checksum(_ d: inout [UInt8]) {
    guard d.count >= 20 else { return }
    let ihl = Int(d[0] & 0x0F) * 4
    let total = min(Int(d[2]) << 8 | Int(d[3]), d.count)
    guard ihl >= 20, let src = IPAddress(bytes: d[12..<16]), let dst = IPAddress(bytes: d[16..<20]) else { return }
    fuzzFixChecksum(&d, start: ihl, end: total, source: src, destination: dst)
}

/// Writes the correct checksum into the VRRP message at `d[start..<end]` (version from its first nibble).
private func fuzzFixChecksum(_ d: inout [UInt8], start: Int, end: Int, source: IPAddress, destination: IPAddress) {
    guard start >= 0, end <= d.count, end - start >= 8 else { return }
    d[start + 6] = 0
    d[start + 7] = 0
    let version: VRRPVersion = d[start] >> 4 == 3 ? .v3 : .v2
    let ck = vrrpChecksum(message: d[start..<end], version: version, source: source, destination: destination)
    d[start + 6] = UInt8(ck >> 8)
    d[start + 7] = UInt8(truncatingIfNeeded: ck)
}
