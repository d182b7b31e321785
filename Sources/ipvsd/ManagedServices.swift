// The services ipvsd has installed, remembered in a file under the runtime directory, so a service that
// left the configuration while ipvsd was down is still removed on the next start (and nobody else's is).
import Glibc
import IPVS
import Vocabulary

/// The set of managed service keys and the file that keeps it across restarts.
struct ManagedServices {
    let path: String
    private(set) var keys: Set<IPVSServiceKey>

    /// Reads `path`; a missing file is an empty set, unreadable lines are skipped.
    init(path: String) {
        self.path = path
        keys = Set(RuntimeFile.lines(at: path).compactMap(ManagedServices.parse))
    }

    /// Replaces the set and writes it (to a temporary file renamed over the old one, so a crash
    /// leaves either the old or the new list). Returns false when the file could not be written.
    @discardableResult
    mutating func store(_ newKeys: Set<IPVSServiceKey>) -> Bool {
        if newKeys == keys, access(path, F_OK) == 0 { return true }
        keys = newKeys
        let text = newKeys.sorted().map(ManagedServices.format).map { $0 + "\n" }.joined()
        return RuntimeFile.replace(path, with: text)
    }

    /// One line per key: "tcp 192.0.2.1 80", "udp 2001:db8::1 53", "fwmark inet 7".
    static func format(_ key: IPVSServiceKey) -> String {
        switch key {
        case .address(let proto, let address, let port):
            let name = proto == .udp ? "udp" : proto == .sctp ? "sctp" : "tcp"
            return "\(name) \(address) \(port)"
        case .firewallMark(let family, let mark):
            return "fwmark \(family == .ipv6 ? "inet6" : "inet") \(mark)"
        }
    }

    static func parse(_ line: Substring) -> IPVSServiceKey? {
        let words = line.split(separator: " ")
        guard words.count == 3 else { return nil }
        if words[0] == "fwmark" {
            guard let mark = UInt32(words[2]) else { return nil }
            switch words[1] {
            case "inet": return .firewallMark(.ipv4, mark)
            case "inet6": return .firewallMark(.ipv6, mark)
            default: return nil
            }
        }
        let proto: TransportProtocol
        switch words[0] {
        case "tcp": proto = .tcp
        case "udp": proto = .udp
        case "sctp": proto = .sctp
        default: return nil
        }
        guard let address = IPAddress(String(words[1])), let port = UInt16(words[2]) else { return nil }
        return .address(proto, address, port: port)
    }
}
