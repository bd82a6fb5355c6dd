import Resilience
import Synchronization

/// Holds back new connections after a server refused us for a reason that trying again at once
/// cannot fix: a wrong password, a certificate we do not trust. Without it every request would
/// open a connection and fail to log in, a storm of failed logins against the server (and its
/// audit log) for as long as the setting stays wrong. While it holds back, callers get the
/// server's own refusal at once, so the answer they pass on still says what is wrong.
///
/// The wait doubles from `policy.initialDelay` up to `policy.maxDelay` while refusals continue,
/// so a password rotated on the server is picked up within `maxDelay`; one success resets it.
public final class LoginBackoff: Sendable {
    private struct State {
        var refusal: RedisError?
        /// The credential that was refused: a newer one (a rotated secret) is tried at once.
        var credentialVersion = 0
        var consecutive = 0
        var notBefore: ContinuousClock.Instant
    }

    private let policy: RetryPolicy
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state: Mutex<State>

    public init(
        policy: RetryPolicy = RetryPolicy(initialDelay: .seconds(1), maxDelay: .seconds(30), jitter: 0),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        self.policy = policy
        self.now = now
        self.state = Mutex(State(notBefore: now()))
    }

    /// Runs `connect` unless a recent refusal of the same credential still holds; records its refusal or its success.
    public func attempt<Connection>(
        credentialVersion: Int = 0, _ connect: () async throws(RedisError) -> Connection
    ) async throws(RedisError) -> Connection {
        let held: RedisError? = state.withLock { state in
            guard let refusal = state.refusal, state.credentialVersion == credentialVersion, now() < state.notBefore else { return nil }
            let wait = state.notBefore - now()
            return RedisError(kind: refusal.kind, message: "\(refusal.message) (not tried again for another \(Int((wait.seconds * 1000).rounded(.up))) ms)")
        }
        if let held { throw held }
        do {
            let connection = try await connect()
            state.withLock { $0 = State(notBefore: now()) }
            return connection
        } catch where error.isRefusal {
            state.withLock { state in
                state.notBefore = now() + policy.baseDelay(attempt: state.consecutive)
                state.consecutive += 1
                state.refusal = error
                state.credentialVersion = credentialVersion
            }
            throw error
        }
    }
}
