// fuzz-module: VRRP
// libFuzzer harness for the VRRP decoders and receive checks. Compiled in one module with Sources/VRRP/*.swift:
//   swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name FuzzVRRP Sources/VRRP/*.swift Tests/Fuzz/vrrp-decode.swift
// The first input byte picks the path (IPv4 datagram, or IPv6 payload with the next 33 bytes as source,
// destination and hop limit); every outcome is folded into a checksum so -O cannot drop the work.

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
    var outcomes: [VRRPReceiveOutcome] = []
    if selector & 1 == 0 {
        for f in fuzzFilters where f.family == .ipv4 { outcomes.append(f.receiveIPv4(datagram: rest)) }
    } else if rest.count >= 33, let src = VRRPAddress(bytes: rest[0..<16]), let dst = VRRPAddress(bytes: rest[16..<32]) {
        let payload = Array(rest.dropFirst(33))
        outcomes.append(fuzzFilters[2].receiveIPv6(payload: payload, source: src, destination: dst, hopLimit: rest[32]))
    }
    for o in outcomes {
        switch o {
        case .accepted(let ad, let src, let w):
            fuzzSink &+= UInt64(ad.priority) &+ UInt64(ad.addresses.count) &+ UInt64(w.rawValue)
            // Property: re-encoding an accepted advert decodes to the same advert (a mismatch traps = a finding).
            let group = VRRPAddress.vrrpGroup(src.family)
            let again = src.family == .ipv4
                ? VRRPDecoder.decodeIPv4(datagram: ad.encodeIPv4Datagram(source: src, destination: group))
                : VRRPDecoder.decodeIPv6(payload: ad.encodeMessage(source: src, destination: group),
                                         source: src, destination: group, hopLimit: 255)
            guard case .success(let back) = again, back.advertisement == ad else { fatalError("round trip changed the advert") }
            // Feeding it to a state machine must not trap either.
            var i = VRRPInstance(config: VRRPInstanceConfig(name: "f", vrid: ad.vrid, version: ad.version,
                                                           virtualAddresses: [], primaryAddress: src))
            let start = VRRPInstant(nanoseconds: 1)
            fuzzSink &+= UInt64(i.handle(.startup, at: start).count)
            fuzzSink &+= UInt64(i.handle(.advertisement(ad, from: src), at: start + .milliseconds(1)).count)
            if let d = i.nextDeadline { fuzzSink &+= UInt64(i.handle(.timerFired, at: d).count) }
        case .notForMe(let vrid): fuzzSink &+= UInt64(vrid)
        case .dropped(let r): fuzzSink &+= UInt64(r.rawValue.utf8.count)
        }
    }
    return fuzzSink == 0x7FFF_FFFF_FFFF_FFFF ? 1 : 0
}
