// The diff on hand-made tables: order, ownership, what counts as a change, scale.
import Testing
@testable import IPVS
import Vocabulary

private let web = IPVSServiceKey.address(.tcp, IPAddress("192.0.2.10")!, port: 80)
private let mail = IPVSServiceKey.address(.tcp, IPAddress("192.0.2.11")!, port: 25)
private let foreign = IPVSServiceKey.address(.udp, IPAddress("192.0.2.99")!, port: 53)

private func dest(_ text: String, _ port: UInt16 = 80, weight: Int32 = 1) -> IPVSDestination {
    IPVSDestination(key: IPVSDestinationKey(address: IPAddress(text)!, port: port), forwarding: .route, weight: weight)
}

@Test func emptyKernelGetsServicesBeforeTheirDestinations() {
    let desired = IPVSTable([
        IPVSVirtualServer(IPVSService(key: mail, scheduler: "rr"), destinations: [dest("198.51.100.2", 25)]),
        IPVSVirtualServer(IPVSService(key: web, scheduler: "wlc"), destinations: [dest("198.51.100.2"), dest("198.51.100.1")]),
    ])
    let ops = reconcile(desired: desired, kernel: IPVSTable(), managed: [])
    #expect(ops == [
        .addService(IPVSService(key: web, scheduler: "wlc")),
        .addDestination(web, dest("198.51.100.1")),
        .addDestination(web, dest("198.51.100.2")),
        .addService(IPVSService(key: mail, scheduler: "rr")),
        .addDestination(mail, dest("198.51.100.2", 25)),
    ])
}

@Test func unmanagedServicesAreNeverTouched() {
    // The kernel holds a service someone else made, with a destination that looks like ours.
    let theirs = IPVSVirtualServer(IPVSService(key: foreign, scheduler: "rr"), destinations: [dest("198.51.100.1", 53)])
    let kernel = IPVSTable([theirs, IPVSVirtualServer(IPVSService(key: mail, scheduler: "rr"))])
    #expect(reconcile(desired: IPVSTable(), kernel: kernel, managed: [web]).isEmpty)
    #expect(reconcile(desired: IPVSTable(), kernel: kernel, managed: [mail]) == [.deleteService(mail)])
}

@Test func settingsChangeIsOneEditAndTheHashedFlagIsNotAChange() {
    var kernelService = IPVSService(key: web, scheduler: "rr", flags: [.hashed])
    let desired = IPVSTable([IPVSVirtualServer(IPVSService(key: web, scheduler: "rr"), destinations: [dest("198.51.100.1")])])
    var kernel = IPVSTable([IPVSVirtualServer(kernelService, destinations: [dest("198.51.100.1")])])
    #expect(reconcile(desired: desired, kernel: kernel, managed: [web]).isEmpty)

    kernelService.scheduler = "sh"
    kernel.servers[web]?.service = kernelService
    #expect(reconcile(desired: desired, kernel: kernel, managed: [web]) == [.editService(IPVSService(key: web, scheduler: "rr"))])
}

@Test func destinationsAreAddedThenEditedThenDeleted() {
    let desired = IPVSTable([IPVSVirtualServer(IPVSService(key: web, scheduler: "rr"),
                                               destinations: [dest("198.51.100.1", weight: 0), dest("198.51.100.3")])])
    let kernel = IPVSTable([IPVSVirtualServer(IPVSService(key: web, scheduler: "rr"),
                                              destinations: [dest("198.51.100.1"), dest("198.51.100.2")])])
    #expect(reconcile(desired: desired, kernel: kernel, managed: []) == [
        .addDestination(web, dest("198.51.100.3")),
        .editDestination(web, dest("198.51.100.1", weight: 0)),
        .deleteDestination(web, dest("198.51.100.2").key),
    ])
}

@Test func aChangedTunnelIsAnEditAndOperationsMapToRequests() {
    var d = dest("198.51.100.1")
    d.forwarding = .tunnel(IPVSTunnel(type: .gue, port: 6080))
    var changed = d
    changed.forwarding = .tunnel(IPVSTunnel(type: .gue, port: 6081))
    let service = IPVSService(key: web, scheduler: "rr")
    let ops = reconcile(desired: IPVSTable([IPVSVirtualServer(service, destinations: [changed])]),
                        kernel: IPVSTable([IPVSVirtualServer(service, destinations: [d])]), managed: [])
    #expect(ops == [.editDestination(web, changed)])
    #expect(ops.map(\.request) == [.setDestination(web, changed)])
    #expect(IPVSOperation.deleteService(web).request == .deleteService(web))
    #expect(IPVSOperation.addService(service).request == .newService(service))
    #expect(ops.first?.description == "edit 198.51.100.1:80 of tcp 192.0.2.10:80")
}

@Test func oneDestinationChangeInTenThousandServicesIsOneOperation() {
    var servers: [IPVSVirtualServer] = []
    for i in 0..<10_000 {
        let vip = IPAddress.v4(0xC000_0200 &+ UInt32(i >> 8) << 16 | UInt32(i & 0xff))
        let key = IPVSServiceKey.address(i % 2 == 0 ? .tcp : .udp, vip, port: UInt16(80 + i % 3))
        servers.append(IPVSVirtualServer(IPVSService(key: key, scheduler: "wlc"),
                                         destinations: (1...4).map { dest("198.51.100.\($0)", 8080, weight: Int32($0)) }))
    }
    let kernel = IPVSTable(servers)
    var desired = kernel
    let target = servers[4321].service.key
    desired.servers[target]?.destinations[dest("198.51.100.3", 8080).key]?.weight = 0
    let managed = Set(kernel.servers.keys)

    let clock = ContinuousClock()
    var ops: [IPVSOperation] = []
    let elapsed = clock.measure { ops = reconcile(desired: desired, kernel: kernel, managed: managed) }
    #expect(ops == [.editDestination(target, dest("198.51.100.3", 8080, weight: 0))])
    print("reconcile of 10000 services x 4 destinations, one change: \(elapsed)")
}

@Test func tableApplyRefusesWhatTheKernelRefuses() {
    var t = IPVSTable()
    let s = IPVSService(key: web, scheduler: "rr")
    #expect(throws: IPVSTableError.noSuchService(web)) { try t.apply(.addDestination(web, dest("198.51.100.1"))) }
    #expect(throws: Never.self) { try t.apply(.addService(s)) }
    #expect(throws: IPVSTableError.serviceExists(web)) { try t.apply(.addService(s)) }
    #expect(throws: Never.self) { try t.apply(.addDestination(web, dest("198.51.100.1"))) }
    #expect(throws: IPVSTableError.destinationExists(web, dest("198.51.100.1").key)) {
        try t.apply(.addDestination(web, dest("198.51.100.1")))
    }
    #expect(throws: IPVSTableError.noSuchDestination(web, dest("198.51.100.2").key)) {
        try t.apply(.editDestination(web, dest("198.51.100.2")))
    }
    #expect(throws: Never.self) { try t.apply(.deleteService(web)) }
    #expect(t.servers.isEmpty)
}
