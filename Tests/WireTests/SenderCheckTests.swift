// Who may send what: hello first, a role the peer may claim and does not change, then only what that role sends.
import Testing
import Wire

private let master = WireMessage.instanceState(name: "VI_1", state: .master, priority: 100)

@Test func aRoleIsTakenOnlyWhatItsRoleMaySend() throws {
    for message in sampleMessages {
        for role in DaemonRole.allCases {
            let taken = (try? message.senderRole(on: role, claimable: Set(DaemonRole.allCases))) != nil
            if case .hello(let claimed, _) = message {
                #expect(taken == (claimed == role), "\(message) on a \(role) connection")
            } else {
                #expect(taken == message.expectedSenders.contains(role), "\(message) from \(role)")
            }
        }
        if case .hello = message { continue }
        #expect(throws: SenderRefusal.beforeHello(message.type)) {
            try message.senderRole(on: nil, claimable: Set(DaemonRole.allCases))
        }
    }
}

@Test func senderRefusalsSayWhatAndWho() throws {
    #expect(throws: SenderRefusal.roleNotAllowed(.vrrpd)) {
        try WireMessage.hello(role: .vrrpd, pid: 1).senderRole(on: nil, claimable: [.checkd])
    }
    #expect(throws: SenderRefusal.unexpectedSender(.checkd, .instanceState)) {
        try master.senderRole(on: .checkd, claimable: [.checkd])
    }
    #expect(throws: SenderRefusal.roleChanged(from: .checkd, to: .ipvsd)) {
        try WireMessage.hello(role: .ipvsd, pid: 1).senderRole(on: .checkd, claimable: Set(DaemonRole.allCases))
    }
    #expect(try WireMessage.hello(role: .checkd, pid: 1).senderRole(on: .checkd, claimable: [.checkd]) == .checkd)
    #expect(try WireMessage.snapshotEnd.senderRole(on: .ipvsd, claimable: []) == .ipvsd, "the claim was checked at hello")
    #expect("\(SenderRefusal.unexpectedSender(.checkd, .instanceState))" == "instanceState from checkd, which may not send it")
    #expect("\(SenderRefusal.beforeHello(.realServerHealth))" == "realServerHealth before hello")
}
