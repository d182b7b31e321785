import Testing
@testable import KeepalivedConfig

/// What keepalived 2.2.7 makes of a missing `priority` or `state`, and `auth_type AH`, which tandem refuses.
@Suite struct PriorityAndAuthenticationConfigTests {
    // MARK: priority and state defaults (vrrp_complete_instance)

    @Test func stateMasterWithoutPriorityIsTheAddressOwner() throws {
        let master = try onlyInstance(Fixtures.parse(instanceText("    state MASTER\n")))
        #expect(master.priority == nil && master.basePriority == 255 && master.startState == .master)
        let backup = try onlyInstance(Fixtures.parse(instanceText("    state BACKUP\n")))
        #expect(backup.basePriority == 100 && backup.startState == .backup)
        let neither = try onlyInstance(Fixtures.parse(instanceText("")))
        #expect(neither.basePriority == 100 && neither.startState == .backup)
    }

    @Test func priority255WithoutStateStartsAsMaster() throws {
        let owner = try onlyInstance(Fixtures.parse(instanceText("    priority 255\n")))
        #expect(owner.startState == .master)
        let other = try onlyInstance(Fixtures.parse(instanceText("    priority 254\n")))
        #expect(other.startState == .backup)
        let explicit = try onlyInstance(Fixtures.parse(instanceText("    state MASTER\n    priority 150\n")))
        #expect(explicit.basePriority == 150 && explicit.startState == .master)
    }

    @Test func aLaterBackupDoesNotUndoMaster() throws {
        let result = Fixtures.parse(instanceText("    state MASTER\n    state BACKUP\n"))
        #expect(result.has(.warning, at: 5, 11, containing: "already set to MASTER"), "\(result.printed)")
        #expect(try onlyInstance(result).startState == .master)
    }

    // MARK: auth_type AH

    @Test func authTypeAHIsRefusedWhereItIsWritten() {
        let result = Fixtures.parse(instanceText("    authentication {\n        auth_type AH\n        auth_pass secret\n    }\n"))
        #expect(result.has(.error, at: 5, 19, containing: "auth_type AH is not supported"), "\(result.printed)")
        #expect(result.has(.error, at: 5, 19, containing: "use auth_type PASS or no authentication"))
        #expect(result.configuration(for: [.vrrp]) == nil, "vrrpd must not start on it")
    }

    @Test func authTypeAHOnOneLineIsRefusedToo() {
        let result = Fixtures.parse(instanceText("    authentication { auth_type AH auth_pass secret }\n"))
        #expect(result.has(.error, at: 4, 32, containing: "auth_type AH is not supported"), "\(result.printed)")
    }

    /// keepalived drops every kind of authentication for VRRPv3, AH included, and runs on.
    @Test func authTypeAHWithVersion3IsIgnoredAsKeepalivedDoes() throws {
        let result = Fixtures.parse(instanceText("    version 3\n    authentication {\n        auth_type AH\n        auth_pass secret\n    }\n"))
        #expect(result.errors.isEmpty, "\(result.printed)")
        #expect(result.has(.warning, at: 1, 1, containing: "version 3 has no authentication"))
        #expect(try onlyInstance(result).authentication == ConfiguredAuthentication.none)
    }
}
