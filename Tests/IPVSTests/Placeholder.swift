import Testing
@testable import IPVS

@Test func moduleLinks() { #expect(Bool(true)) }
