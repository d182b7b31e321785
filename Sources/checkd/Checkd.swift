import ArgumentParser
import DaemonKit

/// checkd: the unprivileged health checker. Runs as its own user with no capabilities.
@main
struct Checkd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkd",
        abstract: "Health checks of real servers and vrrp_script track scripts of a keepalived.conf.",
        discussion: """
            checkd runs every checker of every real_server (TCP_CHECK, HTTP_GET, SSL_GET, SMTP_CHECK, UDP_CHECK, \
            DNS_CHECK, PING_CHECK, MISC_CHECK, and FILE_CHECK, whose track_file it follows with inotify; under \
            ha_suspend only while the service address is on the node) and every \
            vrrp_script an instance tracks, and the notify scripts (instance, sync group, real server and quorum \
            notifications). It has no capabilities and runs as its own user (tandem-checkd under systemd; started \
            as root it switches to that user when it exists), so every script runs unprivileged. It tells ipvsd \
            each real server's verdict and vrrpd each script's result, changes only, and its whole view again when \
            either reconnects; a restarted checkd moves nothing until it has its own results.

            Signals: SIGHUP reloads the configuration (checks that did not change keep their state); SIGTERM or \
            SIGINT stops.

            Sockets: it connects to RUNTIME-DIR/vrrpd.sock and RUNTIME-DIR/ipvsd.sock, and answers tandemctl on \
            RUNTIME-DIR/checkd.control (each checker's last result, latency and error; each track script).

            Exit status: 0 stopped cleanly, or with -t the configuration is usable; 1 the configuration has errors \
            (each printed as FILE:LINE:COLUMN) or the daemon could not start; 64 a usage error.

            See also: tandemctl(1), keepalived.conf(5), keepalived(8); docs/ARCHITECTURE.md and \
            docs/compatibility.md in tandem's documentation.
            """,
        version: TandemVersion.string)

    @OptionGroup var options: DaemonOptions

    @Option(name: .customLong("allow-ping-group"),
            help: "Widen net.ipv4.ping_group_range so this group may open ICMP datagram sockets (PING_CHECK), then exit; needs root (the unit's ExecStartPre).")
    var allowPingGroup: String?

    func run() throws {
        if let allowPingGroup {
            let status = PingGroupSetup.run(group: allowPingGroup)
            if status != 0 { throw ExitCode(status) }
            return
        }
        let status = DaemonMain.run(role: .checkd, options: options) { context in
            let service = CheckService(context)
            service.start()
            return service
        }
        if status != 0 { throw ExitCode(status) }
    }
}
