import Vocabulary
// Splits a receive buffer into netlink messages and decodes each into a typed IPVS reply.

/// What one netlink message from the kernel says.
public enum IPVSReply: Hashable, Sendable {
    /// One service of a GET_SERVICE dump (IPVS_CMD_NEW_SERVICE).
    case service(IPVSServiceEntry)
    /// One destination of a GET_DEST dump (IPVS_CMD_NEW_DEST); its service is the one asked about.
    case destination(IPVSDestinationEntry)
    /// One running sync daemon of a GET_DAEMON dump (IPVS_CMD_NEW_DAEMON).
    case syncDaemon(IPVSSyncDaemon)
    /// The GET_INFO answer (IPVS_CMD_SET_INFO).
    case info(IPVSInfo)
    /// The GET_CONFIG answer (IPVS_CMD_SET_CONFIG).
    case timeouts(LVSTimeouts)
    /// NLMSG_ERROR with errno 0: the request succeeded.
    case ack
    /// NLMSG_ERROR with an errno (positive, e.g. 17 EEXIST), or a dump ended by an error;
    /// `message` is the kernel's extended-ack text when it sent one.
    case error(errno: Int32, message: String?)
    /// NLMSG_DONE: the dump is complete.
    case done
}

/// One decoded netlink message: its sequence and port id (to match the request) and its meaning.
public struct IPVSReplyMessage: Hashable, Sendable {
    public var sequence: UInt32
    public var portID: UInt32
    /// NLM_F_MULTI was set: part of a dump, more follows until `.done`.
    public var isMultipart: Bool
    public var reply: IPVSReply

    public init(sequence: UInt32, portID: UInt32, isMultipart: Bool, reply: IPVSReply) {
        self.sequence = sequence
        self.portID = portID
        self.isMultipart = isMultipart
        self.reply = reply
    }

    /// Decodes every message in one received buffer; messages of type `familyID` are IPVS replies.
    /// Any malformed message fails the whole buffer with a typed error (nothing here traps).
    public static func decode(_ bytes: [UInt8], familyID: UInt16) throws(IPVSDecodeError) -> [IPVSReplyMessage] {
        var messages: [IPVSReplyMessage] = []
        var offset = 0
        while offset < bytes.count {
            guard bytes.count - offset >= Netlink.headerSize else { throw .truncatedHeader }
            let length = Attributes.hostU32(bytes, at: offset)
            guard length >= UInt32(Netlink.headerSize), UInt64(length) <= UInt64(bytes.count - offset) else {
                throw .badMessageLength(length)
            }
            let end = offset + Int(length)
            let type = Attributes.hostU16(bytes, at: offset + 4)
            let flags = Attributes.hostU16(bytes, at: offset + 6)
            let payload = (offset + Netlink.headerSize)..<end
            let reply: IPVSReply?
            switch type {
            case Netlink.noop:
                reply = nil
            case Netlink.error:
                reply = try decodeError(bytes, payload, flags: flags)
            case Netlink.done:
                reply = try decodeDone(bytes, payload)
            case Netlink.overrun:
                throw .overrun
            case familyID:
                reply = try decodeGeneric(bytes, payload)
            default:
                throw .unexpectedMessageType(type)
            }
            if let reply {
                messages.append(IPVSReplyMessage(
                    sequence: Attributes.hostU32(bytes, at: offset + 8),
                    portID: Attributes.hostU32(bytes, at: offset + 12),
                    isMultipart: flags & Netlink.flagMulti != 0,
                    reply: reply))
            }
            offset = min(offset + Netlink.align4(Int(length)), bytes.count)
        }
        return messages
    }
}

/// NLMSG_ERROR: int error, the echoed request header (and body unless capped), then extended-ack TLVs.
private func decodeError(_ bytes: [UInt8], _ payload: Range<Int>, flags: UInt16) throws(IPVSDecodeError) -> IPVSReply {
    guard payload.count >= 4 else { throw .truncatedHeader }
    let code = Int32(bitPattern: Attributes.hostU32(bytes, at: payload.lowerBound))
    guard code <= 0, code != Int32.min else { throw .badAttributeValue("error.code") }
    if code == 0 { return .ack }
    var message: String?
    if flags & Netlink.flagAckTLVs != 0 {
        let echoStart = payload.lowerBound + 4
        guard payload.upperBound - echoStart >= Netlink.headerSize else { throw .truncatedHeader }
        let echoed = flags & Netlink.flagCapped != 0
            ? Netlink.headerSize
            : Int(Attributes.hostU32(bytes, at: echoStart))
        guard echoed >= Netlink.headerSize, echoed <= payload.upperBound - echoStart else {
            throw .badMessageLength(UInt32(truncatingIfNeeded: echoed))
        }
        let tlvStart = min(echoStart + Netlink.align4(echoed), payload.upperBound)
        let tlvs = try Attributes(bytes, in: tlvStart..<payload.upperBound, max: Netlink.extAckMessage)
        message = try tlvs.string(Netlink.extAckMessage, "error.message")
    }
    return .error(errno: -code, message: message)
}

/// NLMSG_DONE carries an int: 0, or a negative errno when the dump itself failed.
private func decodeDone(_ bytes: [UInt8], _ payload: Range<Int>) throws(IPVSDecodeError) -> IPVSReply {
    guard payload.count >= 4 else { return .done }
    let code = Int32(bitPattern: Attributes.hostU32(bytes, at: payload.lowerBound))
    guard code <= 0, code != Int32.min else { throw .badAttributeValue("done.code") }
    return code == 0 ? .done : .error(errno: -code, message: nil)
}

private func decodeGeneric(_ bytes: [UInt8], _ payload: Range<Int>) throws(IPVSDecodeError) -> IPVSReply {
    guard payload.count >= Netlink.genlHeaderSize else { throw .truncatedHeader }
    let command = bytes[payload.lowerBound]
    let attributesRange = (payload.lowerBound + Netlink.genlHeaderSize)..<payload.upperBound
    switch command {
    case IPVSCommandNumber.newService:
        let top = try Attributes(bytes, in: attributesRange, max: CommandAttribute.max)
        let nest = try required(top.nested(CommandAttribute.service, max: ServiceAttribute.max), "service")
        return .service(try decodeServiceEntry(nest))
    case IPVSCommandNumber.newDest:
        let top = try Attributes(bytes, in: attributesRange, max: CommandAttribute.max)
        let nest = try required(top.nested(CommandAttribute.dest, max: DestinationAttribute.max), "destination")
        return .destination(try decodeDestinationEntry(nest))
    case IPVSCommandNumber.newDaemon:
        let top = try Attributes(bytes, in: attributesRange, max: CommandAttribute.max)
        let nest = try required(top.nested(CommandAttribute.daemon, max: DaemonAttribute.max), "daemon")
        return .syncDaemon(try decodeDaemon(nest))
    case IPVSCommandNumber.setInfo:
        let top = try Attributes(bytes, in: attributesRange, max: InfoAttribute.max)
        return .info(IPVSInfo(
            version: try required(top.u32(InfoAttribute.version, "info.version"), "info.version"),
            connectionTableSize: try required(
                top.u32(InfoAttribute.connectionTableSize, "info.connectionTableSize"), "info.connectionTableSize")))
    case IPVSCommandNumber.setConfig:
        let top = try Attributes(bytes, in: attributesRange, max: CommandAttribute.max)
        return .timeouts(LVSTimeouts(
            tcp: try top.u32(CommandAttribute.timeoutTCP, "timeouts.tcp"),
            tcpFin: try top.u32(CommandAttribute.timeoutTCPFin, "timeouts.tcpFin"),
            udp: try top.u32(CommandAttribute.timeoutUDP, "timeouts.udp")))
    default:
        throw .unexpectedCommand(command)
    }
}
