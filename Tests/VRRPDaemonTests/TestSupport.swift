import Glibc
import KeepalivedConfig
import Logging
import VRRP
import Vocabulary

/// An address from its text; traps on a typo, which is the test's own.
func ip(_ text: String) -> IPAddress {
    var v4 = in_addr()
    if inet_pton(AF_INET, text, &v4) == 1, let address = IPAddress(bytes: withUnsafeBytes(of: &v4) { Array($0) }) {
        return address
    }
    var v6 = in6_addr()
    guard inet_pton(AF_INET6, text, &v6) == 1, let address = IPAddress(bytes: withUnsafeBytes(of: &v6) { Array($0) })
    else { preconditionFailure("not an address: \(text)") }
    return address
}

struct ConfigurationRefused: Error, CustomStringConvertible {
    var description: String
}

/// keepalived.conf text as vrrpd reads it.
func parseConfiguration(_ text: String) throws -> KeepalivedConfiguration {
    let result = ConfigLoader.parse(text)
    guard let configuration = result.configuration(for: [.vrrp]) else {
        throw ConfigurationRefused(description: result.errors.map { "\($0)" }.joined(separator: "\n"))
    }
    return configuration
}
