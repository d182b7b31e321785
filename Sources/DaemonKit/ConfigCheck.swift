#if canImport(Glibc)
import Glibc
#endif
import KeepalivedConfig
import Wire

/// `-t`: reads the configuration as the daemon would, prints every finding about its part, changes nothing.
public enum ConfigCheck {
    /// Interfaces are looked up but a missing one is only a warning, so a file can be checked before deployment.
    public static let hostFacts = HostFacts(interfaceExists: { if_nametoindex($0) != 0 })

    /// Prints findings and a verdict to stderr and stdout; returns the exit status (0 usable, 1 not).
    public static func run(role: DaemonRole, path: String, configID: String? = nil) -> Int32 {
        let result = ConfigLoader.load(path: path, configID: configID, host: hostFacts)
        let findings = result.diagnostics(for: role.configScopes)
        for finding in findings {
            printError(finding.description)
        }
        guard let config = result.configuration(for: role.configScopes) else {
            let errors = findings.filter { $0.severity == .error }.count
            printError("\(role.name): \(path): \(errors) error\(errors == 1 ? "" : "s"); the configuration is not usable")
            return 1
        }
        let warnings = findings.count
        print("\(role.name): \(path): configuration OK (\(warnings) warning\(warnings == 1 ? "" : "s")): \(role.summary(of: config))")
        return 0
    }

    static func printError(_ line: String) {
        var text = line + "\n"
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}
