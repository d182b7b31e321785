import Testing
@testable import Platform
import Vocabulary

@Test func instantsAdvanceAndDifferenceIsADuration() {
    let start = MonotonicInstant.now
    let later = start + .milliseconds(1500)
    #expect(later - start == .milliseconds(1500))
    #expect(later > start)
    #expect(later - .milliseconds(500) == start + .seconds(1))
    #expect(MonotonicInstant.now >= start)
}

@Test func arithmeticSaturatesInsteadOfTrapping() {
    let edge = MonotonicInstant(nanoseconds: .max - 10)
    #expect((edge + .seconds(1)).nanoseconds == .max)
    #expect((MonotonicInstant(nanoseconds: .min + 10) - .seconds(1)).nanoseconds == .min)
    #expect(Duration.seconds(Int64.max).totalNanoseconds == .max)
}

@Test func microsecondsAndDescription() {
    let instant = MonotonicInstant(nanoseconds: 12_000_345_678)
    #expect(instant.microseconds == 12_000_345)
    #expect(instant.description == "12.000345678")
}
