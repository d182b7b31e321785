// Loading a kernel module on demand, as keepalived does for ip_vs: run modprobe once, wait for it.
import Glibc

public enum KernelModule {
    /// Runs `modprobe NAME` (the program the kernel itself uses, from /proc/sys/kernel/modprobe)
    /// and returns true when it exited 0. Never throws: a missing modprobe is just a false.
    public static func load(_ name: String) -> Bool {
        let modprobe = kernelModprobePath() ?? "/sbin/modprobe"
        var pid: pid_t = 0
        let arguments = [modprobe, "-q", "--", name]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var environment: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/sbin:/usr/bin:/sbin:/bin"), nil]
        defer { for p in environment { free(p) } }
        guard posix_spawn(&pid, modprobe, nil, nil, &argv, &environment) == 0 else { return false }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return false }
        }
        // WIFEXITED && WEXITSTATUS == 0, without the C macros Swift does not import.
        return status & 0x7f == 0 && (status >> 8) & 0xff == 0
    }

    private static func kernelModprobePath() -> String? {
        guard let file = fopen("/proc/sys/kernel/modprobe", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 4096)
        guard fgets(&line, Int32(line.count), file) != nil else { return nil }
        let path = String(decoding: line.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path.hasPrefix("/") ? path : nil
    }
}
