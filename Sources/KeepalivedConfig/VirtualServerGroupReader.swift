import Vocabulary

/// `virtual_server_group NAME { ... }`, one entry per line, in every form keepalived 2.2.7 takes
/// (check/check_data.c, alloc_vsg_entry; lib/utils.c, inet_stor):
///
///     fwmark N [inet|inet6]
///     ADDR [PORT]                  (a port of 0, or none, is no port)
///     ADDR-N [PORT]                (the last part of ADDR up to N: decimal for IPv4, hex for IPv6)
///     ADDR-ENDADDR [PORT]          (every IPv4 address in between; for IPv6 the last 16 bits walk)
///     ADDR/LENGTH [PORT]           (the whole prefix; for IPv6 the last 16 bits walk)
///
/// keepalived reports a bad entry and skips it, so a bad entry is a warning here and is skipped too: the
/// services come out the same.
enum VirtualServerGroupReader {
    /// More services than this from one entry is surely a mistake (a /8 would be 16 million): refused.
    static let maximumEntryServices = 65_536

    static func group(_ s: Statement, values: inout ValueParser) -> VirtualServerGroup? {
        guard let name = s.arguments.first?.word else {
            values.log.error(s.location, "virtual_server_group needs a name")
            return nil
        }
        var group = VirtualServerGroup(name: name, location: s.location)
        // Words after the name on the group's own line are an entry too, as keepalived reads them.
        var lines: [[Token]] = []
        if s.arguments.count > 1 { lines.append(Array(s.arguments.dropFirst())) }
        for statement in s.block ?? [] {
            lines.append([statement.keyword] + statement.arguments)
            if statement.block != nil {
                values.log.error(statement.location, "a virtual_server_group entry takes no { ... } block")
            }
        }
        for tokens in lines {
            if let entry = entry(tokens, in: name, values: &values) { group.entries.append(entry) }
        }
        if group.entries.isEmpty {
            values.log.error(s.location, "virtual_server_group \(name) has no entries (keepalived removes it, and with it the virtual servers that use it)")
        }
        let families = Set(group.entries.compactMap { entry -> IPAddressFamily? in
            if case .addressRange(let first, _, _) = entry { first.family } else { nil }
        })
        let unfamiliedMark = group.entries.contains { if case .firewallMark(_, nil) = $0 { true } else { false } }
        if families.count == 2 && unfamiliedMark {
            values.log.error(s.location, "virtual_server_group \(name) has IPv4 and IPv6 addresses and a fwmark without inet or inet6: keepalived removes such a group; give the fwmark its family")
        }
        return group
    }

    private static func entry(_ tokens: [Token], in group: String, values: inout ValueParser) -> VirtualServerGroupEntry? {
        let head = tokens[0]
        let text = head.word ?? ""
        if text == "fwmark" {
            guard tokens.count >= 2 else {
                values.log.warning(head.location, "virtual_server_group \(group): fwmark needs a number; the entry is skipped (as keepalived)")
                return nil
            }
            guard let mark = UInt32(tokens[1].word ?? ""), mark > 0 else {
                values.log.warning(tokens[1].location, "virtual_server_group \(group): fwmark '\(tokens[1].word ?? "")' must be 1 to \(UInt32.max); the entry is skipped (as keepalived)")
                return nil
            }
            var family: IPAddressFamily?
            if tokens.count >= 3 {
                switch tokens[2].word {
                case "inet": family = .ipv4
                case "inet6": family = .ipv6
                default:
                    values.log.warning(tokens[2].location, "virtual_server_group \(group): fwmark \(mark) family '\(tokens[2].word ?? "")' is not inet or inet6; the entry is skipped (as keepalived)")
                    return nil
                }
            }
            if tokens.count > 3 { ignored(tokens[3...], in: group, values: &values) }
            return .firewallMark(mark, family: family)
        }
        var port: UInt16 = 0
        if tokens.count >= 2 {
            let portText = tokens[1].word ?? ""
            guard let parsed = UInt16(portText) else {
                values.log.warning(tokens[1].location, "virtual_server_group \(group): '\(text) \(portText)' has no valid port; the entry is skipped (as keepalived)")
                return nil
            }
            port = parsed
        }
        if tokens.count > 2 { ignored(tokens[2...], in: group, values: &values) }
        guard let (first, count) = range(text, at: head.location, in: group, values: &values) else { return nil }
        guard count <= maximumEntryServices else {
            values.log.error(head.location, "virtual_server_group \(group): '\(text)' is \(count) addresses; more than \(maximumEntryServices) services from one entry is refused")
            return nil
        }
        return .addressRange(first: first, count: count, port: port)
    }

    private static func ignored(_ rest: ArraySlice<Token>, in group: String, values: inout ValueParser) {
        values.log.warning(rest.first!.location, "virtual_server_group \(group): '\(rest.compactMap(\.word).joined(separator: " "))' after the entry is ignored (as keepalived)")
    }

    /// What a range entry counts in: the last byte of an IPv4 address, the last 16 bits of an IPv6 one.
    private static func lastPart(_ address: IPAddress) -> Int {
        switch address {
        case .v4(let value): Int(value & 0xff)
        case .v6(_, let low): Int(low & 0xffff)
        }
    }

    /// The first address and how many services an address entry walks, as keepalived's
    /// ipvs_group_range_cmd walks them; nil (warned) for a bad entry.
    private static func range(_ text: String, at location: ConfigLocation, in group: String,
                              values: inout ValueParser) -> (IPAddress, Int)? {
        func skip(_ why: String) -> (IPAddress, Int)? {
            values.log.warning(location, "virtual_server_group \(group): \(why); the entry is skipped (as keepalived)")
            return nil
        }
        if let slash = text.firstIndex(of: "/") {
            guard let base = IPAddress(String(text[..<slash])) else { return skip("'\(text)' is not an address with a prefix length") }
            let bits = base.family == .ipv4 ? 32 : 128
            guard let length = Int(text[text.index(after: slash)...]), (1...bits).contains(length) else {
                return skip("'\(text)' has an invalid prefix length")
            }
            let hostBits = bits - length
            let bytes = base.bytes
            // The host part must be clear (keepalived: "Address mask bits not empty").
            for bit in 0..<hostBits where bytes[bytes.count - 1 - bit / 8] & (1 << (bit % 8)) != 0 {
                return skip("'\(text)' has host bits set")
            }
            if base.family == .ipv4 { return (base, 1 << hostBits) }
            // IPv6: only the last 16 bits are walked, from the start to the end's last 16 bits.
            let start = lastPart(base)
            let end = hostBits >= 16 ? 0xffff : start | ((1 << hostBits) - 1)
            return (base, end - start + 1)
        }
        if let dash = text.firstIndex(of: "-") {
            let startText = String(text[..<dash]), endText = String(text[text.index(after: dash)...])
            guard let start = IPAddress(startText) else { return skip("'\(startText)' is not an address") }
            let ipv4 = start.family == .ipv4
            let startLast = lastPart(start)
            if endText.contains(ipv4 ? "." : ":") {
                guard let end = IPAddress(endText) else { return skip("'\(endText)' is not an address") }
                guard end.family == start.family else { return skip("'\(text)' mixes address families") }
                guard !(end < start) else { return skip("'\(text)' ends before it starts") }
                if case .v4(let first) = start, case .v4(let last) = end { return (start, Int(last - first) + 1) }
                // keepalived steps the last 16 bits until they equal the end's, wrapping at 0xffff.
                return (start, (lastPart(end) - startLast + 0x10000) % 0x10000 + 1)
            }
            guard let last = ipv4 ? Int(endText) : Int(endText, radix: 16), last <= (ipv4 ? 255 : 0xffff) else {
                return skip("range end '\(endText)' of '\(text)' is not a number up to \(ipv4 ? "255" : "ffff")")
            }
            guard last > startLast else { return skip("range end of '\(text)' is not greater than its start") }
            return (start, last - startLast + 1)
        }
        guard let address = IPAddress(text) else { return skip("'\(text)' is not an address, a range or a prefix") }
        return (address, 1)
    }
}
