import ArgumentParser
import DaemonKit

/// checkd: the unprivileged health checker. Runs as its own user with no capabilities.
@main
struct Checkd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkd",
        abstract: "Health checks of real servers and vrrp_script track scripts of a keepalived.conf.",
        version: TandemVersion.string)

    @OptionGroup var options: DaemonOptions

    func run() throws {
        let status = DaemonMain.run(role: .checkd, options: options) { context in
            let service = CheckService(context)
            service.start()
            return service
        }
        if status != 0 { throw ExitCode(status) }
    }
}
