import IPVS
import KeepalivedConfig
import Logging
import Vocabulary

/// `lvs_timeouts`: the kernel's TCP, TCP FIN and UDP connection timeouts, set at start and on every reload as
/// keepalived's checker does. Unset (or 0) values are left as the kernel has them.
enum ConnectionTimeouts {
    /// `ipvsadm --set TCP TCPFIN UDP` (0 keeps a value).
    static func apply(_ timeouts: LVSTimeouts, to kernel: IPVSKernel, logger: Logger) {
        guard !timeouts.isEmpty else { return }
        let request = LVSTimeouts(tcp: nonZero(timeouts.tcp), tcpFin: nonZero(timeouts.tcpFin), udp: nonZero(timeouts.udp))
        do {
            _ = try kernel.perform(.setTimeouts(request))
            logger.info("IPVS connection timeouts set: tcp \(describe(request.tcp)), tcpfin \(describe(request.tcpFin)), udp \(describe(request.udp))")
        } catch {
            logger.error("the IPVS connection timeouts (lvs_timeouts) were not set: \(error); retried on the next reload")
        }
    }

    private static func nonZero(_ value: UInt32?) -> UInt32? { value == 0 ? nil : value }
    private static func describe(_ value: UInt32?) -> String { value.map { "\($0)s" } ?? "unchanged" }
}
