import ArgumentParser
import DaemonKit
import Platform

/// vrrpd: VRRP and the virtual addresses. Runs with CAP_NET_ADMIN and CAP_NET_RAW only.
@main
struct Vrrpd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vrrpd",
        abstract: "VRRP v2/v3 and ownership of the virtual IP addresses of a keepalived.conf.",
        discussion: """
            vrrpd runs every vrrp_instance and vrrp_sync_group of the configuration (RFC 3768 and RFC 5798): it \
            sends and receives the adverts, elects, and as MASTER holds the virtual and excluded addresses, \
            virtual routes and rules, and sends gratuitous ARPs and unsolicited neighbour adverts. It needs \
            CAP_NET_ADMIN and CAP_NET_RAW and nothing else; it runs no scripts (checkd runs vrrp_script and the \
            notify scripts, unprivileged, and tells vrrpd the results).

            Signals: SIGHUP reloads the configuration (one with errors is refused and the running one stays; \
            `tandemctl reload` checks it with every daemon's rules first). SIGTERM or SIGINT stops: each MASTER \
            instance first hands its addresses over to a peer (advertising priority 0 and keeping them until the \
            peer's advert shows it is MASTER), waiting at most 8 s; a second signal stops at once.

            Sockets: RUNTIME-DIR/vrrpd.sock (checkd's messages, checked with SO_PEERCRED), a connection to \
            RUNTIME-DIR/ipvsd.sock (the instances' states, for the sync daemon), and RUNTIME-DIR/vrrpd.control (tandemctl: status for root and the group tandem-adm, switchover and resume \
            for root). A socket file removed under the running daemon is bound again.

            Exit status: 0 stopped cleanly, or with -t the configuration is usable; 1 the configuration has errors \
            (each printed as FILE:LINE:COLUMN) or the daemon could not start; 64 a usage error.

            See also: tandemctl(1), keepalived.conf(5), keepalived(8); docs/ARCHITECTURE.md and \
            docs/compatibility.md in tandem's documentation.
            """,
        version: TandemVersion.string)

    @OptionGroup var options: DaemonOptions

    func run() throws {
        let status = DaemonMain.run(role: .vrrpd, options: options) { context in
            // The advert and down timers are protocol deadlines (10 ms adverts at the shortest): the loop's
            // thread (this one) asks the kernel for 1 µs of timer slack instead of the default 50 µs, as precise
            // as keepalived's timerfd. Not fatal: the default only makes each wake-up a little later.
            try? EventLoop.setTimerSlack(.microseconds(1))
            let service = VRRPService(context)
            try service.start()
            return service
        }
        if status != 0 { throw ExitCode(status) }
    }
}
