import Testing
@testable import KeepalivedConfig

/// track_script and track_interface lists (weights, `reverse`), dont_track_primary, and keepalived's rules for
/// the own interface, address owners and sync groups.
@Suite struct TrackingConfigTests {
    // MARK: track_script

    @Test func trackScriptReverseAndNoreverseAreKept() throws {
        let text = "vrrp_script chk {\n    script /bin/true\n    weight 10 reverse\n}\n" + instanceText("""
            track_script {
                chk weight 20 reverse
            }

        """)
        let instance = try onlyInstance(Fixtures.parse(text))
        #expect(instance.trackScripts.map(\.name) == ["chk"])
        #expect(instance.trackScripts[0].weight == 20 && instance.trackScripts[0].reverse == true)
        #expect(try #require(Fixtures.parse(text).configuration?.vrrpScript(named: "chk")).weightReversed)

        let overridden = try onlyInstance(Fixtures.parse(text.replacingOccurrences(of: "chk weight 20 reverse", with: "chk weight 20 noreverse")))
        #expect(overridden.trackScripts[0].reverse == false)
        let inherited = try onlyInstance(Fixtures.parse(text.replacingOccurrences(of: "chk weight 20 reverse", with: "chk")))
        #expect(inherited.trackScripts[0].weight == nil && inherited.trackScripts[0].reverse == nil)
    }

    @Test func malformedTrackEntriesAreErrorsWithTheirLocation() {
        let scripts = "vrrp_script a {\n script /bin/true\n}\nvrrp_script b {\n script /bin/true\n}\nvrrp_script c {\n script /bin/true\n}\n"
        // The instance starts on line 10, so track_script's entries are on lines 14-17 and track_interface's on 20-21.
        let result = Fixtures.parse(scripts + instanceText("""
            track_script {
                a reverse
                b weight
                c weight abc
                a weight 300
            }
            track_interface {
                eth1 weight
                weight 10
            }

        """))
        #expect(result.has(.error, at: 14, 11, containing: "'reverse' needs a weight before it"), "\(result.printed)")
        #expect(result.has(.error, at: 15, 11, containing: "track_script b: weight needs a number"))
        #expect(result.has(.error, at: 16, 18, containing: "weight of c must be a whole number, not 'abc'"))
        #expect(result.has(.error, at: 17, 18, containing: "weight of a 300 is outside -254–254"))
        #expect(result.has(.error, at: 20, 14, containing: "track_interface eth1: weight needs a number"))
        #expect(result.has(.error, at: 21, 9, containing: "track_interface: 'weight' needs a name before it"))
        #expect(result.configuration == nil)
    }

    @Test func weight254IsTakenAs253AndDuplicatesAreDropped() throws {
        let result = Fixtures.parse(instanceText("""
            track_interface {
                eth1 weight -254
                eth1 weight 10
            }

        """))
        #expect(result.has(.warning, at: 5, 21, containing: "weight -254 is used as -253"), "\(result.printed)")
        #expect(result.has(.warning, at: 6, 9, containing: "duplicate track_interface eth1"))
        let instance = try onlyInstance(result)
        #expect(instance.trackInterfaces.map(\.weight) == [-253])
    }

    // MARK: track_interface and dont_track_primary

    @Test func trackInterfaceEntriesWithWeightsAndReverse() throws {
        let instance = try onlyInstance(Fixtures.parse(instanceText("""
            dont_track_primary
            track_interface {
                eth1
                eth2 weight -20
                eth3 weight 30 reverse
                eth4 eth5
            }

        """)))
        #expect(instance.dontTrackPrimary)
        #expect(instance.trackInterfaces.map(\.name) == ["eth1", "eth2", "eth3", "eth4", "eth5"])
        #expect(instance.trackInterfaces.map(\.weight) == [0, -20, 30, 0, 0])
        #expect(instance.trackInterfaces.map(\.reverse) == [false, false, true, false, false])
    }

    @Test func theOwnInterfaceIsNotATrackInterfaceEntry() throws {
        let result = Fixtures.parse(instanceText("    track_interface {\n        eth0 weight 10\n        eth1\n    }\n"))
        #expect(result.has(.warning, at: 5, 9, containing: "track_interface eth0 is its own interface"), "\(result.printed)")
        #expect(try onlyInstance(result).trackInterfaces.map(\.name) == ["eth1"])
    }

    @Test func dontTrackPrimaryAtTopLevelSaysWhereItBelongs() {
        let result = Fixtures.parse("global_defs {\n    dont_track_primary\n}\n")
        #expect(result.has(.warning, at: 2, 5, containing: "only inside a vrrp_instance"), "\(result.printed)")
    }

    static let syncGroup = """
    vrrp_script chk {
        script /bin/true
        weight -30
    }
    vrrp_sync_group G {
        group {
            VI_1
            VI_2
        }
        track_interface {
            eth9 weight -40 reverse
        }
        track_script {
            chk
        }
    }

    """

    @Test func aSyncGroupsTrackingBecomesEveryMembers() throws {
        let text = Self.syncGroup
            + instanceText("    priority 150\n    track_interface {\n        eth1 weight -10\n    }\n    track_script {\n        chk weight -5\n    }\n")
            + instanceText("    priority 100\n", name: "VI_2", vrid: 52)
        let result = Fixtures.parse(text)
        let config = try #require(result.configuration, "\(result.printed)")
        let one = try #require(config.vrrpInstance(named: "VI_1")), two = try #require(config.vrrpInstance(named: "VI_2"))
        // Without sync_group_tracking_weight a member's own weighted interface faults instead, its weighted script goes.
        #expect(result.has(.warning, at: 22, 9, containing: "the weight of track_interface eth1 is ignored because it is in vrrp_sync_group G"), "\(result.printed)")
        #expect(result.has(.warning, at: 25, 9, containing: "weighted track_script chk is ignored"))
        #expect(one.trackInterfaces.map(\.name) == ["eth1", "eth9"] && one.trackInterfaces.map(\.weight) == [0, -40])
        #expect(two.trackInterfaces.map(\.name) == ["eth9"] && two.trackInterfaces[0].reverse && two.trackInterfaces[0].fromSyncGroup)
        #expect(one.trackScripts.map(\.name) == ["chk"] && one.trackScripts[0].fromSyncGroup)
        #expect(two.trackScripts.map(\.name) == ["chk"])

        let weighted = Fixtures.parse(text.replacingOccurrences(of: "    group {", with: "    sync_group_tracking_weight\n    group {"))
        let kept = try #require(weighted.configuration?.vrrpInstance(named: "VI_1"), "\(weighted.printed)")
        #expect(kept.trackInterfaces.map(\.weight) == [-10, -40])
        // The script is on the instance and on the group: the group's weight wins over a weighted instance entry.
        #expect(kept.trackScripts.count == 1 && kept.trackScripts[0].weight == -30 && kept.trackScripts[0].fromSyncGroup == false)
    }

    @Test func anAddressOwnerMemberTurnsTheGroupsWeightsIntoFaults() throws {
        let text = Self.syncGroup + instanceText("    priority 255\n    track_interface {\n        eth1 weight 10\n    }\n")
            + instanceText("    priority 100\n", name: "VI_2", vrid: 52)
        let result = Fixtures.parse(text)
        let owner = try #require(result.configuration?.vrrpInstance(named: "VI_1"), "\(result.printed)")
        #expect(result.has(.warning, at: 11, 9, containing: "a member is an address owner"), "\(result.printed)")
        #expect(owner.trackInterfaces.map(\.name) == ["eth1", "eth9"] && owner.trackInterfaces.map(\.weight) == [0, 0])
        #expect(try #require(result.configuration?.vrrpInstance(named: "VI_2")).trackScripts.map(\.weight) == [0])

        let alone = Fixtures.parse(instanceText("    priority 255\n    track_interface {\n        eth1 weight 10\n        eth2\n    }\n"))
        #expect(alone.has(.warning, at: 6, 9, containing: "weighted track_interface eth1 is ignored because an address owner"), "\(alone.printed)")
        #expect(try onlyInstance(alone).trackInterfaces.map(\.name) == ["eth2"])
    }
}
