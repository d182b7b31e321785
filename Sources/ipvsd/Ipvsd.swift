import ArgumentParser
import DaemonKit

/// ipvsd: the only writer of kernel IPVS rules. Runs with CAP_NET_ADMIN only.
@main
struct Ipvsd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipvsd",
        abstract: "Keeps the kernel's IPVS table equal to the virtual servers of a keepalived.conf.",
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
