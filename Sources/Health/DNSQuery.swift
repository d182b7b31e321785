import KeepalivedConfig

/// DNS_CHECK's wire format, as keepalived 2.2.7 (check_dns.c) writes its query and judges the answer: one
/// question of the configured type in class IN with recursion desired; an answer passes when its ID matches,
/// it is a response (QR) and its RCODE is 0. The answer section is not examined (keepalived does not either).
/// Pure, so the encoder and the judge are unit-tested without a socket; DatagramProbe does the exchange.
public enum DNSQuery {
    /// keepalived reads at most this much of an answer.
    public static let answerBufferSize = 768
    static let headerSize = 12

    /// The query bytes: header (ID, flags RD, one question) then QNAME, QTYPE, QCLASS IN.
    /// `name` must satisfy `DNSCheckSettings.isValidName`; "" and "." both ask about the root.
    public static func encode(id: UInt16, name: String, type: UInt16) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") {
            let utf8 = Array(label.utf8)
            bytes.append(UInt8(utf8.count))
            bytes += utf8
        }
        bytes.append(0)
        bytes += [UInt8(type >> 8), UInt8(type & 0xff), 0, 1]
        return bytes
    }

    public enum Verdict: Equatable, Sendable {
        /// Not the answer to this query (too short, another ID, a query): keepalived keeps waiting for the
        /// right one until connect_timeout.
        case ignore(String)
        case pass
        /// The server answered with an error.
        case fail(rcode: UInt8)
    }

    /// Judges one datagram received for the query with `id`.
    public static func judge(_ answer: some Collection<UInt8>, id: UInt16) -> Verdict {
        // keepalived's size test compares against a pointer's size (8), which would read a flags field from a
        // 4-byte datagram; a datagram shorter than a DNS header is not an answer, so it is ignored here.
        guard answer.count >= headerSize else { return .ignore("\(answer.count) bytes is shorter than a DNS header") }
        let bytes = Array(answer.prefix(4))
        let answerID = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        guard answerID == id else { return .ignore("ID \(answerID) is not the query's \(id)") }
        guard bytes[2] & 0x80 != 0 else { return .ignore("a query, not a response") }
        let rcode = bytes[3] & 0x0f
        return rcode == 0 ? .pass : .fail(rcode: rcode)
    }
}
