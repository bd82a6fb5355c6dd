import Testing

@testable import Shared

@Suite struct RetryPolicyTests {
    struct Flaky: Error {}

    @Test func delaysGrowExponentiallyUpToTheCap() {
        let policy = RetryPolicy(initialDelay: .milliseconds(10), maxDelay: .milliseconds(100), multiplier: 2, jitter: 0)
        #expect((0..<6).map { policy.baseDelay(attempt: $0) } == [10, 20, 40, 80, 100, 100].map { Duration.milliseconds($0) })
        #expect(policy.baseDelay(attempt: 10_000) == .milliseconds(100))
    }

    @Test func jitterStaysWithinItsBand() {
        let policy = RetryPolicy(initialDelay: .milliseconds(100), maxDelay: .seconds(1), jitter: 0.5)
        var random = SystemRandomNumberGenerator()
        let delays = (0..<500).map { _ in policy.delay(attempt: 0, using: &random) }
        #expect(delays.allSatisfy { $0 >= .milliseconds(50) && $0 <= .milliseconds(100) })
        #expect(Set(delays).count > 100, "jitter must actually vary the delay")
    }

    @Test func retriesUntilSuccess() async throws {
        var calls = 0
        let result = try await RetryPolicy(initialDelay: .milliseconds(1), maxDelay: .milliseconds(2)).run(shouldRetry: { _ in true }) {
            calls += 1
            if calls < 4 { throw Flaky() }
            return "done"
        }
        #expect(result == "done" && calls == 4)
    }

    @Test func stopsAfterMaxAttemptsOrWhenTheErrorIsPermanent() async {
        var calls = 0
        await #expect(throws: Flaky.self) {
            try await RetryPolicy(initialDelay: .milliseconds(1), maxDelay: .milliseconds(1), maxAttempts: 3).run(shouldRetry: { _ in true }) {
                calls += 1
                throw Flaky()
            }
        }
        #expect(calls == 3)
        calls = 0
        await #expect(throws: Flaky.self) {
            try await RetryPolicy(initialDelay: .milliseconds(1), maxDelay: .milliseconds(1)).run(shouldRetry: { _ in false }) {
                calls += 1
                throw Flaky()
            }
        }
        #expect(calls == 1)
    }

    @Test func neverSleepsPastTheDeadline() async {
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(200)
        var calls = 0
        await #expect(throws: Flaky.self) {
            try await RetryPolicy(initialDelay: .milliseconds(20), maxDelay: .milliseconds(50), jitter: 0)
                .run(deadline: deadline, shouldRetry: { _ in true }) {
                    calls += 1
                    throw Flaky()
                }
        }
        // Sleeps of 20, 40, 50, 50 ms fit before the deadline, the next would not: at most 5 calls
        // (fewer if this machine is slow), and no hang.
        #expect((1...5).contains(calls))
        #expect(ContinuousClock.now < deadline + .seconds(2))
    }
}
