import KeepalivedConfig

/// The loader's errors, when a test's configuration text has any.
public struct ConfigurationRefused: Error, CustomStringConvertible {
    public var description: String
}

/// keepalived.conf text as a daemon reading `scopes` would take it; throws the errors when it would refuse it.
public func configuration(_ text: String, as scopes: Set<ConfigScope>) throws -> KeepalivedConfiguration {
    let result = ConfigLoader.parse(text)
    guard let configuration = result.configuration(for: scopes) else {
        throw ConfigurationRefused(description: result.errors.map { "\($0)" }.joined(separator: "\n"))
    }
    return configuration
}
