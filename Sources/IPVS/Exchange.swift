// Tracks one request's answer across receive buffers: which messages belong to it and when it is over.
// The shell sends a request, feeds every decoded message here, and stops when an outcome comes back.

/// How a request ended: its data replies, or the kernel's errno.
public enum IPVSOutcome: Hashable, Sendable {
    /// The request succeeded; `replies` holds its data messages (services, destinations, ...), in order.
    case completed([IPVSReply])
    /// The kernel refused the request or the dump failed (errno positive, extended-ack text if any).
    case failed(errno: Int32, message: String?)
}

/// Collects the answer to one request, identified by its sequence number.
public struct IPVSExchange: Sendable {
    public let sequence: UInt32
    public let isDump: Bool
    private var replies: [IPVSReply] = []
    /// Messages that carried another sequence number (stale answers); they are skipped, and counted here.
    public private(set) var ignoredMessages = 0

    /// An exchange for `request` sent with `sequence`.
    public init(request: IPVSRequest, sequence: UInt32) {
        self.sequence = sequence
        self.isDump = request.isDump
    }

    /// Takes the messages of one receive buffer; returns the outcome once the answer is complete.
    public mutating func receive(_ messages: [IPVSReplyMessage]) -> IPVSOutcome? {
        for message in messages {
            guard message.sequence == sequence else {
                ignoredMessages += 1
                continue
            }
            switch message.reply {
            case .error(let errno, let text):
                return .failed(errno: errno, message: text)
            case .ack where !isDump, .done where isDump:
                return .completed(replies)
            case .ack, .done:
                // An ack inside a dump or a DONE outside one is not the end; the kernel sends neither.
                ignoredMessages += 1
            default:
                replies.append(message.reply)
            }
        }
        return nil
    }
}
