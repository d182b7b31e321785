import Platform
import VRRP
import Vocabulary

/// Adds and removes the virtual addresses, as `ip addr add/del` would.
protocol VirtualAddressControl: AnyObject {
    func add(_ address: IPAddress, prefixLength: Int, to interface: InterfaceID, options: AddressOptions) throws
    func remove(_ address: IPAddress, prefixLength: Int, from interface: InterfaceID) throws
}

/// The kernel's addresses through rtnetlink.
final class NetlinkAddressControl: VirtualAddressControl {
    private let control: AddressControl

    init() throws { control = try AddressControl() }

    func add(_ address: IPAddress, prefixLength: Int, to interface: InterfaceID, options: AddressOptions) throws {
        try control.add(address.bytes, prefixLength: prefixLength, interfaceIndex: interface.index, options: options)
    }

    func remove(_ address: IPAddress, prefixLength: Int, from interface: InterfaceID) throws {
        try control.remove(address.bytes, prefixLength: prefixLength, interfaceIndex: interface.index)
    }
}
