import Testing
@testable import KeepalivedConfig

/// The gratuitous ARP / NA keywords as keepalived 2.2.7 reads them: global_defs' `vrrp_garp_*` as the defaults an
/// instance starts from when it is read, the instance's own, `garp_group`, and the lower/higher priority options.
@Suite struct GratuitousConfigTests {
    @Test func globalMasterTimingIsWhatLaterInstancesStartFrom() throws {
        let globals = """
            global_defs {
                vrrp_garp_master_delay 2
                vrrp_garp_master_repeat 3
                vrrp_garp_master_refresh 30
                vrrp_garp_master_refresh_repeat 4
            }

            """
        let after = try onlyInstance(Fixtures.parse(globals + instanceText("")))
        #expect(after.garpMaster.delay == .seconds(2) && after.garpMaster.repeatCount == 3)
        #expect(after.garpMaster.refresh == .seconds(30) && after.garpMaster.refreshRepeatCount == 4)
        // keepalived copies the globals when it reads the vrrp_instance line: a later global_defs changes nothing.
        let before = try onlyInstance(Fixtures.parse(instanceText("") + globals))
        #expect(before.garpMaster == GARPMasterTiming())
        // The instance's own keywords win.
        let own = try onlyInstance(Fixtures.parse(globals + instanceText("    garp_master_repeat 7\n    garp_master_delay 0\n")))
        #expect(own.garpMaster.repeatCount == 7 && own.garpMaster.delay == .zero && own.garpMaster.refresh == .seconds(30))
    }

    @Test func lowerPriorityDefaultsComeFromTheGlobalsNotFromTheInstance() throws {
        let plain = try #require(Fixtures.parse(instanceText("    garp_master_repeat 2\n")).configuration)
        let instance = plain.vrrpInstances[0]
        // Unset everywhere: the global vrrp_garp_master_repeat / _delay (5, 5 s), not the instance's 2.
        #expect(instance.garpLowerPriorityRepeat(plain.global) == 5)
        #expect(instance.garpLowerPriorityDelay(plain.global) == .seconds(5))
        // higher_prio_send_advert is on unless turned off: tandem's default, for split-brain healing (SplitBrainTests).
        #expect(!instance.lowerPriorityNoAdvert(plain.global) && instance.higherPrioritySendAdvert(plain.global))

        let text = """
            global_defs {
                vrrp_garp_lower_prio_repeat 1
                vrrp_garp_lower_prio_delay 9
                vrrp_lower_prio_no_advert
                vrrp_higher_prio_send_advert false
            }

            """
        let global = try #require(Fixtures.parse(text + instanceText("")).configuration)
        #expect(global.vrrpInstances[0].garpLowerPriorityRepeat(global.global) == 1)
        #expect(global.vrrpInstances[0].garpLowerPriorityDelay(global.global) == .seconds(9))
        #expect(global.vrrpInstances[0].lowerPriorityNoAdvert(global.global))
        #expect(!global.vrrpInstances[0].higherPrioritySendAdvert(global.global))

        let own = try #require(Fixtures.parse(text + instanceText("""
                garp_lower_prio_repeat 0
                garp_lower_prio_delay 3
                lower_prio_no_advert false
                higher_prio_send_advert

            """)).configuration)
        let i = own.vrrpInstances[0]
        #expect(i.garpLowerPriorityRepeat(own.global) == 0 && i.garpLowerPriorityDelay(own.global) == .seconds(3))
        #expect(!i.lowerPriorityNoAdvert(own.global) && i.higherPrioritySendAdvert(own.global))
    }

    @Test func aRepeatOfZeroBecomesOneWithAWarningAsInKeepalived() throws {
        let result = Fixtures.parse("global_defs {\n    vrrp_garp_master_repeat 0\n}\n" + instanceText("    garp_master_refresh_repeat 0\n"))
        let instance = try onlyInstance(result)
        #expect(instance.garpMaster.repeatCount == 1 && instance.garpMaster.refreshRepeatCount == 1)
        #expect(result.has(.warning, at: 2, 29, containing: "must be greater than 0; 1 is used"), "\(result.printed)")
        #expect(result.has(.warning, at: 7, 32, containing: "must be greater than 0; 1 is used"), "\(result.printed)")
    }

    @Test func minGarpChangesOnlyWhatIsStillAtItsDefault() throws {
        let result = Fixtures.parse("global_defs {\n    vrrp_garp_master_delay 3\n    vrrp_min_garp\n}\n" + instanceText(""))
        let global = try #require(result.configuration).global
        #expect(global.garpMaster.repeatCount == 1 && global.garpMaster.refreshRepeatCount == 0)
        #expect(global.garpMaster.delay == .seconds(3) && global.garpMaster.refresh == .zero)
        let off = try #require(Fixtures.parse("global_defs {\n    vrrp_min_garp false\n}\n").configuration).global
        #expect(off.garpMaster == GARPMasterTiming())
    }

    @Test func intervalsPerInterfaceFromGarpGroupElseTheGlobals() throws {
        let text = """
            global_defs {
                vrrp_garp_interval 0.001
                vrrp_gna_interval 0.25
            }
            garp_group {
                garp_interval 0.5
                interfaces {
                    eth1
                    eth2
                }
            }
            garp_group {
                gna_interval 0.01
                interface eth2
                interface eth3
            }

            """
        let result = Fixtures.parse(text + instanceText(""))
        let config = try #require(result.configuration, "\(result.printed)")
        let spacing = AnnouncementSpacing(config)
        #expect(spacing.interval(on: "eth0", for: .ipv4) == .milliseconds(1))
        #expect(spacing.interval(on: "eth0", for: .ipv6) == .milliseconds(250))
        #expect(spacing.interval(on: "eth1", for: .ipv4) == .milliseconds(500))
        // A group without gna_interval leaves NAs on its interfaces unspaced (keepalived's garp_delay_t).
        #expect(spacing.interval(on: "eth1", for: .ipv6) == .zero)
        // eth2 is in the first group already: the second is ignored for it, with a warning, as keepalived does.
        #expect(spacing.interval(on: "eth2", for: .ipv4) == .milliseconds(500))
        #expect(spacing.interval(on: "eth3", for: .ipv6) == .milliseconds(10))
        #expect(result.has(.warning, at: 12, 1, containing: "garp_group already specified for eth2"), "\(result.printed)")
    }

    @Test func malformedValuesAreErrorsAtTheirToken() {
        let result = Fixtures.parse("""
            global_defs {
                vrrp_garp_interval 0
                vrrp_gna_interval x
                vrrp_garp_master_delay 1.5
                vrrp_lower_prio_no_advert maybe
            }
            garp_group {
                garp_interval -1
            }

            """ + instanceText("    garp_lower_prio_repeat -2\n"))
        #expect(result.configuration == nil)
        #expect(result.has(.error, at: 2, 24, containing: "vrrp_garp_interval must be more than 0"), "\(result.printed)")
        #expect(result.has(.error, at: 3, 23, containing: "vrrp_gna_interval must be a number of seconds"))
        #expect(result.has(.error, at: 4, 28, containing: "vrrp_garp_master_delay must be a whole number"))
        #expect(result.has(.error, at: 5, 31, containing: "takes yes or no"))
        #expect(result.has(.error, at: 8, 19, containing: "garp_interval must be a number of seconds"))
        #expect(result.has(.error, at: 13, 28, containing: "garp_lower_prio_repeat -2 is outside"))
    }
}
