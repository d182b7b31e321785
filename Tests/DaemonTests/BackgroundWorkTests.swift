// A reload's reading runs off the loop (issue 19: a hostile include graph held vrrpd's loop, and its adverts,
// long enough for the BACKUP to take over in the lab). The loop keeps turning while the work runs, the result
// arrives on the loop, and a second piece of work can follow.
import Foundation
import Glibc
@testable import DaemonKit
import Platform
import Testing
import TestSupport

@Suite struct BackgroundWorkTests {
    @Test func theLoopTurnsWhileTheWorkRunsAndTheResultComesBackOnIt() throws {
        let loop = try EventLoop()
        let work = try BackgroundWork<Int>(loop: loop)
        let release = DispatchSemaphore(value: 0)
        final class Seen { var result: Int?; var ticks = 0; var onLoopThread = false }
        let seen = Seen()
        let loopThread = pthread_self()
        work.start({ advanced in
            advanced()
            advanced()
            release.wait()
            return 42
        }, completion: { result in
            seen.result = result
            seen.onLoopThread = pthread_equal(pthread_self(), loopThread) != 0
        })
        #expect(work.isRunning)
        func tick() { _ = loop.schedule(after: .milliseconds(10)) { seen.ticks += 1; tick() } }
        tick()
        try runLoop(loop, timeout: .milliseconds(300)) { false }
        #expect(seen.ticks >= 10, "timers ran while the work was blocked: \(seen.ticks)")
        #expect(seen.result == nil && work.stepsDone == 2)
        release.signal()
        #expect(try runLoop(loop, timeout: .seconds(5)) { seen.result != nil })
        #expect(seen.result == 42 && seen.onLoopThread && !work.isRunning)

        work.start({ _ in 7 }, completion: { seen.result = $0 })
        #expect(try runLoop(loop, timeout: .seconds(5)) { seen.result == 7 })
    }
}
