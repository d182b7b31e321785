// Issue 19's sibling of finding 6, in ipvsd's state files: /run/tandem is writable by checkd's group, and not
// world-writable, so the kernel's protected_symlinks does not cover it. A link planted at a state file's
// temporary name must not be written through (root truncating what it points at), and a planted file or link at
// a state file's name must not be believed (a planted ipvsd.managed would make ipvsd remove services it never
// managed).
import Foundation
import Glibc
import Testing
import TestSupport
@testable import ipvsd

@Suite struct RuntimeFileTests {
    @Test func aLinkPlantedAtTheTemporaryNameIsNotWrittenThrough() throws {
        let directory = try TemporaryDirectory()
        let victim = try directory.write("victim", "precious\n")
        let state = directory.path("ipvsd.managed")
        #expect(symlink(victim, state + ".tmp") == 0)
        #expect(RuntimeFile.replace(state, with: "TCP 192.0.2.1:80\n"))
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n", "the link was not followed")
        #expect(RuntimeFile.lines(at: state) == ["TCP 192.0.2.1:80"])
        var info = stat()
        #expect(lstat(state, &info) == 0 && info.st_mode & S_IFMT == S_IFREG && info.st_mode & 0o777 == 0o600)
    }

    @Test func aPlantedLinkOrSpecialFileIsNotBelieved() throws {
        let directory = try TemporaryDirectory()
        let planted = try directory.write("planted", "TCP 203.0.113.7:443\n")
        let link = directory.path("ipvsd.managed")
        #expect(symlink(planted, link) == 0)
        #expect(RuntimeFile.lines(at: link).isEmpty, "a link is not followed")
        let fifo = directory.path("ipvsd.quorum")
        #expect(mkfifo(fifo, 0o600) == 0)
        let started = ContinuousClock.now
        #expect(RuntimeFile.lines(at: fifo).isEmpty)
        #expect(ContinuousClock.now - started < .seconds(2), "a FIFO does not block the read")
        let shared = try directory.write("ipvsd.realservers", "x\n", mode: 0o666)
        #expect(RuntimeFile.lines(at: shared).isEmpty, "a file others may write is not believed")
        // Replacing works over whatever was planted at the name: rename replaces the link, not its target.
        #expect(RuntimeFile.replace(link, with: "ours\n"))
        #expect(RuntimeFile.lines(at: link) == ["ours"])
        #expect(try String(contentsOfFile: planted, encoding: .utf8) == "TCP 203.0.113.7:443\n")
    }

    @Test(.enabled(if: getuid() == 0, "needs root to give a file to another uid"))
    func aFileOfAnotherUIDIsNotBelieved() throws {
        let directory = try TemporaryDirectory()
        let state = try directory.write("ipvsd.managed", "TCP 203.0.113.7:443\n", mode: 0o600)
        #expect(RuntimeFile.lines(at: state) == ["TCP 203.0.113.7:443"])
        #expect(chown(state, 65534, 65534) == 0)
        #expect(RuntimeFile.lines(at: state).isEmpty)
    }
}
