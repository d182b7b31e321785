import Vocabulary

/// The RealServerID of `tcp vip:vport -> rip:rport`.
public func rsID(_ vip: String, _ vport: UInt16, _ rip: String, _ rport: UInt16) -> RealServerID {
    RealServerID(protocol: .tcp, virtualAddress: IPAddress(vip)!, virtualPort: vport,
                 realAddress: IPAddress(rip)!, realPort: rport)
}
