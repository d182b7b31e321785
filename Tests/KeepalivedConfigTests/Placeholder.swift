import Testing
@testable import KeepalivedConfig

@Test func moduleLinks() { #expect(Bool(true)) }
