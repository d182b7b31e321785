import ArgumentParser

/// The flags every daemon takes: keepalived's own where they exist, so unit files and habits carry over.
public struct DaemonOptions: ParsableArguments, Sendable {
    @Option(name: [.customShort("f"), .customLong("use-file")], help: "The keepalived.conf to read.")
    public var configFile: String = "/etc/keepalived/keepalived.conf"

    @Flag(name: [.customShort("t"), .customLong("config-test")],
          help: "Check the configuration's syntax and meaning, touching nothing; exit 0 when it is usable.")
    public var configTest = false

    @Option(name: [.customShort("i"), .customLong("config-id")],
            help: "keepalived's config id: lines starting @ID apply only with this id, @^ID only without it (default: the host name up to its first dot).")
    public var configID: String?

    @Flag(name: [.customShort("l"), .customLong("log-console")], help: "Log to the console (stderr) too.")
    public var logConsole = false

    @Flag(name: [.customShort("D"), .customLong("log-detail")], help: "Log in detail (debug level).")
    public var logDetail = false

    @Flag(name: [.customShort("n"), .customLong("dont-fork")],
          help: "Accepted for keepalived compatibility; the daemons always run in the foreground.")
    public var dontFork = false

    @Option(name: .customLong("runtime-dir"),
            help: "Directory of the daemons' Unix sockets (several suites can run side by side with different ones).")
    public var runtimeDirectory: String = "/run/tandem"

    @Option(name: .customLong("peer-user"),
            help: "A user whose processes may send messages to this daemon, besides root and this daemon's own user (repeatable).")
    public var peerUsers: [String] = ["tandem-checkd"]

    @Option(name: .customLong("user"),
            help: "After start-up, run as this user (keeping only the daemon's own capabilities). checkd started as root defaults to tandem-checkd, and without that user refuses to start unless this says root (or script_user root in global_defs): its scripts would run as root.")
    public var user: String?

    @Option(name: .customLong("socket-group"),
            help: "Group given to this daemon's socket, so checkd (a member) may connect.")
    public var socketGroup: String = "tandem"

    @Option(name: .customLong("admin-group"),
            help: "Members of this group may read the daemon's status on its control socket (RUNTIME-DIR/NAME.control); root may always.")
    public var adminGroup: String = "tandem-adm"

    public init() {}
}
