import ArgumentParser
import DaemonKit

/// tandemctl: the operator's command. Not a daemon: it runs, answers and exits. Each job is a subcommand, so
/// later ones (a daemon's status and metrics over its control socket) sit beside `lint`.
@main
struct Tandemctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tandemctl",
        abstract: "The operator's command for tandem (vrrpd, ipvsd, checkd).",
        version: TandemVersion.string,
        subcommands: [Lint.self, Status.self, Metrics.self, Switchover.self, Resume.self, Reload.self, Realserver.self])
}
