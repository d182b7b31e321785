// The requests ipvsd sends, and their exact bytes. The I/O shell resolves the "IPVS" family id,
// picks sequence and port id, sends what `encode` returns and feeds the answers to the decoder.

import Vocabulary

/// A request to the kernel's IPVS generic-netlink family. Each case names the ipvsadm command that sends the
/// same request (ipvsadm speaks this family too), with addresses from the documentation ranges.
public enum IPVSRequest: Hashable, Sendable {
    /// GET_INFO: version and connection table size.
    /// `ipvsadm -Ln` asks it for its first line, "IP Virtual Server version 1.2.1 (size=4096)".
    case getInfo
    /// GET_SERVICE dump: every service.
    /// `ipvsadm -Ln` (the services; it then dumps each one's destinations).
    case dumpServices
    /// GET_DEST dump: the destinations of one service.
    /// `ipvsadm -Ln -t 192.0.2.1:80` (or `-u` for UDP, `--sctp-service`, `-f 1` for a firewall mark).
    case dumpDestinations(IPVSServiceKey)
    /// NEW_SERVICE, every setting given.
    /// `ipvsadm -A -t 192.0.2.1:80 -s rr [-p 300] [-M 255.255.255.0] [--pe sip]`.
    case newService(IPVSService)
    /// SET_SERVICE: the whole entry replaced.
    /// `ipvsadm -E -t 192.0.2.1:80 -s wlc`.
    case setService(IPVSService)
    /// DEL_SERVICE, with its destinations.
    /// `ipvsadm -D -t 192.0.2.1:80`.
    case deleteService(IPVSServiceKey)
    /// NEW_DEST.
    /// `ipvsadm -a -t 192.0.2.1:80 -r 198.51.100.7:80 -g -w 1 [-x 0 -y 0]` (`-m` masquerade,
    /// `-i [--tun-type gue --tun-port 6080]` tunnel).
    case newDestination(IPVSServiceKey, IPVSDestination)
    /// SET_DEST: the whole entry replaced.
    /// `ipvsadm -e -t 192.0.2.1:80 -r 198.51.100.7:80 -g -w 0`.
    case setDestination(IPVSServiceKey, IPVSDestination)
    /// DEL_DEST.
    /// `ipvsadm -d -t 192.0.2.1:80 -r 198.51.100.7:80`.
    case deleteDestination(IPVSServiceKey, IPVSDestinationKey)
    /// NEW_DAEMON: start a connection-sync daemon.
    /// `ipvsadm --start-daemon master --mcast-interface eth0 --syncid 1 [--sync-maxlen 1472]
    /// [--mcast-group 224.0.0.81 --mcast-port 8848 --mcast-ttl 1]`.
    case startSyncDaemon(IPVSSyncDaemon)
    /// DEL_DAEMON: stop the daemon of one role.
    /// `ipvsadm --stop-daemon backup`.
    case stopSyncDaemon(IPVSSyncState)
    /// GET_DAEMON dump: the running sync daemons.
    /// `ipvsadm -L --daemon`.
    case dumpSyncDaemons
    /// SET_CONFIG: protocol timeouts (absent or 0 values are left unchanged by the kernel).
    /// `ipvsadm --set 900 120 300` (tcp, tcpfin, udp; 0 keeps one).
    case setTimeouts(LVSTimeouts)
    /// GET_CONFIG: protocol timeouts.
    /// `ipvsadm -L --timeout`.
    case getTimeouts
    /// FLUSH: remove every service. Only for an explicit flush-on-stop option; reconcile never uses it.
    /// `ipvsadm -C`.
    case flush

    /// True for dumps: the answer is data messages ended by NLMSG_DONE (or an NLMSG_ERROR).
    /// Otherwise the answer ends with one NLMSG_ERROR: errno 0 is the ack (after the data, for gets).
    public var isDump: Bool {
        switch self {
        case .dumpServices, .dumpDestinations, .dumpSyncDaemons: return true
        default: return false
        }
    }

    /// The complete netlink message for this request.
    /// - Parameters: familyID: the resolved "IPVS" generic-netlink family; sequence and portID: nlmsg_seq and nlmsg_pid.
    public func encode(familyID: UInt16, sequence: UInt32, portID: UInt32) throws(IPVSEncodeError) -> [UInt8] {
        // Every request asks for an ack (as libnl's auto-ack does) so each exchange has a clear end;
        // dumps end with NLMSG_DONE instead.
        let flags = Netlink.flagRequest | (isDump ? Netlink.flagDump : Netlink.flagAck)
        var w = MessageWriter(type: familyID, flags: flags, sequence: sequence, portID: portID, command: command)
        switch self {
        case .getInfo, .dumpServices, .dumpSyncDaemons, .getTimeouts, .flush:
            break
        case .dumpDestinations(let key), .deleteService(let key):
            w.nest(CommandAttribute.service) { writeServiceKey(key, into: &$0) }
        case .newService(let service), .setService(let service):
            try validateName(service.scheduler, "scheduler")
            if let pe = service.persistenceEngine { try validateName(pe, "persistenceEngine") }
            w.nest(CommandAttribute.service) { writeService(service, into: &$0) }
        case .newDestination(let key, let destination), .setDestination(let key, let destination):
            w.nest(CommandAttribute.service) { writeServiceKey(key, into: &$0) }
            w.nest(CommandAttribute.dest) { writeDestination(destination, into: &$0) }
        case .deleteDestination(let key, let destination):
            w.nest(CommandAttribute.service) { writeServiceKey(key, into: &$0) }
            w.nest(CommandAttribute.dest) { writeDestinationKey(destination, into: &$0) }
        case .startSyncDaemon(let daemon):
            try validateName(daemon.interface, "interface")
            w.nest(CommandAttribute.daemon) { writeDaemon(daemon, into: &$0) }
        case .stopSyncDaemon(let state):
            w.nest(CommandAttribute.daemon) { $0.u32(DaemonAttribute.state, state.rawValue) }
        case .setTimeouts(let t):
            if let v = t.tcp { w.u32(CommandAttribute.timeoutTCP, v) }
            if let v = t.tcpFin { w.u32(CommandAttribute.timeoutTCPFin, v) }
            if let v = t.udp { w.u32(CommandAttribute.timeoutUDP, v) }
        }
        return w.finish()
    }

    /// The IPVS_CMD_* number of this request.
    var command: UInt8 {
        switch self {
        case .getInfo: return IPVSCommandNumber.getInfo
        case .dumpServices: return IPVSCommandNumber.getService
        case .dumpDestinations: return IPVSCommandNumber.getDest
        case .newService: return IPVSCommandNumber.newService
        case .setService: return IPVSCommandNumber.setService
        case .deleteService: return IPVSCommandNumber.delService
        case .newDestination: return IPVSCommandNumber.newDest
        case .setDestination: return IPVSCommandNumber.setDest
        case .deleteDestination: return IPVSCommandNumber.delDest
        case .startSyncDaemon: return IPVSCommandNumber.newDaemon
        case .stopSyncDaemon: return IPVSCommandNumber.delDaemon
        case .dumpSyncDaemons: return IPVSCommandNumber.getDaemon
        case .setTimeouts: return IPVSCommandNumber.setConfig
        case .getTimeouts: return IPVSCommandNumber.getConfig
        case .flush: return IPVSCommandNumber.flush
        }
    }
}

/// A request the kernel would refuse before it is sent.
public enum IPVSEncodeError: Error, Hashable, Sendable {
    /// A scheduler, persistence-engine or interface name longer than 15 bytes.
    case nameTooLong(String)
    /// A name that is empty or holds a NUL byte.
    case badName(String)
}

private func validateName(_ name: String, _ field: String) throws(IPVSEncodeError) {
    let utf8 = Array(name.utf8)
    guard !utf8.isEmpty, !utf8.contains(0) else { throw .badName(field) }
    guard utf8.count <= IPVSLimits.nameBytes else { throw .nameTooLong(field) }
}

// The identity part of a service: what DEL_SERVICE, GET_DEST and the dest commands need.
// Addresses go as the 16-byte union nf_inet_addr, as ipvsadm's libipvs sends and the kernel answers.
private func writeServiceKey(_ key: IPVSServiceKey, into w: inout MessageWriter) {
    w.u16(ServiceAttribute.family, key.family.kernelNumber)
    switch key {
    case .firewallMark(_, let mark):
        w.u32(ServiceAttribute.firewallMark, mark)
    case .address(let proto, let address, let port):
        w.u16(ServiceAttribute.proto, UInt16(proto.rawValue))
        w.raw(ServiceAttribute.address, address.inetAddrUnionBytes)
        w.be16(ServiceAttribute.port, port)
    }
}

// NEW/SET_SERVICE need every setting (the kernel's "full entry").
private func writeService(_ service: IPVSService, into w: inout MessageWriter) {
    writeServiceKey(service.key, into: &w)
    w.string(ServiceAttribute.schedulerName, service.scheduler)
    if let pe = service.persistenceEngine { w.string(ServiceAttribute.persistenceEngine, pe) }
    // struct ip_vs_flags { u32 flags; u32 mask; }: mask all ones, so the kernel takes our flags as a whole.
    w.raw(ServiceAttribute.flags, hostBytes(service.flags.rawValue) + hostBytes(UInt32.max))
    w.u32(ServiceAttribute.timeout, service.timeout)
    w.raw(ServiceAttribute.netmask, netmaskBytes(service.netmask, family: service.key.family))
}

/// The kernel keeps an IPv4 netmask as __be32 and an IPv6 prefix length as a plain u32 in the same field.
func netmaskBytes(_ netmask: UInt32, family: IPAddressFamily) -> [UInt8] {
    family == .ipv4 ? hostBytes(netmask.bigEndian) : hostBytes(netmask)
}

private func writeDestinationKey(_ key: IPVSDestinationKey, into w: inout MessageWriter) {
    w.raw(DestinationAttribute.address, key.address.inetAddrUnionBytes)
    w.be16(DestinationAttribute.port, key.port)
    // Lets an IPv4 real server sit behind an IPv6 service (tunnel forwarding only, kernel 3.18+).
    w.u16(DestinationAttribute.addressFamily, key.address.family.kernelNumber)
}

private func writeDestination(_ d: IPVSDestination, into w: inout MessageWriter) {
    writeDestinationKey(d.key, into: &w)
    w.u32(DestinationAttribute.forwarding, d.forwarding.kernelValue)
    w.u32(DestinationAttribute.weight, UInt32(bitPattern: d.weight))
    w.u32(DestinationAttribute.upperThreshold, d.upperThreshold)
    w.u32(DestinationAttribute.lowerThreshold, d.lowerThreshold)
    if case .tunnel(let t) = d.forwarding {
        w.u8(DestinationAttribute.tunnelType, t.type.rawValue)
        w.be16(DestinationAttribute.tunnelPort, t.port)
        w.u16(DestinationAttribute.tunnelFlags, t.flags.rawValue)
    }
}

private func writeDaemon(_ d: IPVSSyncDaemon, into w: inout MessageWriter) {
    w.u32(DaemonAttribute.state, d.state.rawValue)
    w.string(DaemonAttribute.interface, d.interface)
    w.u32(DaemonAttribute.syncID, d.syncID)
    if let v = d.maxPayload { w.u16(DaemonAttribute.maxPayload, v) }
    if let group = d.group {
        // IPv4 groups go as a bare in_addr, IPv6 ones as in6_addr in their own attribute.
        w.raw(group.family == .ipv4 ? DaemonAttribute.group : DaemonAttribute.group6, group.bytes)
    }
    // The kernel reads the sync port with nla_get_u16 and converts it itself: host order.
    if let v = d.port { w.u16(DaemonAttribute.port, v) }
    if let v = d.ttl { w.u8(DaemonAttribute.ttl, v) }
}

func hostBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value) { Array($0) }
}
