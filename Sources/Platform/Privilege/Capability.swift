/// A Linux capability, by its kernel number (linux/capability.h).
public enum Capability: Int32, CaseIterable, Sendable, CustomStringConvertible {
    case chown = 0
    case dacOverride = 1
    case dacReadSearch = 2
    case fowner = 3
    case fsetid = 4
    case kill = 5
    case setgid = 6
    case setuid = 7
    case setpcap = 8
    case linuxImmutable = 9
    case netBindService = 10
    case netBroadcast = 11
    case netAdmin = 12
    case netRaw = 13
    case ipcLock = 14
    case ipcOwner = 15
    case sysModule = 16
    case sysRawio = 17
    case sysChroot = 18
    case sysPtrace = 19
    case sysPacct = 20
    case sysAdmin = 21
    case sysBoot = 22
    case sysNice = 23
    case sysResource = 24
    case sysTime = 25
    case sysTtyConfig = 26
    case mknod = 27
    case lease = 28
    case auditWrite = 29
    case auditControl = 30
    case setfcap = 31
    case macOverride = 32
    case macAdmin = 33
    case syslog = 34
    case wakeAlarm = 35
    case blockSuspend = 36
    case auditRead = 37
    case perfmon = 38
    case bpf = 39
    case checkpointRestore = 40

    /// The kernel's name, e.g. "cap_net_admin".
    public var description: String { Self.kernelNames[Int(rawValue)] }

    /// Indexed by raw value; spelled out because a case's own name is not reachable without recursion.
    private static let kernelNames = [
        "cap_chown", "cap_dac_override", "cap_dac_read_search", "cap_fowner", "cap_fsetid", "cap_kill",
        "cap_setgid", "cap_setuid", "cap_setpcap", "cap_linux_immutable", "cap_net_bind_service",
        "cap_net_broadcast", "cap_net_admin", "cap_net_raw", "cap_ipc_lock", "cap_ipc_owner", "cap_sys_module",
        "cap_sys_rawio", "cap_sys_chroot", "cap_sys_ptrace", "cap_sys_pacct", "cap_sys_admin", "cap_sys_boot",
        "cap_sys_nice", "cap_sys_resource", "cap_sys_time", "cap_sys_tty_config", "cap_mknod", "cap_lease",
        "cap_audit_write", "cap_audit_control", "cap_setfcap", "cap_mac_override", "cap_mac_admin", "cap_syslog",
        "cap_wake_alarm", "cap_block_suspend", "cap_audit_read", "cap_perfmon", "cap_bpf", "cap_checkpoint_restore",
    ]
}

/// The five capability sets of a thread, as /proc/<pid>/status names them.
public enum CapabilitySetKind: String, CaseIterable, Sendable {
    case effective = "CapEff"
    case permitted = "CapPrm"
    case inheritable = "CapInh"
    case bounding = "CapBnd"
    case ambient = "CapAmb"
}

extension Capability {
    /// The capabilities whose bits are set in a /proc status mask; bits without a case are ignored.
    static func set(fromMask mask: UInt64) -> Set<Capability> {
        Set(allCases.filter { $0.rawValue < 64 && mask & (1 << UInt64($0.rawValue)) != 0 })
    }
}
