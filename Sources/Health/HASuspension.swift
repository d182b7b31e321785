import KeepalivedConfig
import Vocabulary

/// keepalived's `ha_suspend` (check_api.c, update_checker_activity): the checkers of such a virtual server run
/// only while its address is on this node, so the backup of a pair does not check what it does not serve. A
/// suspended checker is not run; it is looked at again one delay_loop later, and its real server keeps the
/// state it has (up at start unless alpha).
public enum HASuspension {
    /// Whether any virtual server asks for it (then checkd watches the node's addresses).
    public static func isUsed(in configuration: KeepalivedConfiguration) -> Bool {
        configuration.virtualServers.contains(where: \.haSuspend)
    }

    /// Whether the checks of `server` are suspended while `localAddresses` are on this node (nil: not read yet,
    /// as keepalived before its first address dump, which counts none). A group's checks stay suspended:
    /// keepalived 2.2.7 matches no address against a group (the configuration warns).
    public static func isSuspended(_ server: VirtualServer, localAddresses: Set<IPAddress>?) -> Bool {
        guard server.haSuspend else { return false }
        guard case .address(let address, _) = server.address, let localAddresses else { return true }
        return !localAddresses.contains(address)
    }
}
