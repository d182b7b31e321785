// fuzz-module: Vocabulary,IPVS
// libFuzzer harness for the IPVS reply decoder. Compiled in one module with Sources/IPVS/*.swift:
//   swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name FuzzIPVS \
//     Sources/IPVS/*.swift Tests/Fuzz/ipvs-reply.swift -o /tmp/if/fuzz
//   SWIFT_BACKTRACE=enable=no /tmp/if/fuzz -max_total_time=60
// The family id is taken from the first message's type when it is not a control type (< 0x10), so
// generic IPVS messages are reached from an empty corpus without guessing the id.

/// Folds the decoded replies into a number so the optimizer cannot drop the decoding.
private func digest(_ messages: [IPVSReplyMessage]) -> UInt64 {
    var h: UInt64 = 0
    for m in messages {
        h = h &* 31 &+ UInt64(m.sequence)
        switch m.reply {
        case .service(let e): h = h &+ UInt64(e.service.timeout) &+ e.stats.inBytes &+ UInt64(e.service.scheduler.utf8.count)
        case .destination(let e): h = h &+ UInt64(UInt32(bitPattern: e.destination.weight)) &+ e.stats.connections
        case .syncDaemon(let d): h = h &+ UInt64(d.syncID)
        case .info(let i): h = h &+ UInt64(i.version)
        case .timeouts(let t): h = h &+ UInt64(t.tcp ?? 0)
        case .ack: h = h &+ 1
        case .error(let errno, let message): h = h &+ UInt64(UInt32(bitPattern: errno)) &+ UInt64(message?.utf8.count ?? 0)
        case .done: h = h &+ 2
        }
    }
    return h
}

nonisolated(unsafe) private var sink: UInt64 = 0

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let firstType = size >= 6 ? UInt16(bytes[4]) | UInt16(bytes[5]) << 8 : 0
    let familyID: UInt16 = firstType >= 0x10 ? firstType : 0x1c
    do {
        sink = sink &+ digest(try IPVSReplyMessage.decode(bytes, familyID: familyID))
    } catch {
        // A typed IPVSDecodeError: the only way out besides a result.
        sink = sink &+ (error == .trailingBytes ? 1 : 2)
    }
    return 0
}
