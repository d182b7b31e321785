import Glibc
import KeepalivedConfig
import TestSupport
import Logging
import VRRP
import Vocabulary

/// An address from its text; traps on a typo, which is the test's own.
func ip(_ text: String) -> IPAddress {
    guard let address = IPAddress(text) else { preconditionFailure("not an address: \(text)") }
    return address
}

/// keepalived.conf text as vrrpd reads it.
func parseConfiguration(_ text: String) throws -> KeepalivedConfiguration { try configuration(text, as: [.vrrp]) }
