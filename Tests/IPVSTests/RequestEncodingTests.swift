// Byte-for-byte checks of request encodings.
//
// How the vectors were derived (from /usr/include/linux/netlink.h, genetlink.h and ip_vs.h; host is
// little-endian): struct nlmsghdr {u32 len; u16 type; u16 flags; u32 seq; u32 pid}, then struct
// genlmsghdr {u8 cmd; u8 version = IPVS_GENL_VERSION 1; u16 reserved}, then attributes struct nlattr
// {u16 nla_len (header + payload, no padding); u16 nla_type}, payload padded to 4 bytes.
// Nests carry NLA_F_NESTED (0x8000). Ports (IPVS_SVC_ATTR_PORT, IPVS_DEST_ATTR_PORT, _TUN_PORT) are
// __be16; addresses are the 16-byte union nf_inet_addr as ipvsadm's libipvs sends them
// (NLA_PUT(..., sizeof(svc->addr), ...)) and as the kernel's policy allows (NLA_BINARY, len 16).
// Flags are struct ip_vs_flags {u32 flags; u32 mask}. The IPv4 netmask is __be32 (the mask's bytes in
// order); an IPv6 "netmask" is the prefix length as a host u32 (the kernel checks 1...128).
// Requests carry NLM_F_REQUEST|NLM_F_ACK (0x0005); dumps NLM_F_REQUEST|NLM_F_DUMP (0x0301).
// What ipvsadm sends for the same operations, captured on the lab's kernel, is compared in
// Tests/DaemonTests/IPVSAdmVectorTests.swift; the kernel's captured replies in KernelReplyCaptureTests.swift.
import Testing
@testable import IPVS
import Vocabulary

private let vip4 = IPAddress("192.0.2.10")!
private let vip6 = IPAddress("2001:db8::10")!
private let http4 = IPVSServiceKey.address(.tcp, vip4, port: 80)
private let https6 = IPVSServiceKey.address(.tcp, vip6, port: 443)

private func encoded(_ r: IPVSRequest, seq: UInt32, pid: UInt32 = 0) throws -> [UInt8] {
    try r.encode(familyID: testFamily, sequence: seq, portID: pid)
}

@Test func newServiceIPv4() throws {
    let bytes = try encoded(.newService(IPVSService(key: http4, scheduler: "rr")), seq: 1)
    #expect(bytes == hex("""
        68 00 00 00  1c 00  05 00  01 00 00 00  00 00 00 00   # nlmsghdr: len 104, family 0x1c, REQUEST|ACK, seq 1, pid 0
        01 01 00 00                                           # genl: IPVS_CMD_NEW_SERVICE, version 1
        54 00 01 80                                           # IPVS_CMD_ATTR_SERVICE | NLA_F_NESTED, len 84
        06 00 01 00  02 00 00 00                              # SVC_ATTR_AF u16 AF_INET, 2 pad
        06 00 02 00  06 00 00 00                              # SVC_ATTR_PROTOCOL u16 IPPROTO_TCP
        14 00 03 00  c0 00 02 0a  00 00 00 00 00 00 00 00 00 00 00 00   # SVC_ATTR_ADDR nf_inet_addr 192.0.2.10
        06 00 04 00  00 50 00 00                              # SVC_ATTR_PORT be16 80
        07 00 06 00  72 72 00 00                              # SVC_ATTR_SCHED_NAME "rr\\0", 1 pad
        0c 00 07 00  00 00 00 00  ff ff ff ff                 # SVC_ATTR_FLAGS {flags 0, mask ~0}
        08 00 08 00  00 00 00 00                              # SVC_ATTR_TIMEOUT 0
        08 00 09 00  ff ff ff ff                              # SVC_ATTR_NETMASK 255.255.255.255
        """))
}

@Test func setServiceIPv6Persistent() throws {
    let s = IPVSService(key: https6, scheduler: "wlc", flags: .persistent, timeout: 300, netmask: 64)
    let bytes = try encoded(.setService(s), seq: 0x2a, pid: 0x1234)
    #expect(bytes == hex("""
        68 00 00 00  1c 00  05 00  2a 00 00 00  34 12 00 00   # len 104, seq 42, pid 0x1234
        02 01 00 00                                           # IPVS_CMD_SET_SERVICE
        54 00 01 80
        06 00 01 00  0a 00 00 00                              # AF_INET6
        06 00 02 00  06 00 00 00
        14 00 03 00  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 10    # 2001:db8::10
        06 00 04 00  01 bb 00 00                              # be16 443
        08 00 06 00  77 6c 63 00                              # "wlc\\0", no pad
        0c 00 07 00  01 00 00 00  ff ff ff ff                 # IP_VS_SVC_F_PERSISTENT
        08 00 08 00  2c 01 00 00                              # timeout 300
        08 00 09 00  40 00 00 00                              # IPv6 prefix length 64, host order
        """))
}

@Test func newFirewallMarkServiceWithEngineAndSchedulerFlags() throws {
    let s = IPVSService(key: .firewallMark(.ipv4, 7), scheduler: "sh", flags: [.shFallback, .shPort],
                        netmask: 0xFFFF_FF00, persistenceEngine: "sip")
    #expect(try encoded(.newService(s), seq: 2) == hex("""
        54 00 00 00  1c 00  05 00  02 00 00 00  00 00 00 00   # len 84
        01 01 00 00
        40 00 01 80                                           # nest len 64
        06 00 01 00  02 00 00 00
        08 00 05 00  07 00 00 00                              # SVC_ATTR_FWMARK 7 (no protocol/addr/port)
        07 00 06 00  73 68 00 00                              # "sh\\0"
        08 00 0b 00  73 69 70 00                              # SVC_ATTR_PE_NAME "sip\\0"
        0c 00 07 00  18 00 00 00  ff ff ff ff                 # SCHED1|SCHED2 = sh-fallback|sh-port
        08 00 08 00  00 00 00 00
        08 00 09 00  ff ff ff 00                              # 255.255.255.0 as __be32
        """))
}

@Test func newDestinationDirectRouting() throws {
    let d = IPVSDestination(key: IPVSDestinationKey(address: IPAddress("198.51.100.20")!, port: 8080),
                            forwarding: .route, weight: 5, upperThreshold: 100, lowerThreshold: 10)
    #expect(try encoded(.newDestination(http4, d), seq: 3) == hex("""
        8c 00 00 00  1c 00  05 00  03 00 00 00  00 00 00 00   # len 140
        05 01 00 00                                           # IPVS_CMD_NEW_DEST
        30 00 01 80                                           # service identity only, len 48
        06 00 01 00  02 00 00 00
        06 00 02 00  06 00 00 00
        14 00 03 00  c0 00 02 0a  00 00 00 00 00 00 00 00 00 00 00 00
        06 00 04 00  00 50 00 00
        48 00 02 80                                           # IPVS_CMD_ATTR_DEST | NESTED, len 72
        14 00 01 00  c6 33 64 14  00 00 00 00 00 00 00 00 00 00 00 00   # DEST_ATTR_ADDR 198.51.100.20
        06 00 02 00  1f 90 00 00                              # DEST_ATTR_PORT be16 8080
        06 00 0b 00  02 00 00 00                              # DEST_ATTR_ADDR_FAMILY AF_INET
        08 00 03 00  03 00 00 00                              # DEST_ATTR_FWD_METHOD IP_VS_CONN_F_DROUTE
        08 00 04 00  05 00 00 00                              # WEIGHT 5
        08 00 05 00  64 00 00 00                              # U_THRESH 100
        08 00 06 00  0a 00 00 00                              # L_THRESH 10
        """))
}

@Test func setDestinationGUETunnel() throws {
    let d = IPVSDestination(key: IPVSDestinationKey(address: IPAddress("2001:db8::1")!, port: 443),
                            forwarding: .tunnel(IPVSTunnel(type: .gue, port: 6080, flags: .checksum)), weight: 0)
    #expect(try encoded(.setDestination(https6, d), seq: 4) == hex("""
        a4 00 00 00  1c 00  05 00  04 00 00 00  00 00 00 00   # len 164
        06 01 00 00                                           # IPVS_CMD_SET_DEST
        30 00 01 80
        06 00 01 00  0a 00 00 00
        06 00 02 00  06 00 00 00
        14 00 03 00  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 10
        06 00 04 00  01 bb 00 00
        60 00 02 80                                           # dest nest, len 96
        14 00 01 00  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
        06 00 02 00  01 bb 00 00
        06 00 0b 00  0a 00 00 00
        08 00 03 00  02 00 00 00                              # IP_VS_CONN_F_TUNNEL
        08 00 04 00  00 00 00 00                              # weight 0 (quiesced)
        08 00 05 00  00 00 00 00
        08 00 06 00  00 00 00 00
        05 00 0d 00  01 00 00 00                              # TUN_TYPE u8 GUE, 3 pad
        06 00 0e 00  17 c0 00 00                              # TUN_PORT be16 6080
        06 00 0f 00  01 00 00 00                              # TUN_FLAGS u16 CSUM
        """))
}

@Test func deleteMixedFamilyDestination() throws {
    let dk = IPVSDestinationKey(address: IPAddress("203.0.113.5")!, port: 0)
    #expect(try encoded(.deleteDestination(.firewallMark(.ipv6, 16), dk), seq: 5) == hex("""
        50 00 00 00  1c 00  05 00  05 00 00 00  00 00 00 00   # len 80
        07 01 00 00                                           # IPVS_CMD_DEL_DEST
        14 00 01 80                                           # len 20
        06 00 01 00  0a 00 00 00                              # IPv6 service ...
        08 00 05 00  10 00 00 00                              # ... fwmark 16
        28 00 02 80                                           # len 40: identity only
        14 00 01 00  cb 00 71 05  00 00 00 00 00 00 00 00 00 00 00 00   # 203.0.113.5
        06 00 02 00  00 00 00 00
        06 00 0b 00  02 00 00 00                              # an IPv4 dest in an IPv6 service
        """))
}

@Test func deleteServiceAndDumps() throws {
    let identity = """
        30 00 01 80
        06 00 01 00  02 00 00 00
        06 00 02 00  06 00 00 00
        14 00 03 00  c0 00 02 0a  00 00 00 00 00 00 00 00 00 00 00 00
        06 00 04 00  00 50 00 00
        """
    #expect(try encoded(.deleteService(http4), seq: 6)
        == hex("44 00 00 00  1c 00 05 00  06 00 00 00  00 00 00 00  03 01 00 00") + hex(identity))
    #expect(try encoded(.dumpDestinations(http4), seq: 9)
        == hex("44 00 00 00  1c 00 01 03  09 00 00 00  00 00 00 00  08 01 00 00") + hex(identity))
    #expect(try encoded(.getInfo, seq: 7) == hex("14 00 00 00  1c 00 05 00  07 00 00 00  00 00 00 00  0f 01 00 00"))
    #expect(try encoded(.dumpServices, seq: 8) == hex("14 00 00 00  1c 00 01 03  08 00 00 00  00 00 00 00  04 01 00 00"))
    #expect(try encoded(.dumpSyncDaemons, seq: 10) == hex("14 00 00 00  1c 00 01 03  0a 00 00 00  00 00 00 00  0b 01 00 00"))
    #expect(try encoded(.getTimeouts, seq: 11) == hex("14 00 00 00  1c 00 05 00  0b 00 00 00  00 00 00 00  0d 01 00 00"))
    #expect(try encoded(.flush, seq: 13) == hex("14 00 00 00  1c 00 05 00  0d 00 00 00  00 00 00 00  11 01 00 00"))
    #expect(IPVSRequest.dumpServices.isDump && IPVSRequest.dumpDestinations(http4).isDump)
    #expect(!IPVSRequest.getInfo.isDump && !IPVSRequest.flush.isDump)
}

@Test func syncDaemonStartAndStop() throws {
    let d = IPVSSyncDaemon(state: .master, interface: "eth0", syncID: 51, maxPayload: 1500,
                           group: IPAddress("224.0.0.81")!, port: 8848, ttl: 1)
    #expect(try encoded(.startSyncDaemon(d), seq: 10) == hex("""
        54 00 00 00  1c 00  05 00  0a 00 00 00  00 00 00 00   # len 84
        09 01 00 00                                           # IPVS_CMD_NEW_DAEMON
        40 00 03 80                                           # IPVS_CMD_ATTR_DAEMON | NESTED, len 64
        08 00 01 00  01 00 00 00                              # STATE master
        09 00 02 00  65 74 68 30 00 00 00 00                  # MCAST_IFN "eth0\\0", 3 pad
        08 00 03 00  33 00 00 00                              # SYNC_ID 51
        06 00 04 00  dc 05 00 00                              # SYNC_MAXLEN u16 1500
        08 00 05 00  e0 00 00 51                              # MCAST_GROUP in_addr 224.0.0.81
        06 00 07 00  90 22 00 00                              # MCAST_PORT u16 8848 (host order, nla_get_u16)
        05 00 08 00  01 00 00 00                              # MCAST_TTL u8 1
        """))
    #expect(try encoded(.stopSyncDaemon(.backup), seq: 11) == hex("""
        20 00 00 00  1c 00 05 00  0b 00 00 00  00 00 00 00  0a 01 00 00   # IPVS_CMD_DEL_DAEMON
        0c 00 03 80  08 00 01 00  02 00 00 00                             # STATE backup
        """))
}

@Test func setTimeouts() throws {
    #expect(try encoded(.setTimeouts(LVSTimeouts(tcp: 900, tcpFin: 120, udp: 300)), seq: 12) == hex("""
        2c 00 00 00  1c 00 05 00  0c 00 00 00  00 00 00 00  0c 01 00 00   # IPVS_CMD_SET_CONFIG, len 44
        08 00 04 00  84 03 00 00                                          # CMD_ATTR_TIMEOUT_TCP 900
        08 00 05 00  78 00 00 00                                          # TIMEOUT_TCP_FIN 120
        08 00 06 00  2c 01 00 00                                          # TIMEOUT_UDP 300
        """))
    // Only what is given is sent: the kernel keeps the others.
    #expect(try encoded(.setTimeouts(LVSTimeouts(udp: 60)), seq: 1).count == 28)
}

@Test func namesTheKernelWouldRefuseAreRefusedBeforeSending() {
    func service(_ scheduler: String, pe: String? = nil) -> IPVSRequest {
        .newService(IPVSService(key: http4, scheduler: scheduler, persistenceEngine: pe))
    }
    #expect(throws: IPVSEncodeError.badName("scheduler")) { try encoded(service(""), seq: 1) }
    #expect(throws: IPVSEncodeError.badName("scheduler")) { try encoded(service("r\u{0}r"), seq: 1) }
    #expect(throws: IPVSEncodeError.nameTooLong("scheduler")) { try encoded(service(String(repeating: "x", count: 16)), seq: 1) }
    #expect(throws: IPVSEncodeError.nameTooLong("persistenceEngine")) {
        try encoded(service("rr", pe: String(repeating: "p", count: 16)), seq: 1)
    }
    #expect(throws: IPVSEncodeError.nameTooLong("interface")) {
        try encoded(.startSyncDaemon(IPVSSyncDaemon(state: .master, interface: "a-very-long-ifname", syncID: 1)), seq: 1)
    }
    // 15 bytes is the most the kernel takes (IP_VS_SCHEDNAME_MAXLEN 16 with the NUL).
    #expect(throws: Never.self) { try encoded(service(String(repeating: "x", count: 15)), seq: 1) }
}
