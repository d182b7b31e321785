import ArgumentParser
import DaemonKit

/// vrrpd: VRRP and the virtual addresses. Runs with CAP_NET_ADMIN and CAP_NET_RAW only.
@main
struct Vrrpd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vrrpd",
        abstract: "VRRP v2/v3 and ownership of the virtual IP addresses of a keepalived.conf.",
        version: TandemVersion.string)

    @OptionGroup var options: DaemonOptions

    func run() throws {
        let status = DaemonMain.run(role: .vrrpd, options: options) { context in
            let service = VRRPService(context)
            try service.start()
            return service
        }
        if status != 0 { throw ExitCode(status) }
    }
}
