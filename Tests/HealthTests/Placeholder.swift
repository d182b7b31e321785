import Testing
@testable import Health

@Test func moduleLinks() { #expect(Bool(true)) }
