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
    public var description: String {
        "cap" + kernelSpelling
    }

    private var kernelSpelling: String {
        // camelCase → _snake_case: netAdmin → _net_admin.
        var out = "_"
        for character in "\(self)" {
            if character.isUppercase { out += "_" + character.lowercased() } else { out.append(character) }
        }
        return out
    }
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
