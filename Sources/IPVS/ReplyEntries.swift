// Decodes the nested service, destination, stats and daemon attributes of kernel replies.

import Vocabulary

func decodeServiceEntry(_ a: Attributes) throws(IPVSDecodeError) -> IPVSServiceEntry {
    let familyNumber = try required(a.u16(ServiceAttribute.family, "service.family"), "service.family")
    guard let family = IPAddressFamily(kernelNumber: familyNumber) else { throw .badAttributeValue("service.family") }

    let key: IPVSServiceKey
    if let mark = try a.u32(ServiceAttribute.firewallMark, "service.firewallMark"), mark != 0 {
        key = .firewallMark(family, mark)
    } else {
        let protoNumber = try required(a.u16(ServiceAttribute.proto, "service.protocol"), "service.protocol")
        guard let proto = UInt8(exactly: protoNumber).flatMap(TransportProtocol.init(rawValue:)) else { throw .badAttributeValue("service.protocol") }
        let raw = try required(a.raw(ServiceAttribute.address), "service.address")
        guard let address = IPAddress(family: family, bytes: raw) else { throw .badAttributeValue("service.address") }
        let port = try required(a.be16(ServiceAttribute.port, "service.port"), "service.port")
        key = .address(proto, address, port: port)
    }

    let scheduler = try required(a.string(ServiceAttribute.schedulerName, "service.scheduler"), "service.scheduler")
    let flagsRaw = try required(a.raw(ServiceAttribute.flags), "service.flags")
    // struct ip_vs_flags: the kernel sends {flags, ~0}; only the first word matters.
    guard flagsRaw.count == 8 else { throw .badAttributeValue("service.flags") }
    let flags = Attributes.load(a.bytes, at: flagsRaw.startIndex, as: UInt32.self)
    let timeout = try required(a.u32(ServiceAttribute.timeout, "service.timeout"), "service.timeout")
    let netmaskWire = try required(a.u32(ServiceAttribute.netmask, "service.netmask"), "service.netmask")
    let netmask = family == .ipv4 ? UInt32(bigEndian: netmaskWire) : netmaskWire
    let engine = try a.string(ServiceAttribute.persistenceEngine, "service.persistenceEngine")

    let service = IPVSService(key: key, scheduler: scheduler, flags: IPVSServiceFlags(rawValue: flags),
                              timeout: timeout, netmask: netmask,
                              persistenceEngine: engine?.isEmpty == true ? nil : engine)
    let stats = try decodeStats(a, stats: ServiceAttribute.stats, stats64: ServiceAttribute.stats64)
    return IPVSServiceEntry(service: service, stats: stats)
}

func decodeDestinationEntry(_ a: Attributes) throws(IPVSDecodeError) -> IPVSDestinationEntry {
    // Kernels since 3.18 always send the family; without it IPv4 and IPv6 cannot be told apart.
    let familyNumber = try required(a.u16(DestinationAttribute.addressFamily, "destination.family"),
                                    "destination.family")
    guard let family = IPAddressFamily(kernelNumber: familyNumber) else {
        throw .badAttributeValue("destination.family")
    }
    let raw = try required(a.raw(DestinationAttribute.address), "destination.address")
    guard let address = IPAddress(family: family, bytes: raw) else {
        throw .badAttributeValue("destination.address")
    }
    let port = try required(a.be16(DestinationAttribute.port, "destination.port"), "destination.port")

    var tunnel = IPVSTunnel()
    if let t = try a.u8(DestinationAttribute.tunnelType, "destination.tunnelType") {
        guard let type = IPVSTunnelType(rawValue: t) else { throw .badAttributeValue("destination.tunnelType") }
        tunnel.type = type
    }
    tunnel.port = try a.be16(DestinationAttribute.tunnelPort, "destination.tunnelPort") ?? 0
    tunnel.flags = IPVSTunnelFlags(rawValue: try a.u16(DestinationAttribute.tunnelFlags, "destination.tunnelFlags") ?? 0)

    let method = try required(a.u32(DestinationAttribute.forwarding, "destination.forwarding"), "destination.forwarding")
    guard let forwarding = IPVSForwarding(kernelValue: method, tunnel: tunnel) else {
        throw .badAttributeValue("destination.forwarding")
    }
    let weight = try required(a.u32(DestinationAttribute.weight, "destination.weight"), "destination.weight")
    let destination = IPVSDestination(
        key: IPVSDestinationKey(address: address, port: port),
        forwarding: forwarding,
        weight: Int32(bitPattern: weight),
        upperThreshold: try a.u32(DestinationAttribute.upperThreshold, "destination.upperThreshold") ?? 0,
        lowerThreshold: try a.u32(DestinationAttribute.lowerThreshold, "destination.lowerThreshold") ?? 0)
    return IPVSDestinationEntry(
        destination: destination,
        activeConnections: try a.u32(DestinationAttribute.activeConnections, "destination.activeConnections") ?? 0,
        inactiveConnections: try a.u32(DestinationAttribute.inactiveConnections, "destination.inactiveConnections") ?? 0,
        persistentConnections: try a.u32(DestinationAttribute.persistentConnections,
                                         "destination.persistentConnections") ?? 0,
        stats: try decodeStats(a, stats: DestinationAttribute.stats, stats64: DestinationAttribute.stats64))
}

/// Prefers the 64-bit nest (kernel 4.x+), falls back to the old one whose rates and counts are 32-bit.
private func decodeStats(_ a: Attributes, stats: UInt16, stats64: UInt16) throws(IPVSDecodeError) -> IPVSStats {
    var nest = try a.nested(stats64, max: StatsAttribute.max)
    if nest == nil { nest = try a.nested(stats, max: StatsAttribute.max) }
    guard let s = nest else { return IPVSStats() }
    var out = IPVSStats()
    out.connections = try s.counter(StatsAttribute.connections, "stats.connections") ?? 0
    out.inPackets = try s.counter(StatsAttribute.inPackets, "stats.inPackets") ?? 0
    out.outPackets = try s.counter(StatsAttribute.outPackets, "stats.outPackets") ?? 0
    out.inBytes = try s.counter(StatsAttribute.inBytes, "stats.inBytes") ?? 0
    out.outBytes = try s.counter(StatsAttribute.outBytes, "stats.outBytes") ?? 0
    out.connectionRate = try s.counter(StatsAttribute.connectionRate, "stats.connectionRate") ?? 0
    out.inPacketRate = try s.counter(StatsAttribute.inPacketRate, "stats.inPacketRate") ?? 0
    out.outPacketRate = try s.counter(StatsAttribute.outPacketRate, "stats.outPacketRate") ?? 0
    out.inByteRate = try s.counter(StatsAttribute.inByteRate, "stats.inByteRate") ?? 0
    out.outByteRate = try s.counter(StatsAttribute.outByteRate, "stats.outByteRate") ?? 0
    return out
}

func decodeDaemon(_ a: Attributes) throws(IPVSDecodeError) -> IPVSSyncDaemon {
    let stateNumber = try required(a.u32(DaemonAttribute.state, "daemon.state"), "daemon.state")
    guard let state = IPVSSyncState(rawValue: stateNumber) else { throw .badAttributeValue("daemon.state") }
    var group: IPAddress?
    if let raw = a.raw(DaemonAttribute.group) {
        guard raw.count == 4, let g = IPAddress(family: .ipv4, bytes: raw) else {
            throw .badAttributeValue("daemon.group")
        }
        group = g
    } else if let raw = a.raw(DaemonAttribute.group6) {
        guard let g = IPAddress(family: .ipv6, bytes: raw) else { throw .badAttributeValue("daemon.group6") }
        group = g
    }
    return IPVSSyncDaemon(
        state: state,
        interface: try required(a.string(DaemonAttribute.interface, "daemon.interface"), "daemon.interface"),
        syncID: try required(a.u32(DaemonAttribute.syncID, "daemon.syncID"), "daemon.syncID"),
        maxPayload: try a.u16(DaemonAttribute.maxPayload, "daemon.maxPayload"),
        group: group,
        port: try a.u16(DaemonAttribute.port, "daemon.port"),
        ttl: try a.u8(DaemonAttribute.ttl, "daemon.ttl"))
}
