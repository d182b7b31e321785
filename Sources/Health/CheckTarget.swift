import KeepalivedConfig
import Vocabulary

/// Where and how one checker connects, resolved from its real and virtual server.
public struct CheckTarget: Hashable, Sendable {
    /// `connect_ip`, else the real server's address.
    public var address: IPAddress
    /// `connect_port`, else the real server's port, else the virtual server's (0 when none: TCP checks fail).
    public var port: UInt16
    /// `bindto` / `bind_port`: the local end of the connection.
    public var bindAddress: IPAddress?
    public var bindPort: UInt16?
    /// The Host header: the url's virtualhost, else the checker's, else the virtual server's, else the address.
    public var virtualHost: String?

    /// The target of `check` on `realServer` of `virtualServer`.
    public init(check: HealthCheck, realServer: RealServer, virtualServer: VirtualServer) {
        address = check.connectIP ?? realServer.address
        var servicePort: UInt16 = 0
        if case .address(_, let port) = virtualServer.address { servicePort = port }
        port = check.connectPort ?? realServer.port ?? servicePort
        bindAddress = check.bindTo
        bindPort = check.bindPort
        virtualHost = check.virtualHost ?? virtualServer.virtualHost
    }

    /// A target given directly (tests, tools).
    public init(address: IPAddress, port: UInt16, bindAddress: IPAddress? = nil, bindPort: UInt16? = nil,
                virtualHost: String? = nil) {
        self.address = address
        self.port = port
        self.bindAddress = bindAddress
        self.bindPort = bindPort
        self.virtualHost = virtualHost
    }
}
