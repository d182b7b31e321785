// The kernel's IPVS table over generic netlink: one request at a time, answered before the next is sent.
// Bytes come from the pure codec (IPVSRequest.encode / IPVSReplyMessage.decode); this only moves them.
import IPVS
import Platform

/// Why a request to the kernel's IPVS failed.
enum IPVSKernelError: Error, Equatable, CustomStringConvertible {
    /// The kernel refused the request (errno, extended-ack text if any).
    case refused(errno: Int32, message: String?)
    /// The socket failed or the kernel did not answer.
    case transport(NetlinkError)
    /// The answer could not be decoded; the exchange was abandoned.
    case malformedReply(IPVSDecodeError)
    /// The request could not be encoded (a name the kernel would refuse).
    case unencodable(IPVSEncodeError)

    var errno: Int32? {
        if case .refused(let errno, _) = self { return errno }
        return nil
    }

    var description: String {
        switch self {
        case .refused(let errno, let message):
            return "kernel refused: \(errnoName(errno))\(message.map { " (\($0))" } ?? "")"
        case .transport(let error): return "netlink: \(error)"
        case .malformedReply(let error): return "malformed reply: \(error)"
        case .unencodable(let error): return "cannot encode: \(error)"
        }
    }
}

/// The kernel's IPVS family on one generic-netlink transport.
final class IPVSKernel {
    let transport: GenericNetlinkTransport
    let familyID: UInt16
    private var sequence: UInt32 = 1
    /// Replies dropped because they were malformed or stale, for the operator's counters.
    private(set) var droppedReplies = 0
    /// Called for every answer received, and by the table keeper between the steps of a reconcile: a reconcile
    /// of a large table blocks the loop for many of them (the daemon tells systemd it is advancing).
    var onProgress: () -> Void = {}

    init(transport: GenericNetlinkTransport, familyID: UInt16) {
        self.transport = transport
        self.familyID = familyID
    }

    /// Sends `request` and returns its data replies once the kernel has answered in full.
    func perform(_ request: IPVSRequest) throws(IPVSKernelError) -> [IPVSReply] {
        sequence &+= 1
        if sequence == 0 { sequence = 1 }
        let bytes: [UInt8]
        do { bytes = try request.encode(familyID: familyID, sequence: sequence, portID: transport.portID) }
        catch { throw .unencodable(error) }
        do { try transport.send(bytes) } catch { throw .transport(error) }
        var exchange = IPVSExchange(request: request, sequence: sequence)
        while true {
            let datagram: [UInt8]
            do { datagram = try transport.receive() } catch { throw .transport(error) }
            onProgress()
            let messages: [IPVSReplyMessage]
            do { messages = try IPVSReplyMessage.decode(datagram, familyID: familyID) } catch {
                droppedReplies += 1
                // The rest of this answer cannot be trusted; drain nothing, the next request's
                // sequence number keeps stale messages apart.
                throw .malformedReply(error)
            }
            switch exchange.receive(messages) {
            case nil: continue
            case .completed(let replies): return replies
            case .failed(let errno, let message): throw .refused(errno: errno, message: message)
            }
        }
    }

    /// The whole table as the kernel holds it: every service and its destinations.
    // ipvsadm -Ln
    func dumpTable() throws(IPVSKernelError) -> IPVSTable {
        var servers: [IPVSVirtualServer] = []
        for case .service(let entry) in try perform(.dumpServices) {
            var destinations: [IPVSDestination] = []
            for case .destination(let d) in try perform(.dumpDestinations(entry.service.key)) {
                destinations.append(d.destination)
            }
            servers.append(IPVSVirtualServer(entry.service, destinations: destinations))
        }
        return IPVSTable(servers)
    }

    /// The whole table with the kernel's counters, for a status answer: every service with its stats, and each
    /// one's destinations with their connection counts and stats. The same requests as `dumpTable` (one
    /// GET_SERVICE dump, then one GET_DEST dump per service: 2.3 s for 2,000 services in the lab,
    /// bench/results/ipvs.md), the counters kept instead of dropped; `onProgress` is called for every answer.
    // ipvsadm -Ln --stats --rate (ipvsadm reads both from the same dumps)
    func dumpTableWithCounters() throws(IPVSKernelError) -> [IPVSKernelService] {
        var services: [IPVSKernelService] = []
        for case .service(let entry) in try perform(.dumpServices) {
            var destinations: [IPVSDestinationEntry] = []
            // ipvsadm -Ln --stats --rate -t 192.0.2.1:80 (or -f 1 for a firewall mark)
            for case .destination(let d) in try perform(.dumpDestinations(entry.service.key)) {
                destinations.append(d)
            }
            services.append(IPVSKernelService(entry: entry, destinations: destinations))
        }
        return services
    }

    /// The connection-sync daemons the kernel runs now (none, master, backup or both).
    // ipvsadm -L --daemon
    func dumpSyncDaemons() throws(IPVSKernelError) -> [IPVSSyncDaemon] {
        var daemons: [IPVSSyncDaemon] = []
        for case .syncDaemon(let daemon) in try perform(.dumpSyncDaemons) { daemons.append(daemon) }
        return daemons
    }

    /// Performs one reconcile operation.
    func apply(_ operation: IPVSOperation) throws(IPVSKernelError) {
        _ = try perform(operation.request)
    }
}

/// "EEXIST (errno 17)" for the errnos IPVS answers with; the number alone otherwise.
func errnoName(_ errno: Int32) -> String {
    let names: [Int32: String] = [1: "EPERM", 2: "ENOENT", 3: "ESRCH", 12: "ENOMEM", 13: "EACCES", 16: "EBUSY",
                                  17: "EEXIST", 19: "ENODEV", 22: "EINVAL", 95: "EOPNOTSUPP"]
    return names[errno].map { "\($0) (errno \(errno))" } ?? "errno \(errno)"
}
