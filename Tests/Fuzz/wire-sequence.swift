// fuzz-module: Vocabulary,Wire
// Stateful libFuzzer target: a connection's whole life, not one datagram. The input is the uids' claimable roles
// (first byte) and then a sequence of datagrams, each either one of the canonical messages (a tag byte below
// 0x80 picks it, so hellos of every role and every kind of message are reached at once) or raw bytes (a tag byte
// of 0x80 + length). Each datagram goes through WireCodec.decode and then the sender rule
// (`WireMessage.senderRole(on:claimable:)`) that every receiving connection applies, carrying the connection's
// role from one datagram to the next. Besides "never crash", the harness checks the rule's promises:
//   - nothing but hello is taken before a hello;
//   - a role is one the peer's uid may claim, and once set it never changes;
//   - every message taken is one its role may send (`expectedSenders`);
//   - whatever decodes re-encodes to the same bytes.

private let canonical: [[UInt8]] = {
    let health = RealServerHealth(id: RealServerID(protocol: .tcp, virtualAddress: IPAddress("192.0.2.1")!, virtualPort: 80,
                                                   realAddress: IPAddress("198.51.100.1")!, realPort: 80),
                                  up: true, weight: 1)
    var messages: [WireMessage] = DaemonRole.allCases.map { .hello(role: $0, pid: 42) }
    messages += [.realServerHealth(health), .trackScript(name: "chk", ok: false),
                 .instanceState(name: "VI_1", state: .master, priority: 100), .quorum(virtualServer: "vs", up: true),
                 .snapshotBegin, .snapshotEnd]
    return messages.map { WireCodec.encode($0) }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = UnsafeBufferPointer(start: data, count: size)
    guard let first = input.first else { return 0 }
    let claimable = Set(DaemonRole.allCases.filter { first & (1 << ($0.rawValue - 1)) != 0 })
    var role: DaemonRole?
    var index = 1
    while index < input.count {
        let tag = input[index]
        index += 1
        let datagram: [UInt8]
        if tag < 0x80 {
            datagram = canonical[Int(tag) % canonical.count]
        } else {
            let length = min(Int(tag - 0x80), input.count - index)
            datagram = Array(input[index..<index + length])
            index += length
        }
        guard let message = try? WireCodec.decode(datagram) else { continue }
        if WireCodec.encode(message) != datagram { fatalError("decode/encode mismatch for \(message)") }
        let before = role
        do {
            let taken = try message.senderRole(on: role, claimable: claimable)
            if case .hello(let claimed, _) = message {
                if taken != claimed || !claimable.contains(claimed) { fatalError("hello took role \(taken) for \(claimed)") }
            } else {
                guard let before else { fatalError("\(message.type) taken before a hello") }
                if !message.expectedSenders.contains(before) { fatalError("\(message.type) taken from \(before)") }
            }
            if let before, before != taken { fatalError("role changed from \(before) to \(taken)") }
            role = taken
        } catch {
            if role != before { fatalError("a refusal changed the role") }
        }
    }
    return 0
}
