import Foundation

/// A fresh directory under /tmp, removed with everything in it when the test is done with it. The name is short
/// because Unix socket paths inside it must fit in sun_path; the mode lets a test's unprivileged daemon read it.
public final class TemporaryDirectory {
    public let url: URL
    public var path: String { url.path }

    public init() throws {
        url = URL(fileURLWithPath: "/tmp").appendingPathComponent("tandem-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
    }

    public func file(_ name: String) -> URL { url.appendingPathComponent(name) }
    public func path(_ name: String) -> String { file(name).path }

    /// Writes `text` to `name` with `mode`; returns its path.
    @discardableResult
    public func write(_ name: String, _ text: String, mode: Int = 0o644) throws -> String {
        let target = path(name)
        try text.write(toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: target)
        return target
    }

    /// Removes the directory now (it is also removed when the last reference goes).
    public func remove() { try? FileManager.default.removeItem(at: url) }

    deinit { remove() }
}

/// A failure of the test fixtures themselves (a backend that did not start, a lab command that failed).
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
