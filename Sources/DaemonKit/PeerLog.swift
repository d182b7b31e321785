import Logging
import Platform
import Wire

extension Logger {
    /// One line when a peer daemon introduces itself, with fields to filter on.
    public func peerConnected(_ role: DaemonRole, pid: Int32, on connection: MessageConnection) {
        info("\(role.name) connected (pid \(pid), uid \(connection.peer.uid))",
             metadata: ["MESSAGE_ID": "\(MessageID.peerConnected)", "PEER": "\(role.name)"])
    }
}
