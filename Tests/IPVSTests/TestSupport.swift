// Helpers for the IPVS tests: hex vectors, a hand-rolled netlink builder that plays the kernel,
// and a seeded random generator. Kept apart from the module's own writer so tests check it independently.
@testable import IPVS

/// Bytes from annotated hex: whitespace ignored, "#" starts a comment to the end of the line.
func hex(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        let code = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let digits = code.filter { !$0.isWhitespace }
        var i = digits.startIndex
        while i < digits.endIndex {
            let j = digits.index(after: i)
            out.append(UInt8(digits[i...j], radix: 16)!)
            i = digits.index(after: j)
        }
    }
    return out
}

/// Little-endian helpers: the test vectors are written for x86-64/arm64 hosts (netlink uses host order).
func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8)] }
func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * UInt64($0))) } }
func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }

/// One netlink attribute: header, payload, padding to 4.
func nla(_ type: UInt16, _ payload: [UInt8], nested: Bool = false) -> [UInt8] {
    let header = le16(UInt16(4 + payload.count)) + le16(type | (nested ? 0x8000 : 0))
    let padding = [UInt8](repeating: 0, count: (4 - payload.count % 4) % 4)
    return header + payload + padding
}

/// One netlink message of `type` with `payload` (genl header included by the caller).
func nlmsg(type: UInt16, flags: UInt16, seq: UInt32, pid: UInt32 = 0, _ payload: [UInt8]) -> [UInt8] {
    le32(UInt32(16 + payload.count)) + le16(type) + le16(flags) + le32(seq) + le32(pid) + payload
}

func genl(_ cmd: UInt8) -> [UInt8] { [cmd, 1, 0, 0] }

let testFamily: UInt16 = 0x1c

/// What ip_vs_genl_fill_stats / _stats64 put: u32 counters and rates, u64 bytes (or all u64).
func kernelStats(_ type: UInt16, base: UInt64, wide: Bool) -> [UInt8] {
    var body: [UInt8] = []
    for attr in UInt16(1)...10 {
        let value = base + UInt64(attr)
        let is64 = wide || attr == 4 || attr == 5
        body += nla(attr, is64 ? le64(value) : le32(UInt32(value)))
    }
    return nla(type, body)
}

/// A GET_SERVICE dump message as ip_vs_genl_dump_service builds it (no NLA_F_NESTED, 16-byte address).
func kernelServiceMessage(seq: UInt32, key: IPVSServiceKey, scheduler: String, flags: UInt32, timeout: UInt32,
                          netmaskWire: [UInt8], pe: String? = nil, statsBase: UInt64 = 100) -> [UInt8] {
    var body = nla(1, le16(key.family.kernelNumber))
    switch key {
    case .firewallMark(_, let mark):
        body += nla(5, le32(mark))
    case .address(let proto, let address, let port):
        body += nla(2, le16(UInt16(proto.rawValue))) + nla(3, address.inetAddrUnionBytes) + nla(4, be16(port))
    }
    body += nla(6, Array(scheduler.utf8) + [0])
    if let pe { body += nla(11, Array(pe.utf8) + [0]) }
    body += nla(7, le32(flags) + le32(0xffff_ffff))
    body += nla(8, le32(timeout)) + nla(9, netmaskWire)
    body += kernelStats(10, base: statsBase, wide: false)
    body += kernelStats(12, base: statsBase, wide: true)
    return nlmsg(type: testFamily, flags: 0x02, seq: seq, genl(1) + nla(1, body))
}

/// A GET_DEST dump message as ip_vs_genl_fill_dest builds it on a 5.x/6.x kernel.
func kernelDestinationMessage(seq: UInt32, dest: IPVSDestination, active: UInt32 = 3, inactive: UInt32 = 4,
                              persistent: UInt32 = 5, statsBase: UInt64 = 1000) -> [UInt8] {
    var tunnel = IPVSTunnel()
    if case .tunnel(let t) = dest.forwarding { tunnel = t }
    var body = nla(1, dest.key.address.inetAddrUnionBytes) + nla(2, be16(dest.key.port))
    body += nla(3, le32(dest.forwarding.kernelValue)) + nla(4, le32(UInt32(bitPattern: dest.weight)))
    body += nla(13, [tunnel.type.rawValue]) + nla(14, be16(tunnel.port)) + nla(15, le16(tunnel.flags.rawValue))
    body += nla(5, le32(dest.upperThreshold)) + nla(6, le32(dest.lowerThreshold))
    body += nla(7, le32(active)) + nla(8, le32(inactive)) + nla(9, le32(persistent))
    body += nla(11, le16(dest.key.address.family.kernelNumber))
    body += kernelStats(10, base: statsBase, wide: false) + kernelStats(12, base: statsBase, wide: true)
    return nlmsg(type: testFamily, flags: 0x02, seq: seq, genl(5) + nla(2, body))
}

/// NLMSG_DONE with its int payload.
func kernelDone(seq: UInt32, code: Int32 = 0) -> [UInt8] {
    nlmsg(type: 3, flags: 0x02, seq: seq, le32(UInt32(bitPattern: code)))
}

/// NLMSG_ERROR: error code then the echoed request header (capped, as for acks).
func kernelError(seq: UInt32, code: Int32, extAckMessage: String? = nil) -> [UInt8] {
    let echoed = nlmsg(type: testFamily, flags: 0x05, seq: seq, [])
    var flags: UInt16 = 0x100
    var tlvs: [UInt8] = []
    if let extAckMessage {
        flags |= 0x200
        tlvs = nla(1, Array(extAckMessage.utf8) + [0])
    }
    return nlmsg(type: 2, flags: flags, seq: seq, le32(UInt32(bitPattern: code)) + echoed + tlvs)
}
