import KeepalivedConfig
import Wire
import Vocabulary

/// The identities checkd and ipvsd agree on (Wire's RealServerID), built from the configuration.
public enum RealServerIdentity {
    /// Every RealServerID of `realServer` under `virtualServer`: one for an address or fwmark service, one per
    /// service of a `virtual_server group`. A real server without a port takes the virtual server's port.
    public static func ids(of realServer: RealServer, in virtualServer: VirtualServer,
                           groups: [VirtualServerGroup]) -> [RealServerID] {
        let realAddress = realServer.address
        let transport = virtualServer.transportProtocol
        switch virtualServer.address {
        case .address(let virtualAddress, let port):
            return [RealServerID(protocol: transport, virtualAddress: virtualAddress, virtualPort: port,
                                 realAddress: realAddress, realPort: realServer.port ?? port)]
        case .firewallMark(let mark):
            return [RealServerID(fwmark: mark, realAddress: realAddress, realPort: realServer.port ?? 0)]
        case .group(let name):
            guard let group = groups.first(where: { $0.name == name }) else { return [] }
            var ids: [RealServerID] = []
            for entry in group.entries {
                switch entry {
                case .addressRange(let first, let count, let port):
                    for offset in 0..<max(1, count) {
                        guard let address = first.advanced(by: offset) else {
                            break
                        }
                        ids.append(RealServerID(protocol: transport, virtualAddress: address, virtualPort: port,
                                                realAddress: realAddress, realPort: realServer.port ?? port))
                    }
                case .firewallMark(let mark):
                    ids.append(RealServerID(fwmark: mark, realAddress: realAddress, realPort: realServer.port ?? 0))
                }
            }
            return ids
        }
    }
}
