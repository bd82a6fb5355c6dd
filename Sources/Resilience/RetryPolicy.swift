/// Exponential backoff with full jitter, bounded by an attempt count and an overall deadline.
///
/// Delays grow as `initialDelay * multiplier^attempt`, capped at `maxDelay`; each actual delay is drawn
/// uniformly from `[delay * (1 - jitter), delay]` so that many clients losing the same server do not
/// come back in lockstep.
public struct RetryPolicy: Sendable, Equatable {
    public var initialDelay: Duration
    public var maxDelay: Duration
    public var multiplier: Double
    /// 0 = no jitter, 1 = full jitter.
    public var jitter: Double
    /// `nil` = retry until the deadline (or forever without one).
    public var maxAttempts: Int?

    public init(
        initialDelay: Duration = .milliseconds(20), maxDelay: Duration = .seconds(2), multiplier: Double = 2,
        jitter: Double = 0.5, maxAttempts: Int? = nil
    ) {
        precondition(initialDelay > .zero && maxDelay >= initialDelay && multiplier >= 1 && (0...1).contains(jitter))
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.multiplier = multiplier
        self.jitter = jitter
        self.maxAttempts = maxAttempts
    }

    /// The delay before retry number `attempt` (0-based), before jitter.
    public func baseDelay(attempt: Int) -> Duration {
        let initial = initialDelay.seconds
        let grown = initial * pow(multiplier, Double(min(attempt, 64)))
        return .seconds(min(grown, maxDelay.seconds))
    }

    /// The delay before retry number `attempt`, with jitter drawn from `random`.
    public func delay(attempt: Int, using random: inout some RandomNumberGenerator) -> Duration {
        let base = baseDelay(attempt: attempt).seconds
        let low = base * (1 - jitter)
        return .seconds(low == base ? base : Double.random(in: low...base, using: &random))
    }

    /// Runs `operation` until it succeeds, `shouldRetry` says no, the attempts run out, the next
    /// delay would pass `deadline`, or the task is cancelled; then rethrows the last error.
    /// `sleep` waits out each delay; an error it throws (a wait cut short) ends the retries with that error.
    public func run<Result>(
        deadline: ContinuousClock.Instant? = nil,
        shouldRetry: (any Error) -> Bool,
        onRetry: (any Error, Duration) -> Void = { _, _ in },
        sleep: (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        _ operation: () async throws -> Result
    ) async throws -> Result {
        var random = SystemRandomNumberGenerator()
        var attempt = 0
        while true {
            do {
                return try await operation()
            } catch {
                let delay = self.delay(attempt: attempt, using: &random)
                attempt += 1
                let outOfAttempts = maxAttempts.map { attempt >= $0 } ?? false
                let pastDeadline = deadline.map { ContinuousClock.now + delay >= $0 } ?? false
                guard shouldRetry(error), !outOfAttempts, !pastDeadline, !Task.isCancelled else { throw error }
                onRetry(error, delay)
                try await sleep(delay)
            }
        }
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
