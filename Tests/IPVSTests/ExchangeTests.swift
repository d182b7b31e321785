import Testing
@testable import IPVS
import Vocabulary

private let web = IPVSServiceKey.address(.tcp, IPAddress("192.0.2.10")!, port: 80)

private func decode(_ bytes: [UInt8]) throws -> [IPVSReplyMessage] {
    try IPVSReplyMessage.decode(bytes, familyID: testFamily)
}

@Test func aDumpSpreadOverTwoBuffersCompletesAtDone() throws {
    var exchange = IPVSExchange(request: .dumpServices, sequence: 7)
    let first = kernelServiceMessage(seq: 7, key: web, scheduler: "rr", flags: 2, timeout: 0, netmaskWire: le32(~0))
        + kernelError(seq: 6, code: 0)  // a late ack of an earlier request
    #expect(exchange.receive(try decode(first)) == nil)
    let second = kernelServiceMessage(seq: 7, key: .firewallMark(.ipv4, 1), scheduler: "wrr", flags: 2, timeout: 0,
                                      netmaskWire: le32(~0)) + kernelDone(seq: 7)
    guard case .completed(let replies)? = exchange.receive(try decode(second)) else {
        Issue.record("dump did not complete")
        return
    }
    #expect(replies.count == 2)
    #expect(exchange.ignoredMessages == 1)
}

@Test func aMutationEndsWithItsAckOrError() throws {
    var ok = IPVSExchange(request: .deleteService(web), sequence: 3)
    #expect(ok.receive(try decode(kernelError(seq: 3, code: 0))) == .completed([]))
    var refused = IPVSExchange(request: .deleteService(web), sequence: 4)
    #expect(refused.receive(try decode(kernelError(seq: 4, code: -3))) == .failed(errno: 3, message: nil))
    var dumpRefused = IPVSExchange(request: .dumpDestinations(web), sequence: 5)
    #expect(dumpRefused.receive(try decode(kernelError(seq: 5, code: -3, extAckMessage: "no service")))
            == .failed(errno: 3, message: "no service"))
}

@Test func getInfoCollectsItsAnswerThenTheAck() throws {
    var exchange = IPVSExchange(request: .getInfo, sequence: 1)
    let info = nlmsg(type: testFamily, flags: 0, seq: 1, genl(14) + nla(1, le32(0x010201)) + nla(2, le32(4096)))
    #expect(exchange.receive(try decode(info + kernelError(seq: 1, code: 0)))
            == .completed([.info(IPVSInfo(version: 0x010201, connectionTableSize: 4096))]))
}
