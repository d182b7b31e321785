import Testing
@testable import VRRP

@Test func moduleLinks() { #expect(Bool(true)) }
