// Numbers from <linux/netlink.h>, <linux/genetlink.h> and <linux/ip_vs.h>, written out because this
// module is pure Swift (no C import). Tests check the encodings built from them byte for byte.

enum Netlink {
    static let headerSize = 16          // struct nlmsghdr
    static let genlHeaderSize = 4       // struct genlmsghdr
    static let attributeHeaderSize = 4  // struct nlattr

    // nlmsg_type values below NLMSG_MIN_TYPE (0x10) are control messages.
    static let noop: UInt16 = 1
    static let error: UInt16 = 2
    static let done: UInt16 = 3
    static let overrun: UInt16 = 4

    static let flagRequest: UInt16 = 0x01
    static let flagMulti: UInt16 = 0x02
    static let flagAck: UInt16 = 0x04
    static let flagDump: UInt16 = 0x300    // NLM_F_ROOT | NLM_F_MATCH
    static let flagCapped: UInt16 = 0x100  // on NLMSG_ERROR: request not echoed beyond its header
    static let flagAckTLVs: UInt16 = 0x200 // on NLMSG_ERROR: extended-ack attributes follow

    static let attributeNested: UInt16 = 0x8000   // NLA_F_NESTED
    static let attributeTypeMask: UInt16 = 0x3FFF // ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER)

    static let extAckMessage: UInt16 = 1  // NLMSGERR_ATTR_MSG

    static func align4(_ n: Int) -> Int { (n + 3) & ~3 }
}

/// IPVS_GENL_VERSION and the IPVS_CMD_* numbers.
enum IPVSCommandNumber {
    static let genlVersion: UInt8 = 1

    static let newService: UInt8 = 1
    static let setService: UInt8 = 2
    static let delService: UInt8 = 3
    static let getService: UInt8 = 4
    static let newDest: UInt8 = 5
    static let setDest: UInt8 = 6
    static let delDest: UInt8 = 7
    static let getDest: UInt8 = 8
    static let newDaemon: UInt8 = 9
    static let delDaemon: UInt8 = 10
    static let getDaemon: UInt8 = 11
    static let setConfig: UInt8 = 12
    static let getConfig: UInt8 = 13
    static let setInfo: UInt8 = 14
    static let getInfo: UInt8 = 15
    static let zero: UInt8 = 16
    static let flush: UInt8 = 17
}

/// IPVS_CMD_ATTR_*: the top level of a message.
enum CommandAttribute {
    static let service: UInt16 = 1
    static let dest: UInt16 = 2
    static let daemon: UInt16 = 3
    static let timeoutTCP: UInt16 = 4
    static let timeoutTCPFin: UInt16 = 5
    static let timeoutUDP: UInt16 = 6
    static let max: UInt16 = 6
}

/// IPVS_SVC_ATTR_*: inside IPVS_CMD_ATTR_SERVICE.
enum ServiceAttribute {
    static let family: UInt16 = 1
    static let proto: UInt16 = 2
    static let address: UInt16 = 3
    static let port: UInt16 = 4
    static let firewallMark: UInt16 = 5
    static let schedulerName: UInt16 = 6
    static let flags: UInt16 = 7
    static let timeout: UInt16 = 8
    static let netmask: UInt16 = 9
    static let stats: UInt16 = 10
    static let persistenceEngine: UInt16 = 11
    static let stats64: UInt16 = 12
    static let max: UInt16 = 12
}

/// IPVS_DEST_ATTR_*: inside IPVS_CMD_ATTR_DEST.
enum DestinationAttribute {
    static let address: UInt16 = 1
    static let port: UInt16 = 2
    static let forwarding: UInt16 = 3
    static let weight: UInt16 = 4
    static let upperThreshold: UInt16 = 5
    static let lowerThreshold: UInt16 = 6
    static let activeConnections: UInt16 = 7
    static let inactiveConnections: UInt16 = 8
    static let persistentConnections: UInt16 = 9
    static let stats: UInt16 = 10
    static let addressFamily: UInt16 = 11
    static let stats64: UInt16 = 12
    static let tunnelType: UInt16 = 13
    static let tunnelPort: UInt16 = 14
    static let tunnelFlags: UInt16 = 15
    static let max: UInt16 = 15
}

/// IPVS_DAEMON_ATTR_*: inside IPVS_CMD_ATTR_DAEMON.
enum DaemonAttribute {
    static let state: UInt16 = 1
    static let interface: UInt16 = 2
    static let syncID: UInt16 = 3
    static let maxPayload: UInt16 = 4
    static let group: UInt16 = 5
    static let group6: UInt16 = 6
    static let port: UInt16 = 7
    static let ttl: UInt16 = 8
    static let max: UInt16 = 8
}

/// IPVS_STATS_ATTR_*: inside the STATS and STATS64 nests.
enum StatsAttribute {
    static let connections: UInt16 = 1
    static let inPackets: UInt16 = 2
    static let outPackets: UInt16 = 3
    static let inBytes: UInt16 = 4
    static let outBytes: UInt16 = 5
    static let connectionRate: UInt16 = 6
    static let inPacketRate: UInt16 = 7
    static let outPacketRate: UInt16 = 8
    static let inByteRate: UInt16 = 9
    static let outByteRate: UInt16 = 10
    static let pad: UInt16 = 11
    static let max: UInt16 = 11
}

/// IPVS_INFO_ATTR_*: the top level of a GET_INFO answer.
enum InfoAttribute {
    static let version: UInt16 = 1
    static let connectionTableSize: UInt16 = 2
    static let max: UInt16 = 2
}

/// Name lengths: IP_VS_SCHEDNAME_MAXLEN, IP_VS_PENAME_MAXLEN, IP_VS_IFNAME_MAXLEN are 16 with the NUL.
enum IPVSLimits {
    static let nameBytes = 15
}
