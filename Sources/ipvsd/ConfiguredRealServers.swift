// The real servers of each service in the configuration ipvsd last applied, remembered in a file under the
// runtime directory. After a restart a real server missing from the kernel's table was taken out by the earlier
// run (checkd had found it down) only if that run configured it; one added to the file meanwhile is new and
// gets its start state.
import IPVS
import Vocabulary

/// Service key → the destination keys of its configured real servers, and the file that keeps them.
struct ConfiguredRealServers {
    let path: String
    /// What the file held when ipvsd started; empty at the first start after boot (/run is empty then).
    let earlier: [IPVSServiceKey: Set<IPVSDestinationKey>]
    private var stored: [IPVSServiceKey: Set<IPVSDestinationKey>]?

    init(path: String) {
        self.path = path
        var earlier: [IPVSServiceKey: Set<IPVSDestinationKey>] = [:]
        for line in RuntimeFile.lines(at: path) {
            guard let (service, destination) = Self.parse(line) else { continue }
            earlier[service, default: []].insert(destination)
        }
        self.earlier = earlier
    }

    /// The real servers of every service of `pools`.
    static func of(_ pools: [IPVSPoolSpec]) -> [IPVSServiceKey: Set<IPVSDestinationKey>] {
        var byService: [IPVSServiceKey: Set<IPVSDestinationKey>] = [:]
        for pool in pools {
            let keys = Set(pool.realServers.map(\.destination.key))
            for service in pool.services { byService[service.key] = keys }
        }
        return byService
    }

    /// Writes `byService` unless it is what was last written; false when the file could not be written.
    @discardableResult
    mutating func store(_ byService: [IPVSServiceKey: Set<IPVSDestinationKey>]) -> Bool {
        if byService == stored { return true }
        var text = ""
        for service in byService.keys.sorted() {
            let prefix = ManagedServices.format(service)
            for destination in (byService[service] ?? []).sorted() {
                text += "\(prefix) \(destination.address) \(destination.port)\n"
            }
        }
        guard RuntimeFile.replace(path, with: text) else { return false }
        stored = byService
        return true
    }

    /// "tcp 192.0.2.1 80 198.51.100.7 80": the service as in ipvsd.managed, then the real server.
    static func parse(_ line: Substring) -> (IPVSServiceKey, IPVSDestinationKey)? {
        let words = line.split(separator: " ")
        guard words.count == 5, let service = ManagedServices.parse(Substring(words[0..<3].joined(separator: " "))),
              let address = IPAddress(String(words[3])), let port = UInt16(words[4]) else { return nil }
        return (service, IPVSDestinationKey(address: address, port: port))
    }
}
