import KeepalivedConfig
import Vocabulary

/// Whether the two nodes hear each other's adverts. A unicast instance sends only to its `unicast_peer`s and
/// accepts adverts only from them; a multicast one sends to the group and drops unicast.
enum UnicastRules {
    static func check(_ pair: inout NodePair, _ matching: InstanceMatching) {
        for match in matching.matches {
            check(&pair, match.a, match.b)
        }
    }

    private static func check(_ pair: inout NodePair, _ a: VRRPInstanceDefinition, _ b: VRRPInstanceDefinition) {
        let subject = a.subject
        let unicastA = !a.unicastPeers.isEmpty
        let unicastB = !b.unicastPeers.isEmpty
        if unicastA != unicastB {
            let (unicastSide, multicastSide) = unicastA ? ("here", "there") : ("there", "here")
            pair.report(.error, .unicastMismatch, subject,
                        "\(subject) sends unicast (unicast_peer) \(unicastSide) but multicast \(multicastSide)\(renamed(a, b)): neither accepts the other's adverts, so both become MASTER",
                        at: pair.a.line("unicast_peer", "interface", in: a.location),
                        other: pair.b.line("unicast_peer", "interface", in: b.location))
            return
        }
        guard unicastA else {
            compareMulticastGroups(&pair, a, b)
            return
        }
        if let source = a.sourceIP, source == b.sourceIP {
            pair.report(.error, .unicastSourceSame, subject,
                        "\(subject) has unicast_src_ip \(source) on both nodes (a copied file?): each node must send from its own address, the one the other lists in unicast_peer",
                        at: pair.a.line("unicast_src_ip", in: a.location), other: pair.b.line("unicast_src_ip", in: b.location))
        }
        checkPeerList(&pair, sender: a, receiver: b)
        var mirror = pair.swapped
        checkPeerList(&mirror, sender: b, receiver: a)
        pair.take(mirror)
    }

    /// The receiver never sends its adverts to an address that is not one of its peers (and, with
    /// check_unicast_src, drops the sender's adverts too), so the sender cannot hear it. Without unicast_src_ip the
    /// sender uses its interface's primary address, which the file does not say, so there is nothing to check.
    private static func checkPeerList(_ pair: inout NodePair, sender: VRRPInstanceDefinition,
                                      receiver: VRRPInstanceDefinition) {
        guard let source = sender.sourceIP, !receiver.unicastPeers.contains(source) else { return }
        let peers = receiver.unicastPeers.map(\.description).joined(separator: ", ")
        pair.report(.error, .unicastPeerMissing, sender.subject,
                    "\(sender.subject) sends from unicast_src_ip \(source), which is not in the other node's unicast_peer list (\(peers))\(renamed(sender, receiver)): that node never sends its adverts to this one (and drops these under check_unicast_src), so both can be MASTER",
                    at: pair.a.line("unicast_src_ip", in: sender.location),
                    other: pair.b.line("unicast_peer", in: receiver.location))
    }

    private static func compareMulticastGroups(_ pair: inout NodePair, _ a: VRRPInstanceDefinition,
                                               _ b: VRRPInstanceDefinition) {
        guard a.family == b.family else { return }
        let keyword = a.family == .ipv4 ? "vrrp_mcast_group4" : "vrrp_mcast_group6"
        let groupA = group(pair.a.configuration.global, a.family)
        let groupB = group(pair.b.configuration.global, b.family)
        guard groupA != groupB else { return }
        pair.report(.error, .multicastGroupMismatch, a.subject,
                    "\(a.subject) sends its adverts to \(groupA) here but to \(groupB) on the other node (\(keyword)): neither hears the other, so both become MASTER",
                    at: pair.a.globalLine(keyword) ?? a.location, other: pair.b.globalLine(keyword) ?? b.location)
    }

    private static func group(_ global: GlobalDefinitions, _ family: IPAddressFamily) -> IPAddress {
        family == .ipv4 ? global.vrrpMulticastGroup4 : global.vrrpMulticastGroup6
    }
}
