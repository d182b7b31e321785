import Testing
@testable import Platform

@Test func moduleLinks() { #expect(Bool(true)) }
