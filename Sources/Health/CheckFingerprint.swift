import KeepalivedConfig

/// What makes a checker "the same" across a reload: everything but where it was written, so moving a block
/// in the file keeps its health.
enum CheckFingerprint {
    private static let nowhere = ConfigLocation(file: "", line: 0, column: 0)

    static func of(_ check: HealthCheck) -> HealthCheck {
        var copy = check
        copy.location = nowhere
        switch copy.kind {
        case .tcp, .udp, .dns, .smtp, .ping, .file: break
        case .http(let urls): copy.kind = .http(urls: urls.map(strip))
        case .ssl(let urls): copy.kind = .ssl(urls: urls.map(strip))
        case .misc(let command, let timeout, let dynamic):
            copy.kind = .misc(command: command.map(strip), timeout: timeout, dynamic: dynamic)
        }
        return copy
    }

    static func strip(_ url: HTTPCheckURL) -> HTTPCheckURL {
        var copy = url
        copy.location = nowhere
        return copy
    }

    static func strip(_ command: ScriptCommand) -> ScriptCommand {
        var copy = command
        copy.location = nowhere
        return copy
    }
}
