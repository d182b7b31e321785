import Glibc
import Testing
@testable import Platform

/// The NoNewPrivs flag of the calling thread.
private func noNewPrivs() -> Bool {
    readFile("/proc/thread-self/status")?.split(separator: "\n")
        .contains { $0.hasPrefix("NoNewPrivs:") && $0.hasSuffix("1") } ?? false
}

/// True when this process may open raw IPv4 sockets (CAP_NET_RAW in effect).
private func canOpenRawSocket() -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_ICMP))
    if fd >= 0 { close(fd) }
    return fd >= 0
}

@Test func capabilityNamesMatchTheKernel() {
    #expect(Capability.netAdmin.description == "cap_net_admin")
    #expect(Capability.dacReadSearch.description == "cap_dac_read_search")
    #expect(Capability.checkpointRestore.rawValue == 40)
    #expect(Capability.set(fromMask: 0x3000) == [.netAdmin, .netRaw])
}

@Test func effectiveSetMatchesProcStatus() throws {
    let status = try #require(readFile("/proc/thread-self/status"))
    let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("CapEff:") })
    let mask = try #require(UInt64(line.dropFirst("CapEff:".count).filter { !$0.isWhitespace }, radix: 16))
    #expect(Capabilities.effectiveSet() == Capability.set(fromMask: mask))
}

// The drops run in forked children so this test process keeps its capabilities.
// Exit codes name the check that failed.

@Test(.enabled(if: runningAsRoot, "needs root: only root holds the capabilities to drop and to keep"))
func restrictKeepsExactlyTheKeptSet() {
    let kept: Set<Capability> = [.netAdmin, .netRaw]
    let status = runInChild {
        do { try Capabilities.restrict(to: kept) } catch { return 10 }
        guard Capabilities.effectiveSet() == kept else { return 11 }
        guard (try? Capabilities.current(.permitted)) == kept else { return 12 }
        guard (try? Capabilities.current(.inheritable)) == kept else { return 13 }
        guard (try? Capabilities.current(.bounding)) == kept else { return 14 }
        guard (try? Capabilities.current(.ambient)) == kept else { return 15 }
        guard noNewPrivs() else { return 16 }
        guard canOpenRawSocket() else { return 17 }  // NET_RAW kept and usable
        // CAP_CHOWN is gone: chown of a file to another owner must fail now.
        guard chown("/proc/self/status", 1, 1) != 0 else { return 18 }
        return 0
    }
    #expect(status == 0, "child check \(status) failed")
}

@Test(.enabled(if: runningAsRoot, "needs root: only root can drop to another uid"))
func restrictToNothingLeavesNoCapability() {
    let status = runInChild {
        do { try Capabilities.restrict(to: []) } catch { return 10 }
        guard Capabilities.effectiveSet().isEmpty, (try? Capabilities.current(.bounding)) == [] else { return 11 }
        guard !canOpenRawSocket() else { return 12 }
        return 0
    }
    #expect(status == 0, "child check \(status) failed")
}

@Test(.enabled(if: runningAsRoot, "needs root: only root can drop to another uid"))
func dropToUserKeepsNetAdminOnly() {
    let status = runInChild {
        do { try Capabilities.dropToUser(uid: 65534, gid: 65534, keeping: [.netAdmin]) } catch { return 10 }
        guard getuid() == 65534, geteuid() == 65534, getgid() == 65534, getegid() == 65534 else { return 11 }
        guard getgroups(0, nil) == 0 else { return 12 }
        guard Capabilities.effectiveSet() == [.netAdmin] else { return 13 }
        guard (try? Capabilities.current(.permitted)) == [.netAdmin] else { return 14 }
        guard (try? Capabilities.current(.bounding)) == [.netAdmin] else { return 15 }
        guard (try? Capabilities.current(.ambient)) == [.netAdmin] else { return 16 }
        guard noNewPrivs() else { return 17 }
        guard setuid(0) != 0 else { return 18 }  // no way back to root
        return 0
    }
    #expect(status == 0, "child check \(status) failed")
}

@Test func restrictWithoutPrivilegeFails() {
    // Asking to keep a capability the process does not have must fail, not pretend.
    let status = runInChild {
        if runningAsRoot {
            guard (try? Capabilities.restrict(to: [])) != nil else { return 10 }
        }
        do { try Capabilities.restrict(to: [.netAdmin]) } catch { return 0 }
        return 11
    }
    #expect(status == 0, "child check \(status) failed")
}

@Test func everyCapabilityHasItsKernelName() {
    for capability in Capability.allCases {
        #expect(capability.description.hasPrefix("cap_"))
    }
    #expect(Set(Capability.allCases.map(\.description)).count == Capability.allCases.count)
    #expect(Capability.sysTtyConfig.description == "cap_sys_tty_config")
}
