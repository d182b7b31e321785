/// The settings of the checkers that have their own keywords besides the common ones (UDP_CHECK, DNS_CHECK,
/// SMTP_CHECK), as keepalived 2.2.7 reads them (check_udp.c, check_dns.c, check_smtp.c). What an attempt does
/// with them is Health's.

/// `UDP_CHECK { payload ...; require_reply ...; min_reply_length ...; max_reply_length ... }`.
public struct UDPCheckSettings: Hashable, Sendable {
    /// What is sent; nil: keepalived's 32 octets of filler (layer4.c's set_buf), so a server sees the same datagram.
    public var payload: [UInt8]?
    public var reply = UDPReplyRule()

    public init() {}

    /// What keepalived sends when there is no `payload`: "keepalived check - " repeated over 32 octets.
    public static let defaultPayload: [UInt8] = {
        let pattern = Array("keepalived check - ".utf8)
        return (0..<32).map { pattern[$0 % pattern.count] }
    }()
    public var datagram: [UInt8] { payload ?? Self.defaultPayload }
}

/// What makes a UDP_CHECK attempt pass (judged by Health's `passes`).
public struct UDPReplyRule: Hashable, Sendable {
    /// `require_reply`: silence until connect_timeout is a failure (otherwise it is a success).
    public var requireReply = false
    /// `require_reply HEX`: the first octets the reply must have; `mask` bits are "any".
    public var data: [UInt8]?
    public var mask: [UInt8]?
    /// `min_reply_length` / `max_reply_length`, keepalived's defaults; checked only when `data` is set.
    public var minimumLength = 0
    public var maximumLength = 255

    public init() {}
}

/// `DNS_CHECK { type ...; name ... }`.
public struct DNSCheckSettings: Hashable, Sendable {
    /// The record types keepalived's `type` keyword knows, by the name the keyword takes (case-insensitive).
    public static let recordTypes: [String: UInt16] = [
        "A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28, "RRSIG": 46, "DNSKEY": 48,
    ]
    /// keepalived's default question: SOA of the root.
    public static let defaultType: UInt16 = 6
    public static let defaultName = "."

    public var type: UInt16 = DNSCheckSettings.defaultType
    public var name: String = DNSCheckSettings.defaultName
    /// Whether `name` was given: keepalived keeps the first and ignores a second one.
    public var nameGiven = false

    public init() {}

    /// keepalived refuses a name with an empty label: a leading dot (other than "." itself) or two dots in a row.
    public static func isValidName(_ name: String) -> Bool {
        if name == "." || name.isEmpty { return true }
        if name.hasPrefix(".") || name.contains("..") { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { $0.utf8.count <= 63 }
    }
}

/// `SMTP_CHECK { helo_name ...; host { ... } }`.
public struct SMTPCheckSettings: Hashable, Sendable {
    /// What keepalived sends after the banner unless `helo_name` says otherwise.
    public static let defaultHeloName = "smtpchecker.keepalived.org"
    public var heloName = SMTPCheckSettings.defaultHeloName

    public init() {}
}

/// UDP_CHECK's hex strings (`payload`, `require_reply`), read as keepalived 2.2.7's parser.c read_hex_str does.
public enum UDPCheckHex {
    /// The octets of a `payload` or `require_reply` hex string: pairs of hex digits, spaces and tabs between
    /// octets, a lone digit before a space or the end is one octet. With `wildcards` (require_reply), an 'x'
    /// digit matches anything: its bits are set in `mask`. nil when the text is empty or not hex.
    public static func parse(_ text: String, wildcards: Bool) -> (data: [UInt8], mask: [UInt8]?)? {
        var data: [UInt8] = []
        var mask: [UInt8] = []
        var chars = Array(text.utf8)[...]
        func nibble(_ c: UInt8) -> (value: UInt8, wild: Bool)? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return (c - UInt8(ascii: "0"), false)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return (c - UInt8(ascii: "a") + 10, false)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return (c - UInt8(ascii: "A") + 10, false)
            case UInt8(ascii: "x"), UInt8(ascii: "X"): return wildcards ? (0, true) : nil
            default: return nil
            }
        }
        while true {
            while let c = chars.first, c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") { chars.removeFirst() }
            guard let first = chars.popFirst() else { break }
            guard let high = nibble(first) else { return nil }
            var value = high.value
            var wild: UInt8 = high.wild ? 0x0f : 0
            if let next = chars.first, next != UInt8(ascii: " ") {
                chars.removeFirst()
                guard let low = nibble(next) else { return nil }
                value = value << 4 | low.value
                wild = wild << 4 | (low.wild ? 0x0f : 0)
            }
            data.append(value)
            mask.append(wild)
        }
        guard !data.isEmpty else { return nil }
        return (data, mask.contains { $0 != 0 } ? mask : nil)
    }
}

/// FILE_CHECK { track_file NAME  weight N [reverse] }. The validator resolves the track_file: `path`, and the
/// weight and reverse when the block gives none (keepalived's file_end_handler).
public struct FileCheckSettings: Hashable, Sendable {
    public var trackFile: String?
    /// -2147483647...2147483647 (keepalived's IPVS_WEIGHT_LIMIT); nil: the track_file's.
    public var weight: Int?
    public var reverse = false
    /// The file of the track_file, set by the validator.
    public var path: String?

    public init() {}
}
