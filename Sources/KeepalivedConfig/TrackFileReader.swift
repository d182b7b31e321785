/// `track_file` blocks and FILE_CHECK, read as keepalived 2.2.7 reads them (trackers/track_file.c and
/// check/check_file.c): every bad value is reported and ignored there, so it is a warning here with the same
/// effect, and a config that ran under keepalived runs here.
enum TrackFileReader {
    /// keepalived's IPVS_WEIGHT_LIMIT: FILE_CHECK's own weight may be as large as a kernel weight.
    static let checkerWeightLimit = Int(Int32.max)

    static let trackFileTable: KeywordTable<TrackFile> = {
        var table = KeywordTable<TrackFile>("track_file")
        table.add("file", arity: .exactly(1)) { file, s, values in
            guard file.path == nil else {
                values.log.warning(s.arguments[0].location, "track_file \(file.name) already has a file; '\(s.arguments[0].word ?? "")' is ignored (as keepalived)")
                return
            }
            file.path = s.arguments[0].word
        }
        table.add("weight", arity: .between(1, 2)) { file, s, values in
            // keepalived refuses a second weight only when the first was not 1.
            guard file.weight == 1 else {
                values.log.warning(s.location, "track_file \(file.name) already has weight \(file.weight); this one is ignored (as keepalived)")
                return
            }
            let text = s.arguments[0].word ?? ""
            if let weight = Int(text), (-254...254).contains(weight) {
                file.weight = weight
            } else {
                values.log.warning(s.arguments[0].location, "track_file \(file.name) weight '\(text)' is outside -254…254, so 1 (as keepalived)")
                file.weight = 1
            }
            if s.arguments.count > 1 {
                if s.arguments[1].word == "reverse" {
                    file.reverse = true
                } else {
                    values.log.warning(s.arguments[1].location, "track_file \(file.name): unknown weight option '\(s.arguments[1].word ?? "")' is ignored (as keepalived)")
                }
            }
        }
        table.add("init_file", arity: .rest(minimum: 0)) { file, s, values in
            file.initialValue = 0
            for token in s.arguments {
                let word = token.word ?? ""
                if word == "overwrite" {
                    file.overwrite = true
                } else if word.first.map({ $0.isNumber || $0 == "-" }) == true {
                    guard let value = Int32(word) else {
                        values.log.warning(token.location, "track_file \(file.name) init value '\(word)' is not a number, so 0 (as keepalived)")
                        file.initialValue = 0
                        continue
                    }
                    if !(-254...254).contains(value) {
                        values.log.warning(token.location, "track_file \(file.name) init value \(value) is outside -254…254, which a vrrp_instance cannot use; it is written as given (as keepalived)")
                    }
                    file.initialValue = Int(value)
                } else {
                    values.log.warning(token.location, "track_file \(file.name): unknown init_file option '\(word)' is ignored (as keepalived)")
                }
            }
        }
        return table
    }()

    /// The top-level block; nil (with keepalived's warning) when it names no file, as keepalived drops it.
    static func trackFile(_ s: Statement, existing: [TrackFile], values: inout ValueParser) -> TrackFile? {
        guard let name = s.arguments.first?.word, !name.isEmpty else {
            values.log.error(s.location, "\(s.name) needs a name")
            return nil
        }
        if s.name == "vrrp_track_file" {
            values.log.warning(s.location, "vrrp_track_file is deprecated; it is read as track_file")
        }
        var file = TrackFile(name: name, location: s.location)
        trackFileTable.apply(s.block ?? [], to: &file, values: &values)
        guard file.path != nil else {
            values.log.warning(s.location, "track_file \(name) has no file, so it is ignored (as keepalived)")
            return nil
        }
        if let first = existing.first(where: { $0.name == name }) {
            values.log.warning(s.location, "track_file \(name) is already defined at \(first.location); uses of the name get that one (as keepalived)")
        }
        return file
    }

    static let fileCheckTable: KeywordTable<HealthCheck> = {
        var table = KeywordTable<HealthCheck>("FILE_CHECK", keepalivedBlock: "virtual_server/real_server/FILE_CHECK")
        table.add("track_file", arity: .exactly(1)) { check, s, _ in
            guard case .file(var settings) = check.kind else { return }
            settings.trackFile = s.arguments[0].word
            check.kind = .file(settings)
        }
        table.add("weight", arity: .between(1, 2)) { check, s, values in
            guard case .file(var settings) = check.kind else { return }
            let text = s.arguments[0].word ?? ""
            guard let weight = Int(text), (-checkerWeightLimit...checkerWeightLimit).contains(weight) else {
                values.log.warning(s.arguments[0].location, "FILE_CHECK weight '\(text)' is outside ±\(checkerWeightLimit), so it is ignored (as keepalived)")
                return
            }
            var reverse = false
            if s.arguments.count > 1 {
                switch s.arguments[1].word {
                case "reverse": reverse = true
                case "noreverse": reverse = false
                default:
                    values.log.warning(s.arguments[1].location, "FILE_CHECK: unknown weight option '\(s.arguments[1].word ?? "")', so the weight line is ignored (as keepalived)")
                    return
                }
            }
            settings.weight = weight
            settings.reverse = reverse
            check.kind = .file(settings)
        }
        return table
    }()

    /// Resolves every FILE_CHECK against the track_file blocks: the file's path, and its weight and reverse when
    /// the checker gives none. A FILE_CHECK without a (known) track_file is dropped with keepalived's warning,
    /// so its real server is not checked by it, as there.
    static func resolveFileChecks(_ server: inout VirtualServer, in configuration: KeepalivedConfiguration,
                                  log: inout DiagnosticLog) {
        for index in server.realServers.indices {
            server.realServers[index].checks = server.realServers[index].checks.compactMap { check in
                guard case .file(var settings) = check.kind else { return check }
                guard let name = settings.trackFile else {
                    log.warning(check.location, "FILE_CHECK has no track_file, so it is ignored (as keepalived)")
                    return nil
                }
                guard let file = configuration.trackFile(named: name) else {
                    log.warning(check.location, "FILE_CHECK: track_file \(name) is not defined, so this checker is ignored (as keepalived)")
                    return nil
                }
                if settings.weight == nil {
                    settings.weight = file.weight
                    settings.reverse = file.reverse
                }
                if settings.weight == 0 && settings.reverse {
                    log.warning(check.location, "FILE_CHECK with weight 0 reverse: keepalived 2.2.7 starts this server in the opposite state until the file first changes; tandem follows the file from the start")
                }
                settings.path = file.path
                var resolved = check
                resolved.kind = .file(settings)
                return resolved
            }
        }
    }
}
