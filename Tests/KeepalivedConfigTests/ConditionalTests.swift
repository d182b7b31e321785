import Testing
@testable import KeepalivedConfig

/// `@ID` and `@^ID` lines, by keepalived.conf(5)'s "Conditional configuration and configuration id".
@Suite struct ConditionalTests {
    /// keepalived.conf(5)'s example.
    static let twoNodes = """
    global_defs {
        @main   router_id main_router
        @backup router_id backup_router
    }
    vrrp_instance VRRP {
        interface eth0
        virtual_router_id 1
        @main    unicast_src_ip 1.2.3.4
        @backup  unicast_src_ip 1.2.3.5
        @backup2 unicast_src_ip 1.2.3.6
        unicast_peer {
            @^main    1.2.3.4
            @^backup  1.2.3.5
            @^backup2 1.2.3.6
        }
    }

    """

    @Test(arguments: [
        ("main", "main_router", "1.2.3.4", ["1.2.3.5", "1.2.3.6"]),
        ("backup", "backup_router", "1.2.3.5", ["1.2.3.4", "1.2.3.6"]),
        ("backup2", nil, "1.2.3.6", ["1.2.3.4", "1.2.3.5"]),
        ("other", nil, nil, ["1.2.3.4", "1.2.3.5", "1.2.3.6"]),
    ])
    func linesApplyByConfigID(_ id: String, _ routerID: String?, _ source: String?, _ peers: [String]) throws {
        let result = Fixtures.parse(Self.twoNodes, configID: id)
        let config = try #require(result.configuration, "\(result.printed)")
        #expect(config.global.routerID == routerID)
        let instance = try #require(config.vrrpInstances.first)
        #expect(instance.sourceIP?.description == source)
        #expect(instance.unicastPeers.map(\.description) == peers)
    }

    @Test func theConditionIsTheWholeWordAndATabMayFollowIt() throws {
        let text = "global_defs {\n  @main\trouter_id tab\n  @mai router_id prefix\n  @mainx router_id longer\n}\n"
        #expect(Fixtures.parse(text, configID: "main").configuration?.global.routerID == "tab")
    }

    @Test func aConditionWithNothingAfterItDoesNothing() {
        let result = Fixtures.parse("global_defs {\n  @main\n}\n", configID: "main")
        #expect(result.has(.warning, at: 2, 3, containing: "nothing follows @main"), "\(result.printed)")
        #expect(result.configuration != nil)
    }

    /// keepalived.conf(5): definitions work with conditions, and a definition may stand for a condition.
    @Test func conditionalDefinitions() {
        let text = "@main $PRIORITY=240\n@backup $PRIORITY=200\n$IF_MAIN=@main\n" + instanceHead
            + " priority $PRIORITY\n $IF_MAIN advert_int 3\n}\n"
        expectSameModel(text, as: instanceHead + " priority 240\n advert_int 3\n}\n", configID: "main")
        expectSameModel(text, as: instanceHead + " priority 200\n}\n", configID: "backup")
    }

    @Test func conditionsInsideAMultiLineDefinitionApplyWhereItIsUsed() {
        let text = "$BODY= \\\n @main priority 130 \\\n @^main priority 120\n" + instanceHead + " $BODY\n}\n"
        expectSameModel(text, as: instanceHead + " priority 130\n}\n", configID: "main")
        expectSameModel(text, as: instanceHead + " priority 120\n}\n", configID: "backup")
    }

    @Test func theConfigIDIsPredefined() {
        expectSameModel("global_defs {\n router_id lb-${_INSTANCE}\n}\n", as: "global_defs {\n router_id lb-lb02\n}\n", configID: "lb02")
    }

    /// keepalived's default config id is the host name up to its first dot.
    @Test func withoutAConfigIDTheHostNameIsUsed() throws {
        let host = ConfigLoader.hostConfigID
        #expect(!host.isEmpty && !host.contains("."))
        let result = ConfigLoader.parse("global_defs {\n @\(host) router_id mine\n @^\(host) router_id others\n}\n")
        #expect(result.configuration?.global.routerID == "mine", "\(result.printed)")
    }

    @Test func aConditionalIncludeIsReadOnceWithAWarning() throws {
        let files = ["/k/main.conf": "vrrp_script m {\n script /bin/true\n}\n"]
        let text = "@main include /k/main.conf\n@^main include /k/missing.conf\n"
        let result = Fixtures.parse(text, files: files, configID: "main")
        let config = try #require(result.configuration, "\(result.printed)")
        #expect(config.vrrpScripts.map(\.name) == ["m"])
        #expect(result.has(.warning, at: 1, 7, containing: "keepalived 2.2.7 reads a file included by a line that is conditional"),
                "\(result.printed)")
        #expect(Fixtures.parse(text, files: files, configID: "other").has(.error, at: 2, 16, containing: "cannot open /k/missing.conf"))
    }
}
