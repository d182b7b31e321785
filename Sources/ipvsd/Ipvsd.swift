import ArgumentParser
import DaemonKit

/// ipvsd: the only writer of kernel IPVS rules. Runs with CAP_NET_ADMIN only.
@main
struct Ipvsd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipvsd",
        abstract: "Keeps the kernel's IPVS table equal to the virtual servers of a keepalived.conf.",
        discussion: """
            ipvsd is the only writer of the kernel's IPVS rules (generic netlink): it keeps every virtual_server, \
            with the real servers checkd reports up and the sorry server when quorum is lost, equal to the \
            kernel's table, compares again every 10 s (undoing changes made behind its back), and runs the \
            connection-sync daemon (lvs_sync_daemon) as vrrpd's instance states say. It needs CAP_NET_ADMIN only. \
            When it stops, the table stays (traffic keeps flowing while it restarts) unless lvs_flush_on_stop.

            Signals: SIGHUP reloads the configuration (one with errors is refused and the running one stays); \
            SIGTERM or SIGINT stops.

            Sockets: RUNTIME-DIR/ipvsd.sock (messages from checkd and vrrpd, checked with SO_PEERCRED) and \
            RUNTIME-DIR/ipvsd.control (tandemctl status: the virtual servers and the kernel's counters).

            Exit status: 0 stopped cleanly, or with -t the configuration is usable; 1 the configuration has errors \
            (each printed as FILE:LINE:COLUMN) or the daemon could not start; 64 a usage error.

            See also: tandemctl(1), keepalived.conf(5), keepalived(8); docs/ARCHITECTURE.md and \
            docs/compatibility.md in tandem's documentation.
            """,
        version: TandemVersion.string)

    @OptionGroup var options: DaemonOptions

    func run() throws {
        let status = DaemonMain.run(role: .ipvsd, options: options) { context in
            let service = try IPVSDaemonService(context)
            try service.start()
            return service
        }
        if status != 0 { throw ExitCode(status) }
    }
}
