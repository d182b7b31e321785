import Foundation
import TestSupport
import Testing
import Vocabulary
@testable import tandemctl

/// `tandemctl realserver`: its planner, and the built command in network namespaces. One namespace for both, so
/// `swift test --filter RealserverTests` runs them all.
enum RealserverTests {}

extension RealserverTests {
    /// The planner: what `up` and `down` change given what is there and what `up` recorded.
    @Suite struct Planner {
        static let vips = ["192.0.2.93", "198.51.100.118", "2001:db8::5"].map { IPAddress($0)! }
        static let drSysctls = [Sysctl("all", "arp_ignore"), Sysctl("all", "arp_announce"),
                                Sysctl("lo", "arp_ignore"), Sysctl("lo", "arp_announce")]

        /// A fresh network namespace: lo down, no addresses, every sysctl 0.
        static func fresh(_ devices: [String] = ["lo"]) -> RealserverObservation {
            var observed = RealserverObservation()
            for device in devices {
                observed.devices[device] = .init(up: false, addresses: [:])
                for key in ["arp_ignore", "arp_announce", "rp_filter"] { observed.sysctls[Sysctl(device, key)] = 0 }
            }
            for key in ["arp_ignore", "arp_announce", "rp_filter"] { observed.sysctls[Sysctl("all", key)] = 0 }
            return observed
        }

        /// What the kernel has after `plan`'s actions.
        static func applying(_ plan: RealserverPlan, to observed: RealserverObservation) -> RealserverObservation {
            var after = observed
            for action in plan.actions {
                switch action {
                case .bringUp(let device): after.devices[device]?.up = true
                case .bringDown(let device): after.devices[device]?.up = false
                case .addAddress(let address, let length, let device): after.devices[device]?.addresses[address] = length
                case .removeAddress(let address, _, let device): after.devices[device]?.addresses[address] = nil
                case .setSysctl(let sysctl, let value, _): after.sysctls[sysctl] = value
                }
            }
            return after
        }

        @Test func upOnAFreshNodeBringsLoUpAddsEachVIPAsAHostAddressAndSetsTheARPSysctls() {
            let plan = RealserverPlan.up(Self.vips, setup: RealserverSetup(), observed: Self.fresh(), state: RealserverState())
            #expect(plan.errors.isEmpty)
            #expect(plan.actions == [
                .bringUp("lo"),
                .addAddress(Self.vips[0], prefixLength: 32, device: "lo"),
                .addAddress(Self.vips[1], prefixLength: 32, device: "lo"),
                .addAddress(Self.vips[2], prefixLength: 128, device: "lo"),
                .setSysctl(Sysctl("all", "arp_ignore"), 1, was: 0), .setSysctl(Sysctl("all", "arp_announce"), 2, was: 0),
                .setSysctl(Sysctl("lo", "arp_ignore"), 1, was: 0), .setSysctl(Sysctl("lo", "arp_announce"), 2, was: 0),
            ])
            #expect(plan.state.vips.map(\.address) == ["192.0.2.93", "198.51.100.118", "2001:db8::5"])
            #expect(plan.state.sysctls.map(\.sysctl) == Self.drSysctls)
            #expect(plan.state.sysctls.allSatisfy { $0.previous == 0 })
            #expect(plan.state.broughtUp == ["lo"])
        }

        @Test func upTwiceChangesNothingTheSecondTimeAndSaysWhatIsAlreadySo() {
            let first = RealserverPlan.up(Self.vips, setup: RealserverSetup(), observed: Self.fresh(), state: RealserverState())
            let after = Self.applying(first, to: Self.fresh())
            let second = RealserverPlan.up(Self.vips, setup: RealserverSetup(), observed: after, state: first.state)
            #expect(second.actions.isEmpty)
            #expect(second.state == first.state, "the values before the first up stay the ones to restore")
            #expect(second.unchanged.contains("192.0.2.93/32 is already on lo"))
            #expect(second.unchanged.contains("net.ipv4.conf.all.arp_ignore is already 1"))
        }

        @Test func aVIPAlreadyOnLoAtAnotherPrefixLengthIsLeftAndRecordedAsItIs() {
            var observed = Self.fresh()
            observed.devices["lo"]?.up = true
            observed.devices["lo"]?.addresses[Self.vips[0]] = 24
            let plan = RealserverPlan.up([Self.vips[0]], setup: RealserverSetup(), observed: observed, state: RealserverState())
            #expect(!plan.actions.contains { if case .addAddress = $0 { return true }; return false })
            #expect(plan.state.vips == [.init(address: "192.0.2.93", device: "lo", prefixLength: 24)])
            #expect(plan.state.broughtUp.isEmpty)
        }

        @Test func ipv6VIPsAloneNeedNoIPv4Sysctls() {
            let plan = RealserverPlan.up([Self.vips[2]], setup: RealserverSetup(), observed: Self.fresh(), state: RealserverState())
            #expect(plan.actions == [.bringUp("lo"), .addAddress(Self.vips[2], prefixLength: 128, device: "lo")])
            #expect(plan.state.sysctls.isEmpty)
        }

        @Test func tunnelPutsEachFamilyOnItsTunnelDeviceAndTurnsRpFilterOff() {
            let observed = Self.fresh(["lo", "tunl0", "ip6tnl0"])
            let plan = RealserverPlan.up(Self.vips, setup: RealserverSetup(tunnel: true), observed: observed, state: RealserverState())
            #expect(plan.errors.isEmpty)
            #expect(plan.actions.prefix(5) == [
                .bringUp("tunl0"),
                .addAddress(Self.vips[0], prefixLength: 32, device: "tunl0"),
                .addAddress(Self.vips[1], prefixLength: 32, device: "tunl0"),
                .bringUp("ip6tnl0"),
                .addAddress(Self.vips[2], prefixLength: 128, device: "ip6tnl0"),
            ])
            let sysctls = plan.actions.compactMap { action -> String? in
                if case .setSysctl(let sysctl, let value, _) = action { return "\(sysctl)=\(value)" }
                return nil
            }
            // rp_filter is already 0 in the fresh namespace: nothing to set or restore for it.
            #expect(sysctls == ["net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2",
                                "net.ipv4.conf.tunl0.arp_ignore=1", "net.ipv4.conf.tunl0.arp_announce=2"])
            #expect(plan.unchanged.contains("net.ipv4.conf.all.rp_filter is already 0"))
            var strict = observed
            strict.sysctls[Sysctl("all", "rp_filter")] = 1
            let again = RealserverPlan.up([Self.vips[0]], setup: RealserverSetup(tunnel: true), observed: strict, state: RealserverState())
            #expect(again.actions.contains(.setSysctl(Sysctl("all", "rp_filter"), 0, was: 1)))
            #expect(again.state.sysctls.contains(.init(device: "all", key: "rp_filter", previous: 1, set: 0)))
        }

        @Test func aMissingTunnelDeviceChangesNothingAndNamesItsModule() {
            let plan = RealserverPlan.up([Self.vips[0]], setup: RealserverSetup(tunnel: true), observed: Self.fresh(),
                                         state: RealserverState())
            #expect(plan.actions.isEmpty)
            #expect(plan.errors == ["tunl0 does not exist (it comes with the kernel module ipip; loading it did not create it)"])
            #expect(plan.state == RealserverState())
            #expect(RealserverSetup.module(creating: "ip6tnl0") == "ip6_tunnel")
        }

        @Test func interfaceNamesTheDeviceForBothFamilies() {
            let setup = RealserverSetup(interface: "dummy0")
            #expect(setup.device(for: .ipv4) == "dummy0" && setup.device(for: .ipv6) == "dummy0")
            #expect(setup.sysctls(hasIPv4: true).map(\.0.description).contains("net.ipv4.conf.dummy0.arp_ignore"))
            #expect(Sysctl("eth0.100", "arp_ignore").path == "/proc/sys/net/ipv4/conf/eth0.100/arp_ignore")
        }

        @Test func downKeepsTheSysctlsWhileAVIPUpRecordedIsLeft() {
            let up = RealserverPlan.up(Self.vips, setup: RealserverSetup(), observed: Self.fresh(), state: RealserverState())
            let after = Self.applying(up, to: Self.fresh())
            let plan = RealserverPlan.down([Self.vips[0]], setup: RealserverSetup(), observed: after, state: up.state)
            #expect(plan.actions == [.removeAddress(Self.vips[0], prefixLength: 32, device: "lo")])
            #expect(plan.state.vips.map(\.address) == ["198.51.100.118", "2001:db8::5"])
            #expect(plan.state.sysctls == up.state.sysctls)
        }

        @Test func downOfTheLastVIPRestoresWhatUpChangedAndNothingElse() {
            var before = Self.fresh()
            before.sysctls[Sysctl("all", "arp_announce")] = 2  // already as wanted: up does not touch it, down neither
            let up = RealserverPlan.up(Self.vips, setup: RealserverSetup(), observed: before, state: RealserverState())
            let after = Self.applying(up, to: before)
            let plan = RealserverPlan.down(Self.vips, setup: RealserverSetup(), observed: after, state: up.state)
            #expect(plan.actions == [
                .removeAddress(Self.vips[0], prefixLength: 32, device: "lo"),
                .removeAddress(Self.vips[1], prefixLength: 32, device: "lo"),
                .removeAddress(Self.vips[2], prefixLength: 128, device: "lo"),
                .setSysctl(Sysctl("all", "arp_ignore"), 0, was: 1),
                .setSysctl(Sysctl("lo", "arp_ignore"), 0, was: 1), .setSysctl(Sysctl("lo", "arp_announce"), 0, was: 2),
                .bringDown("lo"),
            ])
            #expect(plan.state.isEmpty)
            #expect(Self.applying(plan, to: after) == before)
        }

        @Test func anAddressPutOnLoByHandDoesNotHoldTheSysctlsAndIsNotRemoved() {
            var before = Self.fresh()
            before.devices["lo"]?.up = true
            let byHand = IPAddress("192.0.2.200")!
            before.devices["lo"]?.addresses[byHand] = 32
            let up = RealserverPlan.up([Self.vips[0]], setup: RealserverSetup(), observed: before, state: RealserverState())
            let plan = RealserverPlan.down([Self.vips[0]], setup: RealserverSetup(), observed: Self.applying(up, to: before),
                                           state: up.state)
            #expect(plan.actions.contains(.setSysctl(Sysctl("all", "arp_ignore"), 0, was: 1)))
            #expect(!plan.actions.contains { if case .removeAddress(byHand, _, _) = $0 { return true }; return false })
            #expect(!plan.actions.contains(.bringDown("lo")), "lo was up before up")
        }

        @Test func aSysctlChangedSinceUpIsLeftAndSaidSo() {
            let up = RealserverPlan.up([Self.vips[0]], setup: RealserverSetup(), observed: Self.fresh(), state: RealserverState())
            var after = Self.applying(up, to: Self.fresh())
            after.sysctls[Sysctl("all", "arp_ignore")] = 2
            let plan = RealserverPlan.down([Self.vips[0]], setup: RealserverSetup(), observed: after, state: up.state)
            #expect(!plan.actions.contains { if case .setSysctl(Sysctl("all", "arp_ignore"), _, _) = $0 { return true }; return false })
            #expect(plan.unchanged.contains {
                $0.hasPrefix("net.ipv4.conf.all.arp_ignore left at 2: changed since up set it to 1")
            }, "\(plan.unchanged)")
            #expect(plan.actions.contains(.setSysctl(Sysctl("lo", "arp_ignore"), 0, was: 1)))
        }

        @Test func downOfAnAbsentVIPIsNoErrorAndDownUsesTheDeviceUpRecorded() {
            let absent = RealserverPlan.down([Self.vips[0]], setup: RealserverSetup(), observed: Self.fresh(), state: RealserverState())
            #expect(absent.actions.isEmpty && absent.errors.isEmpty)
            #expect(absent.unchanged == ["192.0.2.93 is not on lo"])
            let observed = Self.fresh(["lo", "tunl0"])
            let up = RealserverPlan.up([Self.vips[0]], setup: RealserverSetup(tunnel: true), observed: observed, state: RealserverState())
            let down = RealserverPlan.down([Self.vips[0]], setup: RealserverSetup(), observed: Self.applying(up, to: observed),
                                           state: up.state)
            #expect(down.actions.first == .removeAddress(Self.vips[0], prefixLength: 32, device: "tunl0"))
            #expect(down.actions.last == .bringDown("tunl0"))
        }

        @Test func statusIsOKOnlyWithEveryVIPPresentOnAnUpDeviceAndEverySysctlSet() {
            let up = RealserverPlan.up(Self.vips, setup: RealserverSetup(), observed: Self.fresh(), state: RealserverState())
            let after = Self.applying(up, to: Self.fresh())
            let good = RealserverReport([], setup: RealserverSetup(), observed: after, state: up.state, stateFile: "/s")
            #expect(good.ok && good.problems.isEmpty)
            #expect(good.vips.map(\.address) == ["192.0.2.93", "198.51.100.118", "2001:db8::5"])
            #expect(good.sysctls.map(\.name) == Self.drSysctls.map(\.description))
            #expect(good.restoreOnLastDown.map(\.name) == Self.drSysctls.map(\.description))
            #expect(good.restoreOnLastDown.allSatisfy { $0.previous == 0 })
            var broken = after
            broken.sysctls[Sysctl("lo", "arp_announce")] = 0
            broken.devices["lo"]?.addresses[Self.vips[1]] = nil
            let bad = RealserverReport([Self.vips[0], Self.vips[1], IPAddress("203.0.113.5")!], setup: RealserverSetup(),
                                       observed: broken, state: up.state, stateFile: "/s")
            #expect(!bad.ok)
            #expect(bad.problems == ["198.51.100.118 is not on lo", "203.0.113.5 is not on lo",
                                     "net.ipv4.conf.lo.arp_announce is 0, should be 2"])
            #expect(bad.vips.map(\.recorded) == [true, true, false])
            let nothing = RealserverReport([], setup: RealserverSetup(), observed: Self.fresh(), state: RealserverState(), stateFile: "/s")
            #expect(!nothing.ok && nothing.problems == ["no VIP given and none recorded in /s"])
        }

        @Test func vipsAreAddressesOfEitherFamilyWithoutAPrefixLength() throws {
            #expect(try VIPText.parse(["192.0.2.93", "2001:db8::5", "192.0.2.93"]) == [Self.vips[0], Self.vips[2]])
            for bad in ["192.0.2.93/32", "www.example.com", "192.0.2.256", "224.0.0.18", "::", ""] {
                #expect(throws: (any Error).self, "\(bad)") { try VIPText.parse([bad]) }
            }
        }
    }
}

extension RealserverTests {
    /// The built tandemctl: usage errors anywhere, and the whole cycle inside fresh network namespaces (root
    /// only), where the sysctls are the namespace's own, not the host's.
    @Suite(.serialized) struct Process {
        @Test func aVIPThatIsNotAnAddressIsAUsageError() throws {
            let run = try TandemctlProcessTests.tandemctl(["realserver", "up", "192.0.2.93", "192.0.2.0/24"])
            #expect(run.status == 64, "\(run)")
            #expect(run.standardError.contains("'192.0.2.0/24' is not an IP address"), "\(run.standardError)")
            let none = try TandemctlProcessTests.tandemctl(["realserver", "down"])
            #expect(none.status == 64, "\(none)")
        }

        static func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

        /// A real server on a LAN (eth0 192.0.2.11/24) beside a client (192.0.2.12/24): `up`, `up` again, status,
        /// the client's ARP for the VIP unanswered, `down` leaving the namespace as it found it.
        @Test func upUpStatusDownInANamespace() throws {
            if let reason = NetworkLab.unavailableReason {
                print("skipped: \(reason)")
                return
            }
            let lab = try NetworkLab()  // its namespaces are deleted when it goes, also when an expectation throws
            try lab.addNode("rs", addresses: ["192.0.2.11/24"])
            try lab.addNode("client", addresses: ["192.0.2.12/24"])
            let state = try TemporaryDirectory()
            let tandemctl = DaemonProcess.binary("tandemctl").path
            func realserver(_ arguments: String) -> (status: Int32, output: String) {
                lab.exec("rs", "\(tandemctl) realserver \(arguments) --state-dir \(state.path)")
            }
            func sysctl(_ name: String) -> String {
                lab.exec("rs", "sysctl -n \(name)").output.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            let arpNames = ["all.arp_ignore", "all.arp_announce", "lo.arp_ignore", "lo.arp_announce"].map { "net.ipv4.conf.\($0)" }
            #expect(arpNames.map(sysctl) == ["0", "0", "0", "0"])
            // The control: an address put on lo by hand, with arp_ignore 0, is answered for on eth0.
            try lab.run("ip -n \(lab.namespace("rs")) addr add 192.0.2.94/32 dev lo")
            #expect(Self.clientResolves(lab, "192.0.2.94"), "without the sysctls, the LAN learns a VIP on lo")

            let vips = "192.0.2.93 198.51.100.118 2001:db8::5"
            let up = realserver("up \(vips)")
            #expect(up.status == 0, "\(up.output)")
            #expect(up.output.contains("added 192.0.2.93/32 on lo") && up.output.contains("added 2001:db8::5/128 on lo"), "\(up.output)")
            let addresses = lab.exec("rs", "ip -o addr show dev lo").output
            for expected in ["inet 192.0.2.93/32", "inet 198.51.100.118/32", "inet6 2001:db8::5/128"] {
                #expect(addresses.contains(expected), "\(addresses)")
            }
            #expect(arpNames.map(sysctl) == ["1", "2", "1", "2"])
            #expect(!Self.clientResolves(lab, "192.0.2.93"), "with arp_ignore 1 the real server does not answer ARP for its VIP")

            let again = realserver("up \(vips)")
            #expect(again.status == 0, "\(again.output)")
            #expect(Self.lines(again.output).last == "nothing to change: already so", "\(again.output)")
            #expect(!again.output.contains("added") && !again.output.contains("set "), "\(again.output)")
            #expect(lab.exec("rs", "ip -o addr show dev lo").output == addresses)

            let status = realserver("status --json")
            #expect(status.status == 0, "\(status.output)")
            let report = try JSONDecoder().decode(RealserverReport.self, from: Data(status.output.utf8))
            #expect(report.schema == "tandem.realserver/1" && report.ok, "\(status.output)")
            #expect(report.vips.map(\.address) == ["192.0.2.93", "198.51.100.118", "2001:db8::5"])
            #expect(report.vips.allSatisfy { $0.present && $0.recorded && $0.device == "lo" })
            #expect(report.sysctls.map(\.value) == [1, 2, 1, 2])
            #expect(realserver("status 192.0.2.93 203.0.113.9").status == 1)

            let partly = realserver("down 192.0.2.93")
            #expect(partly.status == 0 && arpNames.map(sysctl) == ["1", "2", "1", "2"], "\(partly.output)")
            let down = realserver("down \(vips)")
            #expect(down.status == 0, "\(down.output)")
            #expect(down.output.contains("192.0.2.93 is not on lo"), "an absent VIP is not an error: \(down.output)")
            let left = lab.exec("rs", "ip -o addr show dev lo").output
            for gone in ["192.0.2.93", "198.51.100.118", "2001:db8::5"] { #expect(!left.contains(gone), "\(left)") }
            #expect(left.contains("inet 192.0.2.94/32"), "the address put there by hand stays: \(left)")
            #expect(arpNames.map(sysctl) == ["0", "0", "0", "0"])
            #expect(!FileManager.default.fileExists(atPath: state.path("state.json")))
            #expect(realserver("status").status == 1)
        }

        /// A namespace as `ip netns add` makes it, lo down: `up` brings lo up, the last `down` brings it down again.
        @Test func loFoundDownIsBroughtUpAndDownAgain() throws {
            if let reason = NetworkLab.unavailableReason {
                print("skipped: \(reason)")
                return
            }
            let lab = try NetworkLab()
            try lab.addNode("rs", addresses: ["192.0.2.11/24"])
            try lab.run("ip -n \(lab.namespace("rs")) link set dev lo down")
            let state = try TemporaryDirectory()
            let tandemctl = DaemonProcess.binary("tandemctl").path
            func loIsUp() -> Bool { lab.exec("rs", "ip -o link show dev lo").output.contains(",UP") }
            let up = lab.exec("rs", "\(tandemctl) realserver up 192.0.2.93 2001:db8::5 --state-dir \(state.path)")
            #expect(up.status == 0 && Self.lines(up.output).first == "brought lo up", "\(up.output)")
            #expect(loIsUp())
            #expect(lab.exec("rs", "ip -o addr show dev lo").output.contains("inet6 2001:db8::5/128"))
            let down = lab.exec("rs", "\(tandemctl) realserver down 192.0.2.93 2001:db8::5 --state-dir \(state.path)")
            #expect(down.status == 0 && Self.lines(down.output).last == "brought lo down (it was down before up)", "\(down.output)")
            #expect(!loIsUp())
        }

        /// Without CAP_NET_ADMIN (here as nobody, in a lab namespace) `up` fails with exit 1 and says to run it as root.
        @Test func withoutPrivilegeUpSaysItNeedsRoot() throws {
            if let reason = NetworkLab.unavailableReason {
                print("skipped: \(reason)")
                return
            }
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
                print("skipped: needs setpriv (util-linux) to drop privilege")
                return
            }
            let lab = try NetworkLab()
            try lab.addNode("rs", addresses: ["192.0.2.11/24"])
            let state = try TemporaryDirectory()
            try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: state.path)
            let tandemctl = DaemonProcess.binary("tandemctl").path
            let run = lab.exec("rs", "setpriv --reuid=65534 --regid=65534 --clear-groups \(tandemctl) realserver up 192.0.2.95 --state-dir \(state.path)")
            #expect(run.status == 1, "\(run.output)")
            #expect(run.output.contains("cannot add 192.0.2.95/32: Operation not permitted: run it as root (it needs CAP_NET_ADMIN)"),
                    "\(run.output)")
            #expect(!lab.exec("rs", "ip -o addr show dev lo").output.contains("192.0.2.95"))
            let locked = lab.exec("rs", "setpriv --reuid=65534 --regid=65534 --clear-groups \(tandemctl) realserver down 192.0.2.95")
            #expect(locked.status == 1 && locked.output.contains("run it as root"), "the default state dir is root's: \(locked.output)")
        }

        /// LVS-TUN: on a kernel with ipip, the VIP on tunl0 with rp_filter 0; without it, a clear error and no change.
        @Test func tunnelInANamespace() throws {
            if let reason = NetworkLab.unavailableReason {
                print("skipped: \(reason)")
                return
            }
            let lab = try NetworkLab()
            try lab.addNode("rs", addresses: ["192.0.2.11/24"])
            let state = try TemporaryDirectory()
            let tandemctl = DaemonProcess.binary("tandemctl").path
            let up = lab.exec("rs", "\(tandemctl) realserver up --tunnel 203.0.113.7 --state-dir \(state.path)")
            guard lab.exec("rs", "ip link show dev tunl0").status == 0 else {
                print("tunnel: this kernel has no ipip (no tunl0); checking the refusal only")
                #expect(up.status == 1 && up.output.contains("tunl0 does not exist"), "\(up.output)")
                #expect(lab.exec("rs", "sysctl -n net.ipv4.conf.all.arp_ignore").output.hasPrefix("0"), "nothing changed")
                return
            }
            #expect(up.status == 0, "\(up.output)")
            #expect(lab.exec("rs", "ip -o addr show dev tunl0").output.contains("inet 203.0.113.7/32"))
            #expect(lab.exec("rs", "sysctl -n net.ipv4.conf.tunl0.rp_filter").output.hasPrefix("0"))
            let down = lab.exec("rs", "\(tandemctl) realserver down --tunnel 203.0.113.7 --state-dir \(state.path)")
            #expect(down.status == 0, "\(down.output)")
            #expect(!lab.exec("rs", "ip -o addr show dev tunl0").output.contains("203.0.113.7"))
        }

        /// Whether the client learns a link-layer address for `address`: a TCP connection attempt makes it ask (ARP),
        /// and `ip neigh` shows an lladdr only if someone answered.
        static func clientResolves(_ lab: NetworkLab, _ address: String) -> Bool {
            _ = lab.exec("client", "python3 -c 'import socket; s = socket.socket(); s.settimeout(1.5); s.connect_ex((\"\(address)\", 9))'")
            return lab.exec("client", "ip neigh show \(address) dev eth0").output.contains("lladdr")
        }
    }
}
