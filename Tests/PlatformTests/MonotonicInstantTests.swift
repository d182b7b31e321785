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
    #expect(Duration.seconds(Int64.min).totalNanoseconds == .min)
}

@Test func totalNanosecondsTruncatesTowardZero() {
    #expect(Duration.nanoseconds(-1500).totalNanoseconds == -1500)
    #expect((Duration.seconds(-1) - .nanoseconds(1)).totalNanoseconds == -1_000_000_001)
    #expect(Duration(secondsComponent: 2, attosecondsComponent: 1_500_000_000).totalNanoseconds == 2_000_000_001)
    #expect(Duration(secondsComponent: 0, attosecondsComponent: -1_500_000_000).totalNanoseconds == -1)
}

@Test func microsecondsAndDescription() {
    let instant = MonotonicInstant(nanoseconds: 12_000_345_678)
    #expect(instant.microseconds == 12_000_345)
    #expect(instant.description == "12.000345678")
}
