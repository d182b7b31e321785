import Platform
import Vocabulary

/// Runs `loop` until `done()` or `timeout`; true when `done()` became true.
@discardableResult
public func runLoop(_ loop: EventLoop, timeout: Duration = .seconds(10), until done: () -> Bool) throws -> Bool {
    let deadline = MonotonicInstant.now + timeout
    while !done() {
        if MonotonicInstant.now >= deadline { return false }
        try loop.runOnce(maximumWait: .milliseconds(20))
    }
    return true
}
