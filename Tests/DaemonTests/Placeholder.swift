import Testing
@testable import DaemonKit

@Test func moduleLinks() { #expect(Bool(true)) }
