import Testing
@testable import KeepalivedConfig

/// A vrrp_instance on eth0 with `body` inside: `vrrp_instance` is its line 1 and `body` starts on its line 4.
func instanceText(_ body: String, name: String = "VI_1", vrid: Int = 51) -> String {
    "vrrp_instance \(name) {\n    interface eth0\n    virtual_router_id \(vrid)\n" + body + "}\n"
}

/// The one vrrp_instance of a file that must be accepted.
func onlyInstance(_ result: ConfigLoadResult) throws -> VRRPInstanceDefinition {
    try #require(result.configuration?.vrrpInstances.first, "\(result.printed)")
}
