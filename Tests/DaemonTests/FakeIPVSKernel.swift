// An in-process stand-in for the kernel's IPVS generic-netlink family: it decodes ipvsd's requests with
// the IPVS codec's own attribute reader, keeps its table with IPVSTable.apply (the kernel's rules), and
// answers as ip_vs_genl does: dumps as NLM_F_MULTI messages ended by NLMSG_DONE, everything else acked.
@testable import IPVS
import Platform
import Vocabulary

final class FakeIPVSKernel: GenericNetlinkTransport {
    static let family: UInt16 = 0x23
    var table = IPVSTable()
    var syncDaemons: [IPVSSyncState: IPVSSyncDaemon] = [:]
    /// The counters a service dump reports for a service (zero for one not listed), sent as the kernel's
    /// STATS64 nest, as traffic would have made them.
    var serviceStats: [IPVSServiceKey: IPVSStats] = [:]
    /// The connection counts and counters a destination dump reports (zero for one not listed).
    var destinationCounters: [IPVSServiceKey: [IPVSDestinationKey: DestinationCounters]] = [:]
    struct DestinationCounters {
        var active: UInt32 = 0
        var inactive: UInt32 = 0
        var stats = IPVSStats()
    }
    /// The connection timeouts SET_CONFIG set; an absent attribute leaves one as it was, as in ip_vs_genl.
    var timeouts = LVSTimeouts(tcp: 900, tcpFin: 120, udp: 300)
    /// Every request's command number, in order (to prove what was and was not sent).
    private(set) var commands: [UInt8] = []
    /// Requests that change the table (NEW/SET/DEL service or destination, FLUSH).
    var mutatingRequests: Int { commands.filter { [1, 2, 3, 5, 6, 7, 17].contains($0) }.count }
    var flushes: Int { commands.filter { $0 == IPVSCommandNumber.flush }.count }
    /// Refuse NEW_DEST for this destination with EINVAL (a kernel that says no).
    var refuseDestination: IPVSDestinationKey?
    /// Refuse GET_SERVICE dumps with this errno (a kernel whose table cannot be read).
    var refuseServiceDump: Int32?
    private var pending: [[UInt8]] = []

    let portID: UInt32 = 4242

    func send(_ message: [UInt8]) throws(NetlinkError) {
        let seq = Attributes.hostU32(message, at: 8)
        let command = message[16]
        commands.append(command)
        do {
            let top = try Attributes(message, in: 20..<message.count, max: CommandAttribute.max)
            try handle(command, top, seq: seq)
        } catch let error as FakeKernelError {
            pending.append(ack(seq, errno: error.errno))
        } catch {
            pending.append(ack(seq, errno: 22))
        }
    }

    func receive() throws(NetlinkError) -> [UInt8] {
        guard !pending.isEmpty else { throw .timedOut }
        return pending.removeFirst()
    }

    private func handle(_ command: UInt8, _ top: Attributes, seq: UInt32) throws {
        switch command {
        case IPVSCommandNumber.getService:
            if let errno = refuseServiceDump { throw FakeKernelError(errno: errno) }
            for key in table.servers.keys.sorted() {
                guard let server = table.servers[key] else { continue }
                var w = MessageWriter(type: Self.family, flags: Netlink.flagMulti, sequence: seq, portID: portID,
                                      command: IPVSCommandNumber.newService)
                w.nest(CommandAttribute.service) { writeService(server.service, stats: serviceStats[key] ?? IPVSStats(), &$0) }
                pending.append(w.finish())
            }
            pending.append(done(seq))
        case IPVSCommandNumber.getDest:
            let key = try serviceKey(top)
            guard let server = table.servers[key] else { throw FakeKernelError(errno: 3) }
            for dk in server.destinations.keys.sorted() {
                guard let d = server.destinations[dk] else { continue }
                var w = MessageWriter(type: Self.family, flags: Netlink.flagMulti, sequence: seq, portID: portID,
                                      command: IPVSCommandNumber.newDest)
                w.nest(CommandAttribute.dest) {
                    writeDestination(d, counters: destinationCounters[key]?[dk] ?? DestinationCounters(), &$0)
                }
                pending.append(w.finish())
            }
            pending.append(done(seq))
        case IPVSCommandNumber.newService, IPVSCommandNumber.setService, IPVSCommandNumber.delService,
             IPVSCommandNumber.newDest, IPVSCommandNumber.setDest, IPVSCommandNumber.delDest:
            let op = try operation(command, top)
            if case .addDestination(_, let d) = op, d.key == refuseDestination { throw FakeKernelError(errno: 22) }
            try apply(op)
            pending.append(ack(seq, errno: 0))
        case IPVSCommandNumber.newDaemon:
            let nest = try nested(top, CommandAttribute.daemon, DaemonAttribute.max)
            guard let raw = try nest.u32(DaemonAttribute.state, "state"), let state = IPVSSyncState(rawValue: raw),
                  let interface = try nest.string(DaemonAttribute.interface, "if") else { throw FakeKernelError(errno: 22) }
            guard syncDaemons[state] == nil else { throw FakeKernelError(errno: 17) }
            syncDaemons[state] = IPVSSyncDaemon(state: state, interface: interface,
                                                syncID: try nest.u32(DaemonAttribute.syncID, "id") ?? 0)
            pending.append(ack(seq, errno: 0))
        case IPVSCommandNumber.getDaemon:
            for state in [IPVSSyncState.master, .backup] {
                guard let daemon = syncDaemons[state] else { continue }
                var w = MessageWriter(type: Self.family, flags: Netlink.flagMulti, sequence: seq, portID: portID,
                                      command: IPVSCommandNumber.newDaemon)
                w.nest(CommandAttribute.daemon) {
                    $0.u32(DaemonAttribute.state, daemon.state.rawValue)
                    $0.string(DaemonAttribute.interface, daemon.interface)
                    $0.u32(DaemonAttribute.syncID, daemon.syncID)
                }
                pending.append(w.finish())
            }
            pending.append(done(seq))
        case IPVSCommandNumber.delDaemon:
            let nest = try nested(top, CommandAttribute.daemon, DaemonAttribute.max)
            guard let raw = try nest.u32(DaemonAttribute.state, "state"), let state = IPVSSyncState(rawValue: raw)
            else { throw FakeKernelError(errno: 22) }
            guard syncDaemons.removeValue(forKey: state) != nil else { throw FakeKernelError(errno: 3) }
            pending.append(ack(seq, errno: 0))
        case IPVSCommandNumber.setConfig:
            if let tcp = try top.u32(CommandAttribute.timeoutTCP, "tcp") { timeouts.tcp = tcp }
            if let fin = try top.u32(CommandAttribute.timeoutTCPFin, "tcpfin") { timeouts.tcpFin = fin }
            if let udp = try top.u32(CommandAttribute.timeoutUDP, "udp") { timeouts.udp = udp }
            pending.append(ack(seq, errno: 0))
        case IPVSCommandNumber.flush:
            table = IPVSTable()
            pending.append(ack(seq, errno: 0))
        default:
            throw FakeKernelError(errno: 95)
        }
    }

    /// The table operation a NEW/SET/DEL service or destination request asks for, decoded from its bytes.
    static func operation(of message: [UInt8]) throws -> IPVSOperation {
        guard message.count >= 20 else { throw FakeKernelError(errno: 22) }
        let top = try Attributes(message, in: 20..<Int(Attributes.hostU32(message, at: 0)), max: CommandAttribute.max)
        return try FakeIPVSKernel().operation(message[16], top)
    }

    private func operation(_ command: UInt8, _ top: Attributes) throws -> IPVSOperation {
        switch command {
        case IPVSCommandNumber.newService, IPVSCommandNumber.setService:
            let nest = try nested(top, CommandAttribute.service, ServiceAttribute.max)
            let service = try decodeServiceEntry(nest).service
            return command == IPVSCommandNumber.newService ? .addService(service) : .editService(service)
        case IPVSCommandNumber.delService:
            return .deleteService(try serviceKey(top))
        case IPVSCommandNumber.newDest, IPVSCommandNumber.setDest:
            let key = try serviceKey(top)
            let d = try decodeDestinationEntry(try nested(top, CommandAttribute.dest, DestinationAttribute.max)).destination
            return command == IPVSCommandNumber.newDest ? .addDestination(key, d) : .editDestination(key, d)
        case IPVSCommandNumber.delDest:
            let key = try serviceKey(top)
            let nest = try nested(top, CommandAttribute.dest, DestinationAttribute.max)
            let family = IPAddressFamily(kernelNumber: try nest.u16(DestinationAttribute.addressFamily, "f") ?? 2) ?? .ipv4
            guard let raw = nest.raw(DestinationAttribute.address), let address = IPAddress(family: family, bytes: raw),
                  let port = try nest.be16(DestinationAttribute.port, "port") else { throw FakeKernelError(errno: 22) }
            return .deleteDestination(key, IPVSDestinationKey(address: address, port: port))
        default:
            throw FakeKernelError(errno: 95)
        }
    }

    /// The kernel's errnos for the table's refusals: EEXIST, ESRCH (no service), ENOENT (no destination).
    private func apply(_ op: IPVSOperation) throws {
        do { try table.apply(op) } catch {
            switch error {
            case .serviceExists, .destinationExists: throw FakeKernelError(errno: 17)
            case .noSuchService: throw FakeKernelError(errno: 3)
            case .noSuchDestination: throw FakeKernelError(errno: 2)
            }
        }
    }

    private func nested(_ top: Attributes, _ type: UInt16, _ max: UInt16) throws -> Attributes {
        guard let nest = try top.nested(type, max: max) else { throw FakeKernelError(errno: 22) }
        return nest
    }

    private func serviceKey(_ top: Attributes) throws -> IPVSServiceKey {
        let a = try nested(top, CommandAttribute.service, ServiceAttribute.max)
        guard let familyNumber = try a.u16(ServiceAttribute.family, "family"),
              let family = IPAddressFamily(kernelNumber: familyNumber) else { throw FakeKernelError(errno: 22) }
        if let mark = try a.u32(ServiceAttribute.firewallMark, "fwmark") { return .firewallMark(family, mark) }
        guard let protoNumber = try a.u16(ServiceAttribute.proto, "proto"), let proto = UInt8(exactly: protoNumber).flatMap(TransportProtocol.init(rawValue:)),
              let raw = a.raw(ServiceAttribute.address), let address = IPAddress(family: family, bytes: raw),
              let port = try a.be16(ServiceAttribute.port, "port") else { throw FakeKernelError(errno: 22) }
        return .address(proto, address, port: port)
    }

    private func writeService(_ s: IPVSService, stats: IPVSStats, _ w: inout MessageWriter) {
        w.u16(ServiceAttribute.family, s.key.family.kernelNumber)
        switch s.key {
        case .firewallMark(_, let mark): w.u32(ServiceAttribute.firewallMark, mark)
        case .address(let proto, let address, let port):
            w.u16(ServiceAttribute.proto, UInt16(proto.rawValue))
            w.raw(ServiceAttribute.address, address.inetAddrUnionBytes)
            w.be16(ServiceAttribute.port, port)
        }
        w.string(ServiceAttribute.schedulerName, s.scheduler)
        // The kernel adds its "hashed" bit to every live service.
        w.raw(ServiceAttribute.flags, hostBytes(s.flags.union(.hashed).rawValue) + hostBytes(UInt32.max))
        w.u32(ServiceAttribute.timeout, s.timeout)
        w.raw(ServiceAttribute.netmask, netmaskBytes(s.netmask, family: s.key.family))
        w.nest(ServiceAttribute.stats64) { writeStats(stats, &$0) }
    }

    /// IPVS_STATS_ATTR_* as the kernel's STATS64 nest: every counter a u64.
    private func writeStats(_ s: IPVSStats, _ w: inout MessageWriter) {
        let counters: [(UInt16, UInt64)] = [
            (StatsAttribute.connections, s.connections), (StatsAttribute.inPackets, s.inPackets),
            (StatsAttribute.outPackets, s.outPackets), (StatsAttribute.inBytes, s.inBytes),
            (StatsAttribute.outBytes, s.outBytes), (StatsAttribute.connectionRate, s.connectionRate),
            (StatsAttribute.inPacketRate, s.inPacketRate), (StatsAttribute.outPacketRate, s.outPacketRate),
            (StatsAttribute.inByteRate, s.inByteRate), (StatsAttribute.outByteRate, s.outByteRate)]
        for (type, value) in counters { w.raw(type, hostBytes(value)) }
    }

    private func writeDestination(_ d: IPVSDestination, counters: DestinationCounters, _ w: inout MessageWriter) {
        w.raw(DestinationAttribute.address, d.key.address.inetAddrUnionBytes)
        w.be16(DestinationAttribute.port, d.key.port)
        w.u32(DestinationAttribute.forwarding, d.forwarding.kernelValue)
        w.u32(DestinationAttribute.weight, UInt32(bitPattern: d.weight))
        w.u32(DestinationAttribute.upperThreshold, d.upperThreshold)
        w.u32(DestinationAttribute.lowerThreshold, d.lowerThreshold)
        w.u16(DestinationAttribute.addressFamily, d.key.address.family.kernelNumber)
        w.u32(DestinationAttribute.activeConnections, counters.active)
        w.u32(DestinationAttribute.inactiveConnections, counters.inactive)
        w.nest(DestinationAttribute.stats64) { writeStats(counters.stats, &$0) }
    }

    private func header(_ type: UInt16, flags: UInt16, seq: UInt32, payload: [UInt8]) -> [UInt8] {
        hostBytes(UInt32(16 + payload.count)) + hostBytes(type) + hostBytes(flags) + hostBytes(seq)
            + hostBytes(portID) + payload
    }

    private func ack(_ seq: UInt32, errno: Int32) -> [UInt8] {
        // Capped ack: the error code and our request's header only.
        let echoed = header(Self.family, flags: 0, seq: seq, payload: [])
        return header(Netlink.error, flags: Netlink.flagCapped, seq: seq, payload: hostBytes(-errno) + echoed)
    }

    private func done(_ seq: UInt32) -> [UInt8] {
        header(Netlink.done, flags: Netlink.flagMulti, seq: seq, payload: hostBytes(Int32(0)))
    }
}

struct FakeKernelError: Error {
    let errno: Int32
}
