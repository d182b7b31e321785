import Foundation
@testable import KeepalivedConfig

/// Paths of the files the tests read: the verbatim seed configs and the repository's Configs/.
enum Fixtures {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let seedsDirectory = testsDirectory.appendingPathComponent("Fixtures/seeds")
    static let repositoryRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let configsDirectory = repositoryRoot.appendingPathComponent("Configs")

    static func seed(_ name: String) -> String { seedsDirectory.appendingPathComponent(name).path }

    static var seedFiles: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: seedsDirectory.path))?
            .filter { $0.hasSuffix(".conf") }.sorted() ?? []
    }

    static var configFiles: [String] {
        guard let walker = FileManager.default.enumerator(atPath: configsDirectory.path) else { return [] }
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".conf") }.sorted()
    }

    static func load(_ path: String) -> ConfigLoadResult { ConfigLoader.load(path: path) }

    /// Parses text named "t.conf"; diagnostics then read "t.conf:LINE:COLUMN: ...". The config id is fixed, so
    /// `@ID` lines do not depend on the machine's name.
    static func parse(_ text: String, files: [String: String] = [:], configID: String = "node") -> ConfigLoadResult {
        ConfigLoader.parse(text, name: "t.conf", configID: configID, source: InMemoryConfigSource(files))
    }
}

extension ConfigLoadResult {
    /// The diagnostics as printed, for assertions that read like the tool's output.
    var printed: [String] { diagnostics.map(\.description) }

    func has(_ severity: DiagnosticSeverity, at line: Int, _ column: Int, containing text: String) -> Bool {
        diagnostics.contains {
            $0.severity == severity && $0.location.line == line && $0.location.column == column && $0.message.contains(text)
        }
    }
}
