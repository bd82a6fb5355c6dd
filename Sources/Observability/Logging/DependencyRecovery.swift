import Logging
import Synchronization

/// Says once, at info level, that a dependency (Redis, the database) answers again after an outage:
/// the counterpart of the warnings `RepeatedWarnings` rations while it fails, so that the log says
/// once what is wrong and once that it is over. Its client reports every call: `failed()` when the
/// dependency did not answer or cannot serve (a timeout, a lost connection, a read-only server),
/// `answered()` when it did. An outage shorter than `minimumOutage` (one cut reply, one reset
/// connection, a call that beat its deadline by a hair) gets no line: a flapping path must not
/// trade one flood for another.
public final class DependencyRecovery: Sendable {
    struct Outage: Equatable {
        var since: ContinuousClock.Instant
        var failures: Int
    }

    private let dependency: String
    private let logger: Logger
    private let minimumOutage: Duration
    private let outage = Mutex<Outage?>(nil)

    /// - Parameter dependency: how the line names it: "Redis", "the database".
    public init(dependency: String, logger: Logger, minimumOutage: Duration = .seconds(1)) {
        self.dependency = dependency
        self.logger = logger
        self.minimumOutage = minimumOutage
    }

    public func failed(now: ContinuousClock.Instant = .now) {
        outage.withLock { outage in
            if outage == nil { outage = Outage(since: now, failures: 0) }
            outage!.failures += 1
        }
    }

    public func answered(now: ContinuousClock.Instant = .now) {
        guard let ended = outageEnded(now: now) else { return }
        let (seconds, attoseconds) = (now - ended.since).components
        logger.info("\(dependency) answers again", metadata: [
            "failing_for_ms": "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000)", "failed_calls": "\(ended.failures)",
        ])
    }

    /// The outage this answer ends, when it lasted long enough to be told; nil otherwise.
    func outageEnded(now: ContinuousClock.Instant) -> Outage? {
        outage.withLock { outage in
            guard let ended = outage else { return nil }
            outage = nil
            return now - ended.since >= minimumOutage ? ended : nil
        }
    }
}
