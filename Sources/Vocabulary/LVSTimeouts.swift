/// The kernel's IPVS connection timeouts in seconds: what `lvs_timeouts` configures, SET_CONFIG sets and
/// GET_CONFIG reads (`ipvsadm --set` / `ipvsadm -L --timeout`). nil, or 0 in a request, leaves one as it is.
public struct LVSTimeouts: Hashable, Sendable {
    public var tcp: UInt32?
    public var tcpFin: UInt32?
    public var udp: UInt32?

    public init(tcp: UInt32? = nil, tcpFin: UInt32? = nil, udp: UInt32? = nil) {
        self.tcp = tcp
        self.tcpFin = tcpFin
        self.udp = udp
    }

    /// keepalived sets none unless one is given and not 0.
    public var isEmpty: Bool { [tcp, tcpFin, udp].allSatisfy { ($0 ?? 0) == 0 } }
}
