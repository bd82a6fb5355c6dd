import Testing
import Synchronization

@testable import Redis
@testable import Resilience

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

@Suite struct LoginBackoffTests {
    /// A clock the test moves by hand.
    final class ManualClock: Sendable {
        private let offset = Mutex(Duration.zero)
        private let start = ContinuousClock.now
        var now: ContinuousClock.Instant { start + offset.withLock { $0 } }
        func advance(_ duration: Duration) { offset.withLock { $0 += duration } }
    }

    private static let wrongPassword = RedisError(kind: .authentication, message: "WRONGPASS invalid username-password pair")

    @Test func aRefusalIsRepeatedWithoutConnectingUntilItsDelayPassesAndTheDelayDoubles() async throws {
        let clock = ManualClock()
        let backoff = LoginBackoff(now: { clock.now })
        var attempts = 0
        let refuse = { () throws(RedisError) -> Int in
            attempts += 1
            throw Self.wrongPassword
        }
        for (advance, expectedAttempts) in [(Duration.zero, 1), (.milliseconds(500), 1), (.milliseconds(600), 2), (.seconds(1), 2), (.seconds(1), 3)] {
            clock.advance(advance)
            await #expect {
                _ = try await backoff.attempt(refuse)
            } throws: { error in
                (error as? RedisError)?.kind == .authentication && "\(error)".contains("WRONGPASS")
            }
            #expect(attempts == expectedAttempts, "after \(advance)")
        }
        // A success (the password was fixed) clears the hold at once.
        clock.advance(.seconds(4))
        #expect(try await backoff.attempt { () throws(RedisError) in 42 } == 42)
        _ = try? await backoff.attempt(refuse)
        clock.advance(.milliseconds(1001))
        _ = try? await backoff.attempt(refuse)
        #expect(attempts == 5)
    }

    @Test func heldRefusalsSayHowLongUntilTheNextTry() async {
        let clock = ManualClock()
        let backoff = LoginBackoff(now: { clock.now })
        _ = try? await backoff.attempt { () throws(RedisError) -> Int in throw Self.wrongPassword }
        clock.advance(.milliseconds(250))
        await #expect {
            _ = try await backoff.attempt { () throws(RedisError) in 1 }
        } throws: { error in
            "\(error)".contains("not tried again for another 750 ms")
        }
    }

    @Test func anUnreachableServerIsNotHeldBack() async {
        let backoff = LoginBackoff()
        var attempts = 0
        for _ in 0..<3 {
            _ = try? await backoff.attempt { () throws(RedisError) -> Int in
                attempts += 1
                throw RedisError(kind: .connection, message: "connection refused")
            }
        }
        #expect(attempts == 3)
    }
}
