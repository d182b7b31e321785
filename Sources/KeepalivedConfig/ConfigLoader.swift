/// What a caller knows about the host that the configuration will run on. Every check is optional, so `-t` can
/// run on a machine other than the one the file is for.
public struct HostFacts: Sendable {
    /// Does a network interface of this name exist here? nil: do not check.
    public var interfaceExists: (@Sendable (String) -> Bool)?

    public init(interfaceExists: (@Sendable (String) -> Bool)? = nil) {
        self.interfaceExists = interfaceExists
    }
}

/// The outcome of reading a configuration: the model when it has no errors, and every finding either way.
public struct ConfigLoadResult: Sendable {
    /// The model, present when no error was found anywhere.
    public var configuration: KeepalivedConfiguration?
    /// The model as far as it could be read, even with errors; for daemons that need only part of it.
    public var partialConfiguration: KeepalivedConfiguration?
    public var diagnostics: [Diagnostic]

    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }

    /// The findings that matter to a daemon reading the given parts (syntax and global_defs always matter).
    public func diagnostics(for scopes: Set<ConfigScope>) -> [Diagnostic] {
        diagnostics.filter { $0.scope == .syntax || $0.scope == .global || scopes.contains($0.scope) }
    }

    /// The configuration for a daemon that reads only the given parts: usable when those parts, the syntax and
    /// global_defs have no error, whatever is wrong elsewhere.
    public func configuration(for scopes: Set<ConfigScope>) -> KeepalivedConfiguration? {
        diagnostics(for: scopes).contains { $0.severity == .error } ? nil : partialConfiguration
    }
}

/// Reads keepalived.conf: runs keepalived's line reader (conditions, definitions, repetitions), lexes, splices
/// includes, builds statements, reads each block into the typed model and validates the whole. Nothing here
/// touches the network or changes the system.
public enum ConfigLoader {
    /// keepalived's default config id, which `@ID` lines are compared with when no `-i` is given: the host name
    /// up to its first dot.
    public static var hostConfigID: String { LinePreprocessor.hostConfigID }

    /// `advanced` is called after each top-level statement: a daemon reading a file of thousands of virtual
    /// servers tells systemd it is not hung. `configID` is keepalived's `-i`: nil takes the host name, as keepalived.
    public static func load(path: String, configID: String? = nil, source: ConfigSource = DiskConfigSource(),
                            host: HostFacts = HostFacts(), advanced: () -> Void = {}) -> ConfigLoadResult {
        load(path: path, configID: configID, source: source, host: host, limits: FileStack.Limits(), advanced: advanced)
    }

    /// With limits of its own on what the whole configuration may read, for tests of those limits.
    static func load(path: String, configID: String? = nil, source: ConfigSource, host: HostFacts = HostFacts(),
                     limits: FileStack.Limits, advanced: () -> Void = {}) -> ConfigLoadResult {
        var log = DiagnosticLog()
        var expander = IncludeExpander(source: source, configID: configID ?? hostConfigID, limits: limits)
        guard expander.start(file: path, log: &log) else {
            return ConfigLoadResult(configuration: nil, partialConfiguration: nil, diagnostics: log.all)
        }
        return read(expander, log: log, host: host, advanced: advanced)
    }

    /// Reads configuration text held in memory; `include` still resolves through `source`.
    public static func parse(_ text: String, name: String = "keepalived.conf", configID: String? = nil,
                             source: ConfigSource = InMemoryConfigSource([:]),
                             host: HostFacts = HostFacts()) -> ConfigLoadResult {
        parse(text, name: name, configID: configID, source: source, host: host,
              maximumGeneratedLines: LinePreprocessor.defaultMaximumGeneratedLines)
    }

    /// With a bound of its own on the lines repetitions and definitions may generate: the fuzzer needs every
    /// input read in moments, not a million generated lines.
    static func parse(_ text: String, name: String, configID: String?, source: ConfigSource, host: HostFacts,
                      maximumGeneratedLines: Int) -> ConfigLoadResult {
        var expander = IncludeExpander(source: source, configID: configID ?? hostConfigID,
                                       maximumGeneratedLines: maximumGeneratedLines)
        expander.start(text: text, named: name)
        return read(expander, log: DiagnosticLog(), host: host, advanced: {})
    }

    /// Reads the model one top-level statement at a time: a statement's tokens and tree are gone once it is in
    /// the model, so reading a 10,000-service file costs little more than the model itself.
    private static func read(_ tokens: IncludeExpander, log: DiagnosticLog, host: HostFacts,
                             advanced: () -> Void) -> ConfigLoadResult {
        var builder = SyntaxTreeBuilder(tokens: tokens)
        var values = ValueParser(log: log)
        var configuration = KeepalivedConfiguration()
        while let statement = builder.nextStatement(log: &values.log) {
            topLevelTable.apply([statement], to: &configuration, values: &values)
            advanced()
        }
        configuration.files = builder.filesRead
        ConfigValidator(host: host).validate(&configuration, log: &values.log)
        advanced()
        let diagnostics = values.log.all.sorted(by: Self.order)
        return ConfigLoadResult(configuration: values.log.hasErrors ? nil : configuration,
                                partialConfiguration: configuration, diagnostics: diagnostics)
    }

    /// Findings in reading order: by file as first read, then line, then column.
    private static func order(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
        if a.location.file != b.location.file { return false }
        if a.location.line != b.location.line { return a.location.line < b.location.line }
        return a.location.column < b.location.column
    }

    static let topLevelTable: KeywordTable<KeepalivedConfiguration> = {
        var table = KeywordTable<KeepalivedConfiguration>("the configuration", keepalivedBlock: "top")
        table.add("global_defs", arity: .exactly(0), block: true) { config, s, values in
            values.log.scope = .global
            GlobalDefsReader.table.apply(s.block ?? [], to: &config.global, values: &values)
        }
        table.add("vrrp_script", arity: .exactly(1), block: true) { config, s, values in
            values.log.scope = .vrrp
            guard let name = named(s, "vrrp_script", values: &values) else { return }
            var script = VRRPScript(name: name, location: s.location)
            VRRPReader.scriptTable.apply(s.block ?? [], to: &script, values: &values)
            if script.command == nil { values.log.error(s.location, "vrrp_script \(name) needs a script") }
            config.vrrpScripts.append(script)
        }
        table.add("track_file", "vrrp_track_file", arity: .exactly(1), block: true) { config, s, values in
            values.log.scope = .global
            if let file = TrackFileReader.trackFile(s, existing: config.trackFiles, values: &values) {
                config.trackFiles.append(file)
            }
        }
        table.add("vrrp_sync_group", arity: .exactly(1), block: true) { config, s, values in
            values.log.scope = .vrrp
            guard let name = named(s, "vrrp_sync_group", values: &values) else { return }
            var group = VRRPSyncGroup(name: name, location: s.location)
            VRRPReader.syncGroupTable.apply(s.block ?? [], to: &group, values: &values)
            config.syncGroups.append(group)
        }
        table.add("vrrp_instance", arity: .exactly(1), block: true) { config, s, values in
            values.log.scope = .vrrp
            guard let name = named(s, "vrrp_instance", values: &values) else { return }
            var instance = VRRPInstanceDefinition(name: name, location: s.location)
            instance.garpMaster = config.global.garpMaster
            VRRPReader.instanceTable.apply(s.block ?? [], to: &instance, values: &values)
            if let (interface, location) = instance.lvsSyncDaemonInterface {
                // keepalived's vrrp_lvs_syncd_handler: deprecated, and the first one wins.
                if let existing = config.global.lvsSyncDaemon {
                    values.log.warning(location, "lvs_sync_daemon_interface: the sync daemon is already set to \(existing.interface) for \(existing.vrrpInstance); this one is ignored, as keepalived does")
                } else {
                    values.log.warning(location, "lvs_sync_daemon_interface is deprecated; it is read as global_defs' lvs_sync_daemon \(interface) \(name)")
                    config.global.lvsSyncDaemon = LVSSyncDaemon(interface: interface, vrrpInstance: name, location: location)
                }
            }
            config.vrrpInstances.append(instance)
        }
        table.add("garp_group", arity: .exactly(0), block: true) { config, s, values in
            values.log.scope = .vrrp
            config.garpGroups.append(GratuitousKeywords.group(s, existing: config.garpGroups, values: &values))
        }
        table.add("static_ipaddress", arity: .exactly(0), block: true) { config, s, values in
            values.log.scope = .vrrp
            config.staticAddresses += VirtualAddressListReader.read(s, values: &values)
        }
        table.add("static_routes", arity: .exactly(0), block: true) { config, s, values in
            values.log.scope = .vrrp
            config.staticRoutes += RouteReader.routes(s, values: &values)
        }
        table.add("static_rules", arity: .exactly(0), block: true) { config, s, values in
            values.log.scope = .vrrp
            config.staticRules += RouteReader.rules(s, values: &values)
        }
        table.add("tandem_announce", arity: .exactly(1), block: true) { config, s, values in
            values.log.scope = .vrrp
            guard let name = named(s, "tandem_announce", values: &values) else { return }
            var announcement = HealthAnnouncement(name: name, location: s.location)
            AnnouncementReader.table.apply(s.block ?? [], to: &announcement, values: &values)
            if announcement.addresses.isEmpty {
                values.log.error(s.location, "tandem_announce \(name) needs at least one address")
            }
            config.announcements.append(announcement)
        }
        table.add("virtual_server_group", arity: .exactly(1), block: true) { config, s, values in
            values.log.scope = .virtualServers
            guard named(s, "virtual_server_group", values: &values) != nil,
                  let group = VirtualServerGroupReader.group(s, values: &values) else { return }
            config.virtualServerGroups.append(group)
        }
        table.add("virtual_server", arity: .between(1, 2), block: true) { config, s, values in
            values.log.scope = .virtualServers
            guard let address = VirtualServerReader.address(of: s, values: &values) else { return }
            var server = VirtualServer(address: address, location: s.location)
            VirtualServerReader.virtualServerTable.apply(s.block ?? [], to: &server, values: &values)
            if values.virtualServerLocations[address] != nil,
               let index = config.virtualServers.firstIndex(where: { $0.address == address }) {
                DuplicateVirtualServers.merge(server, into: &config.virtualServers[index], log: &values.log)
                return
            }
            values.virtualServerLocations[address] = s.location
            // Appending doubles capacity; at 10,000 virtual servers the slack would be a third of the model.
            server.realServers = server.realServers.withUnsafeBufferPointer { Array($0) }
            config.virtualServers.append(server)
        }
        return table
    }()

    private static func named(_ s: Statement, _ kind: String, values: inout ValueParser) -> String? {
        guard let name = s.arguments.first?.word, !name.isEmpty else {
            values.log.error(s.location, "\(kind) needs a name")
            return nil
        }
        if !values.definedNames[kind, default: []].insert(name).inserted {
            values.log.error(s.location, "\(kind) \(name) is defined twice")
            return nil
        }
        return name
    }
}
