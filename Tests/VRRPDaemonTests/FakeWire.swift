import VRRP
@testable import vrrpd
import Vocabulary

/// The Ethernet segments between fake hosts. What one host's transport sends reaches, after `latency`, every
/// other host's transport that the kernel would give it to: same segment, links up at both ends, the group joined
/// or the address its own. IPv4 messages get the header the kernel would add (TTL 255), so receivers run the real
/// decoder and receive filter on real bytes.
final class FakeWire {
    struct Frame {
        var time: MonotonicInstant
        var sender: String
        var segment: String
        var source: IPAddress
        var destination: IPAddress
        var message: [UInt8]
        /// The advert as a receiver decodes it; nil when it does not decode.
        var advert: VRRPAdvertisement?
    }

    let loop: ManualLoop
    /// Long enough that hosts whose timers fire at the same instant all act before hearing each other.
    var latency = Duration.microseconds(100)
    private(set) var frames: [Frame] = []
    /// "a>b": what host a sends does not reach host b (a link broken one way).
    var blocked: Set<String> = []
    private var transports: [FakeAdvertTransport] = []

    init(loop: ManualLoop) { self.loop = loop }

    /// Adverts `host` sent (priority-0 ones included), oldest first.
    func adverts(from host: String) -> [VRRPAdvertisement] {
        frames.filter { $0.sender == host }.compactMap(\.advert)
    }

    func attach(_ transport: FakeAdvertTransport) { transports.append(transport) }

    func detach(_ transport: FakeAdvertTransport) { transports.removeAll { $0 === transport } }

    func carry(_ message: [UInt8], from sender: FakeAdvertTransport, source: IPAddress, to destination: IPAddress) {
        let datagram = Datagram(message: message, source: source, destination: destination)
        frames.append(Frame(time: loop.now, sender: sender.host.name, segment: sender.segment, source: source,
                            destination: destination, message: message, advert: datagram.decoded))
        for receiver in transports where receiver !== sender && receiver.segment == sender.segment
            && receiver.hears(destination) && !blocked.contains("\(sender.host.name)>\(receiver.host.name)") {
            _ = loop.schedule(at: loop.now + latency, owner: receiver.host.id) { receiver.deliver(datagram) }
        }
    }

    /// Bytes from a host that is not one of the fakes (a hostile sender), as a whole IPv4 datagram.
    func inject(ipv4Datagram: [UInt8], on segment: String, to destination: IPAddress) {
        for receiver in transports where receiver.segment == segment && receiver.hears(destination) {
            receiver.deliver(.ipv4(ipv4Datagram))
        }
    }
}

/// What a raw socket reads: a whole IPv4 datagram, or an IPv6 payload with what cmsg tells about it.
enum Datagram {
    case ipv4([UInt8])
    case ipv6(payload: [UInt8], source: IPAddress, destination: IPAddress)

    init(message: [UInt8], source: IPAddress, destination: IPAddress) {
        guard source.family == .ipv4 else {
            self = .ipv6(payload: message, source: source, destination: destination)
            return
        }
        let total = 20 + message.count
        // The header checksum stays zero: the kernel checks it before any raw socket sees the datagram.
        let header: [UInt8] = [0x45, 0xC0, UInt8(total >> 8), UInt8(total & 0xFF), 0, 0, 0, 0, 255, 112, 0, 0]
            + source.bytes + destination.bytes
        self = .ipv4(header + message)
    }

    func check(_ filter: VRRPReceiveFilter) -> VRRPReceiveOutcome {
        switch self {
        case .ipv4(let datagram):
            return filter.receiveIPv4(datagram: datagram)
        case .ipv6(let payload, let source, let destination):
            return filter.receiveIPv6(payload: payload, source: source, destination: destination, hopLimit: 255)
        }
    }

    var decoded: VRRPAdvertisement? {
        switch self {
        case .ipv4(let datagram):
            return try? VRRPDecoder.decodeIPv4(datagram: datagram).get().advertisement
        case .ipv6(let payload, let source, let destination):
            return try? VRRPDecoder.decodeIPv6(payload: payload, source: source, destination: destination, hopLimit: 255)
                .get().advertisement
        }
    }
}
