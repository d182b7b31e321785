// What ipvsadm 1.31 sends the kernel (captured on the lab's Debian 6.1 cloud kernel through an nlmon
// device, bench/ipvs/capture-ipvsadm.sh) against what ipvsd sends for the same operation. Compared after
// decoding both, not byte for byte: ipvsadm orders attributes differently and sends a full service
// (empty scheduler, flags, timeout, netmask) even to delete one.
@testable import IPVS
import Testing

private func bytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var i = hex.startIndex
    while i < hex.endIndex, let j = hex.index(i, offsetBy: 2, limitedBy: hex.endIndex) {
        out.append(UInt8(hex[i..<j], radix: 16) ?? 0)
        i = j
    }
    return out
}

private let v6 = IPVSServiceKey.address(.udp, IPVSAddress("2001:db8::1")!, port: 53)
private let v4 = IPVSServiceKey.address(.tcp, IPVSAddress("198.51.100.200")!, port: 80)
private let mark7 = IPVSServiceKey.firewallMark(.inet, 7)

/// (ipvsadm command line, captured request, the operation ipvsd would send for it).
private let vectors: [(String, String, IPVSOperation)] = [
    ("ipvsadm -A -u [2001:db8::1]:53 -s rr",
     "6800000020000500b30a046bc80000b50101000054000180060001000a00000006000200110000001400030020010db8000000000000000000000001060004000035000007000600727200000c00070000000000ffffffff08000800000000000800090080000000",
     .addService(IPVSService(key: v6, scheduler: "rr"))),
    ("ipvsadm -a -u [2001:db8::1]:53 -r [2001:db8::2]:53 -m",
     "c800000020000500b40a046bc90000b50501000054000180060001000a00000006000200110000001400030020010db8000000000000000000000001060004000035000005000600000000000c00070000000000ffffffff080008000000000008000900800000006000028006000b000a0000001400010020010db800000000000000000000000206000200003500000800030000000000080004000100000005000d000000000006000e000000000006000f000000000008000500000000000800060000000000",
     .addDestination(v6, IPVSDestination(key: IPVSDestinationKey(address: IPVSAddress("2001:db8::2")!, port: 53),
                                         forwarding: .masquerade, weight: 1))),
    ("ipvsadm -D -t 198.51.100.200:80",
     "6800000020000500b40a046bca00c0b403010000540001800600010002000000060002000600000014000300c63364c8000000000000000000000000060004000050000005000600000000000c00070000000000ffffffff080008000000000008000900ffffffff",
     .deleteService(v4)),
    ("ipvsadm -D -f 7",
     "4c00000020000500b40a046bcb00c0b403010000380001800600010002000000080005000700000005000600000000000c00070000000000ffffffff080008000000000008000900ffffffff",
     .deleteService(mark7)),
    ("ipvsadm -D -u [2001:db8::1]:53",
     "6800000020000500b40a046bcc00c0b40301000054000180060001000a00000006000200110000001400030020010db8000000000000000000000001060004000035000005000600000000000c00070000000000ffffffff08000800000000000800090080000000",
     .deleteService(v6)),
]

@Suite struct IPVSAdmVectorTests {
    @Test(arguments: vectors.indices)
    func ipvsdAsksTheKernelForWhatIpvsadmAsksFor(_ index: Int) throws {
        let (command, captured, operation) = vectors[index]
        let theirs = try FakeIPVSKernel.operation(of: bytes(captured))
        let ours = try FakeIPVSKernel.operation(of: operation.request.encode(familyID: 0x20, sequence: 1, portID: 0))
        #expect(ours == operation, "our own bytes decode back to the operation")
        #expect(theirs == ours, "\(command)")
        // Same generic-netlink command and flags (request + ack) as ipvsadm.
        let encoded = try operation.request.encode(familyID: 0x20, sequence: 1, portID: 0)
        #expect(encoded[16] == bytes(captured)[16])
        #expect(encoded[6..<8] == bytes(captured)[6..<8])
    }
}
