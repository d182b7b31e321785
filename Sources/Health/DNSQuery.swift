/// DNS_CHECK's wire format, as keepalived 2.2.7 (check_dns.c) writes its query and judges the answer: one
/// question of the configured type in class IN with recursion desired; an answer passes when its ID matches,
/// it is a response (QR) and its RCODE is 0. The answer section is not examined (keepalived does not either).
/// Pure, so the encoder and the judge are unit-tested without a socket; the UDP exchange is not written yet.
public enum DNSQuery {
    /// The record types keepalived's `type` keyword knows, by the name the keyword takes.
    public static let recordTypes: [String: UInt16] = [
        "A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28, "RRSIG": 46, "DNSKEY": 48,
    ]
    /// keepalived's default question: SOA of the root.
    public static let defaultType: UInt16 = 6
    public static let defaultName = "."
    /// keepalived reads at most this much of an answer.
    public static let answerBufferSize = 768
    static let headerSize = 12

    /// keepalived refuses a name with an empty label: a leading dot (other than "." itself) or two dots in a row.
    public static func isValidName(_ name: String) -> Bool {
        if name == "." || name.isEmpty { return true }
        if name.hasPrefix(".") || name.contains("..") { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { $0.utf8.count <= 63 }
    }

    /// The query bytes: header (ID, flags RD, one question) then QNAME, QTYPE, QCLASS IN.
    /// `name` must satisfy `isValidName`; "" and "." both ask about the root.
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
