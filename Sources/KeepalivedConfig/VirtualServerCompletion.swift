import Vocabulary

// What keepalived settles about a virtual_server after reading it (check_data.c, validate_check_config), with the
// warning it gives: the kernel table must come out the same, so every default it fills in is filled in here too.

extension VirtualServerReader {
    /// `persistence_granularity`: a netmask for IPv4, a prefix length 1...128 for IPv6. The family is the virtual
    /// server's, or for a fwmark or group service the text's (a dot means IPv4), as in keepalived.
    static func persistenceGranularity(_ token: Token, of server: VirtualServer,
                                       values: inout ValueParser) -> PersistenceGranularity? {
        let text = token.word ?? ""
        let family: IPAddressFamily
        if case .address(let ip, _) = server.address { family = ip.family } else { family = text.contains(".") ? .ipv4 : .ipv6 }
        switch family {
        case .ipv4:
            guard let mask = IPAddress(text), mask.family == .ipv4 else {
                values.log.error(token.location, "persistence_granularity '\(text)' is not an IPv4 netmask")
                return nil
            }
            return .ipv4Netmask(mask)
        case .ipv6:
            guard let length = UInt8(text), (1...128).contains(length) else {
                values.log.error(token.location, "persistence_granularity '\(text)' of an IPv6 service must be a prefix length from 1 to 128")
                return nil
            }
            return .ipv6PrefixLength(length)
        }
    }
}

enum VirtualServerCompletion {
    /// Fills in keepalived's defaults and resets what the kernel would refuse, each with keepalived's warning.
    static func complete(_ server: inout VirtualServer, in configuration: KeepalivedConfiguration,
                         log: inout DiagnosticLog) {
        for index in server.realServers.indices { server.realServers[index].inheritedWeight = server.realServerWeight }
        var group: VirtualServerGroup?
        let hasAddresses: Bool
        let hasMarks: Bool
        switch server.address {
        case .address: (hasAddresses, hasMarks) = (true, false)
        case .firewallMark: (hasAddresses, hasMarks) = (false, true)
        case .group(let name):
            group = configuration.virtualServerGroup(named: name)
            hasAddresses = group?.entries.contains { if case .addressRange = $0 { true } else { false } } ?? false
            hasMarks = group?.entries.contains { if case .firewallMark = $0 { true } else { false } } ?? false
        }
        if hasAddresses {
            if server.declaredProtocol == nil {
                // The kernel takes protocol 0 as UDP; keepalived says so and sets it.
                log.warning(server.location, "virtual_server \(server.address): no protocol set, so UDP (as keepalived); write 'protocol TCP' for a TCP service")
                server.transportProtocol = .udp
            }
            if server.onePacketScheduling && server.transportProtocol != .udp {
                log.warning(server.location, "virtual_server \(server.address): ops (one-packet scheduling) needs UDP, so it is turned off (as keepalived)")
                server.onePacketScheduling = false
            }
            if server.persistenceTimeout == nil, Self.hasZeroPort(server.address, group) {
                log.warning(server.location, "virtual_server \(server.address): port 0 is only valid for a persistent service, so persistence_timeout 360 is set (as keepalived)")
                server.persistenceTimeout = 360
            }
        } else if hasMarks, server.declaredProtocol != nil {
            log.warning(server.location, "virtual_server \(server.address): a fwmark service has no protocol; 'protocol' is ignored (as keepalived)")
        }
        if server.haSuspend {
            if hasMarks {
                log.warning(server.location, "virtual_server \(server.address): ha_suspend cannot follow a fwmark, so it is cleared and its checks always run (as keepalived)")
                server.haSuspend = false
            } else if group != nil {
                // keepalived 2.2.7's addr_matches (check_api.c) returns false for every group service, so the
                // checkers it suspends at start never resume.
                log.warning(server.location, "virtual_server \(server.address): ha_suspend on a group never sees its addresses arrive, so its checks never run and its real servers stay as they start (as keepalived); remove ha_suspend to check them")
            }
        }
    }

    private static func hasZeroPort(_ address: VirtualServerAddress, _ group: VirtualServerGroup?) -> Bool {
        switch address {
        case .address(_, let port): return port == 0
        case .firewallMark: return false
        case .group:
            return group?.entries.contains { if case .addressRange(_, _, 0) = $0 { true } else { false } } ?? false
        }
    }
}
