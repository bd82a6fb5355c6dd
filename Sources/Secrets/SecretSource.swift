import Logging
import Metrics
import Observability
import Resilience
import ServiceLifecycle
import Settings
import Synchronization

/// One secret's value in use, kept fresh: re-read every `refreshInterval`, and soon after a server
/// refused it (at most once per `onDemandSpacing`). A failed re-read keeps the last good value,
/// logs once per minute (with a count) and is retried with backoff. As a `CredentialSource`, it is
/// what the Database and Redis modules log in with: every new connection reads `current`.
public final class SecretSource<Shape: SecretShape>: CredentialSource, Service {
    /// `db` or `redis`: the metrics' `secret` label.
    public let name: String
    public let secretID: String
    private let fetch: @Sendable (Duration) async throws(SecretFetchError) -> Shape
    private let refreshInterval: Duration
    private let onDemandSpacing: Duration
    private let backoff: RetryPolicy
    private let tick: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let logger: Logger
    private let warnings: RepeatedWarnings
    private let fetchedOK: Counter
    private let fetchFailed: Counter
    private let age: Gauge

    private struct State {
        var value: Shape
        var version: Int
        var fetchedAt: ContinuousClock.Instant
        var nextRefresh: ContinuousClock.Instant
        /// When a refusal asks for an early re-read; nil when none is pending.
        var demandAt: ContinuousClock.Instant?
        var lastDemand: ContinuousClock.Instant?
        var failures = 0
        /// The version a server refused, until a login with it or a later one succeeds.
        var refusedVersion: Int?
    }

    private let state: Mutex<State>

    /// Time allowed for one fetch during a refresh.
    static var fetchTimeout: Duration { .seconds(5) }

    /// Reads the first value, retrying transient errors until `deadline`; a permanent error is thrown at once.
    public static func start(
        name: String, secretID: String, refreshInterval: Duration, deadline: ContinuousClock.Instant, logger: Logger,
        onDemandSpacing: Duration = .seconds(5), tick: Duration = .seconds(1),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        fetch: @escaping @Sendable (Duration) async throws(SecretFetchError) -> Shape
    ) async throws(SecretFetchError) -> SecretSource {
        let policy = RetryPolicy(initialDelay: .milliseconds(250), maxDelay: .seconds(4))
        var attempt = 0
        while true {
            let remaining = deadline - now()
            do {
                let value = try await fetch(min(fetchTimeout, max(remaining, .milliseconds(100))))
                return SecretSource(
                    name: name, secretID: secretID, value: value, refreshInterval: refreshInterval, onDemandSpacing: onDemandSpacing,
                    tick: tick, now: now, logger: logger, fetch: fetch)
            } catch {
                var random = SystemRandomNumberGenerator()
                let delay = policy.delay(attempt: attempt, using: &random)
                attempt += 1
                guard !error.isPermanent, now() + delay < deadline, !Task.isCancelled else { throw error }
                logger.warning("reading secret \(secretID) failed; trying again", metadata: ["secret_id": "\(secretID)", "error": "\(error)"])
                try? await Task.sleep(for: delay)
            }
        }
    }

    init(
        name: String, secretID: String, value: Shape, refreshInterval: Duration, onDemandSpacing: Duration, tick: Duration,
        now: @escaping @Sendable () -> ContinuousClock.Instant, logger: Logger,
        fetch: @escaping @Sendable (Duration) async throws(SecretFetchError) -> Shape
    ) {
        self.name = name
        self.secretID = secretID
        self.fetch = fetch
        self.refreshInterval = refreshInterval
        self.onDemandSpacing = onDemandSpacing
        self.backoff = RetryPolicy(initialDelay: .seconds(1), maxDelay: .seconds(60))
        self.tick = tick
        self.now = now
        self.logger = logger
        self.warnings = RepeatedWarnings(logger: logger, interval: .seconds(60))
        self.fetchedOK = Counter(label: MetricName.secretFetches, dimensions: [("secret", name), ("outcome", "ok")])
        self.fetchFailed = Counter(label: MetricName.secretFetches, dimensions: [("secret", name), ("outcome", "error")])
        self.age = Gauge(label: MetricName.secretAge, dimensions: [("secret", name)])
        let started = now()
        self.state = Mutex(State(value: value, version: 1, fetchedAt: started, nextRefresh: started + refreshInterval))
        fetchedOK.increment()
        age.record(0)
    }

    /// The value in use.
    public var value: Shape { state.withLock { $0.value } }

    // MARK: CredentialSource

    public var current: Credential {
        state.withLock { state in
            let login = state.value.login
            return Credential(user: login.user, password: login.password, version: state.version)
        }
    }

    public func refused(_ credential: Credential) {
        let at = now()
        state.withLock { state in
            guard credential.version == state.version else { return }  // an older value: new connections use the newer one already
            state.refusedVersion = state.version
            guard state.demandAt == nil else { return }
            let earliest = state.lastDemand.map { $0 + onDemandSpacing } ?? at
            state.demandAt = max(at, earliest)
        }
    }

    public func accepted(_ credential: Credential) {
        state.withLock { state in
            if let refused = state.refusedVersion, credential.version >= refused { state.refusedVersion = nil }
        }
    }

    public var rotates: Bool { true }

    /// For `/ready`: nil while no server refuses the value in use, else what is wrong (never the value).
    public var problem: String? {
        state.withLock { state in
            guard state.refusedVersion != nil else { return nil }
            let seconds = Int((now() - state.fetchedAt).seconds)
            return "the server refuses the credential of secret \(secretID) (fetched \(seconds) s ago); waiting for a newer value"
        }
    }

    // MARK: Refreshing

    /// Re-reads the secret when due, until graceful shutdown or cancellation.
    public func run() async {
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            await refreshIfDue()
            try? await cancelWhenGracefulShutdown { [tick] in try await Task.sleep(for: tick) }
        }
    }

    /// One step of `run`: updates the age gauge and re-reads the secret if the period ran out or a refusal asked for it.
    func refreshIfDue() async {
        let at = now()
        let due = state.withLock { state -> Bool in
            age.record((at - state.fetchedAt).seconds)
            let demanded = state.demandAt.map { at >= $0 } ?? false
            guard demanded || at >= state.nextRefresh else { return false }
            if demanded {
                state.demandAt = nil
                state.lastDemand = at
            }
            return true
        }
        guard due else { return }
        // The program must not wait for a slow Secrets Manager to exit: at graceful shutdown the fetch
        // is left to end on its own (within its timeout), unawaited.
        let attempt = Task { [fetch] in try await fetch(Self.fetchTimeout) }
        guard let outcome = await cancelWhenGracefulShutdown({ await resultUnlessCancelled(of: attempt) }) else { return }
        do {
            let fresh = try outcome.get()
            fetchedOK.increment()
            let changed = state.withLock { state -> Bool in
                let changed = fresh != state.value
                if changed {
                    state.value = fresh
                    state.version += 1
                }
                state.fetchedAt = now()
                state.failures = 0
                state.nextRefresh = state.fetchedAt + refreshInterval
                return changed
            }
            age.record(0)
            if changed { logger.notice("secret \(secretID) has a new value; new connections use it", metadata: ["secret_id": "\(secretID)"]) }
        } catch {
            fetchFailed.increment()
            var random = SystemRandomNumberGenerator()
            let retryIn = state.withLock { state in
                let delay = backoff.delay(attempt: state.failures, using: &random)
                state.failures += 1
                state.nextRefresh = now() + delay
                return delay
            }
            warnings.warning(
                "re-reading secret \(secretID) failed; the last good value stays in use",
                metadata: ["secret_id": "\(secretID)", "error": "\(error)", "retry_in_ms": "\(Int(retryIn.seconds * 1000))"])
        }
    }
}
