// Who may send what. A connection's role is the one its first hello claims, if the peer's uid may claim it
// (SO_PEERCRED vouches for the uid, only the peer for its hello); every later message must be one that role
// may send (`expectedSenders`). Pure: the receivers' connections apply it to each decoded message.

/// Why a well-formed message is refused because of who sent it.
public enum SenderRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    /// Anything but hello before the peer has said which daemon it is.
    case beforeHello(WireMessageType)
    /// The connection's role may not send this kind of message.
    case unexpectedSender(DaemonRole, WireMessageType)
    /// A hello claiming a role the peer's uid may not claim.
    case roleNotAllowed(DaemonRole)
    /// A hello claiming another role than the connection's first one.
    case roleChanged(from: DaemonRole, to: DaemonRole)

    public var description: String {
        switch self {
        case .beforeHello(let kind): return "\(kind) before hello"
        case .unexpectedSender(let role, let kind): return "\(kind) from \(role), which may not send it"
        case .roleNotAllowed(let role): return "hello claiming \(role), which this peer's uid may not claim"
        case .roleChanged(let from, let to): return "hello claiming \(to) on a connection that said \(from)"
        }
    }
}

extension WireMessage {
    /// Its type without its fields, for counts and logs.
    public var type: WireMessageType {
        switch self {
        case .hello: return .hello
        case .realServerHealth: return .realServerHealth
        case .trackScript: return .trackScript
        case .instanceState: return .instanceState
        case .quorum: return .quorum
        case .snapshotBegin: return .snapshotBegin
        case .snapshotEnd: return .snapshotEnd
        }
    }

    /// The connection's role once this message is taken, or why it is refused. `role` is what the connection's
    /// first hello claimed (nil before one was taken), `claimable` the roles the peer's uid may claim.
    public func senderRole(on role: DaemonRole?, claimable: Set<DaemonRole>) throws(SenderRefusal) -> DaemonRole {
        if case .hello(let claimed, _) = self {
            if let role, role != claimed { throw .roleChanged(from: role, to: claimed) }
            guard claimable.contains(claimed) else { throw .roleNotAllowed(claimed) }
            return claimed
        }
        guard let role else { throw .beforeHello(type) }
        guard expectedSenders.contains(role) else { throw .unexpectedSender(role, type) }
        return role
    }
}
