import Foundation
import Testing
@testable import KeepalivedConfig

/// track_file blocks and FILE_CHECK as keepalived 2.2.7 reads them (trackers/track_file.c, check/check_file.c).
@Suite struct TrackFileConfigTests {
    @Test func aFileCheckTakesItsTrackFilesWeightUnlessItHasOne() throws {
        let result = Fixtures.parse("""
        track_file maintenance {
            file /run/lb/maintenance
            weight -10 reverse
            init_file 0
        }
        vrrp_track_file old {
            file "/run/lb/old file"
        }
        virtual_server 192.0.2.1 80 {
            protocol TCP
            real_server 198.51.100.1 80 {
                FILE_CHECK {
                    track_file maintenance
                }
                FILE_CHECK {
                    track_file old
                    weight 0
                }
                FILE_CHECK {
                    track_file maintenance
                    weight 5 noreverse
                }
            }
        }
        """)
        let configuration = try #require(result.configuration, "\(result.printed)")
        #expect(configuration.trackFiles.map(\.name) == ["maintenance", "old"])
        let maintenance = try #require(configuration.trackFile(named: "maintenance"))
        #expect(maintenance.path == "/run/lb/maintenance" && maintenance.weight == -10 && maintenance.reverse)
        #expect(maintenance.initialValue == 0 && !maintenance.overwrite)
        let settings = configuration.virtualServers[0].realServers[0].checks.compactMap { check -> FileCheckSettings? in
            if case .file(let settings) = check.kind { settings } else { nil }
        }
        #expect(settings.map(\.path) == ["/run/lb/maintenance", "/run/lb/old file", "/run/lb/maintenance"])
        #expect(settings.map(\.weight) == [-10, 0, 5])
        #expect(settings.map(\.reverse) == [true, false, false])
        #expect(result.has(.warning, at: 6, 1, containing: "vrrp_track_file is deprecated"))
        #expect(result.errors.isEmpty)
    }

    @Test func badValuesAreWarnedAndIgnoredAsKeepalivedDoes() throws {
        let result = Fixtures.parse("""
        track_file a {
            file /run/a
            file /run/b
            weight 300
            init_file 7 overwrite
        }
        track_file nofile {
            weight 2
        }
        virtual_server 192.0.2.1 80 {
            protocol TCP
            real_server 198.51.100.1 80 {
                FILE_CHECK {
                    track_file nofile
                }
                FILE_CHECK {
                    weight 3
                }
                FILE_CHECK {
                    track_file a
                    weight 4 sideways
                }
                FILE_CHECK {
                    track_file a
                    weight 0 reverse
                }
            }
        }
        """)
        let configuration = try #require(result.configuration, "\(result.printed)")
        let file = try #require(configuration.trackFile(named: "a"))
        #expect(file.path == "/run/a" && file.weight == 1 && file.initialValue == 7 && file.overwrite)
        #expect(result.has(.warning, at: 3, 10, containing: "already has a file"))
        #expect(result.has(.warning, at: 4, 12, containing: "outside -254…254, so 1"))
        #expect(result.has(.warning, at: 7, 1, containing: "track_file nofile has no file, so it is ignored"))
        #expect(result.has(.warning, at: 13, 9, containing: "track_file nofile is not defined, so this checker is ignored"))
        #expect(result.has(.warning, at: 16, 9, containing: "FILE_CHECK has no track_file, so it is ignored"))
        #expect(result.has(.warning, at: 21, 22, containing: "unknown weight option 'sideways'"))
        #expect(result.has(.warning, at: 23, 9, containing: "weight 0 reverse: keepalived 2.2.7 starts this server in the opposite state"))
        let weights = configuration.virtualServers[0].realServers[0].checks.compactMap { check -> Int? in
            if case .file(let settings) = check.kind { settings.weight } else { nil }
        }
        #expect(weights == [1, 0], "the two dropped checkers are gone; a bad weight line leaves the file's")
        #expect(result.errors.isEmpty)
    }

    /// Debian's keepalived accepts the same file (its warnings are the ones tandem gives).
    @Test func keepalivedAcceptsTheSameConfiguration() throws {
        let text = """
        track_file a {
            file /run/a
            weight 300
        }
        virtual_server 192.0.2.1 80 {
            protocol TCP
            real_server 198.51.100.1 80 {
                FILE_CHECK {
                    track_file a
                    weight 4 reverse
                }
                FILE_CHECK {
                    track_file missing
                }
            }
        }
        """
        #expect(Fixtures.parse(text).errors.isEmpty)
        guard let output = try Keepalived.configTest(text, for: "TrackFileConfigTests") else { return }
        #expect(output.contains("must be between [-254..254]"), "\(output)")
        #expect(output.contains("track_file missing not found"), "\(output)")
        #expect(output.contains("FILE_CHECK has no track_file specified - ignoring"), "\(output)")
        #expect(!output.contains("Unknown keyword"), "\(output)")
    }
}
