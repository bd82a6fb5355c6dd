import Metrics
import Message
import Observability
import Synchronization

/// Whether the batch in hand keeps failing, and since when. Past `threshold` the batch counts as
/// stuck: the Consumer's `/ready` answers 503, and the heartbeat tells the dashboard. The gauge
/// `count_pipeline_stuck_batch_seconds` says how long the current batch has been failing (0: it is not).
final class StuckBatchMonitor: Sendable {
    let threshold: Duration

    private struct Failing {
        let since: ContinuousClock.Instant
        let sinceUnixMilliseconds: UInt64
        var lastError: String
    }

    private let failing = Mutex<Failing?>(nil)
    private let gauge = Gauge(label: MetricName.stuckBatchSeconds)
    /// The monotonic clock and Unix time in ms (a test's own, stepped by hand).
    private let now: @Sendable () -> ContinuousClock.Instant
    private let unixMilliseconds: @Sendable () -> UInt64

    init(
        threshold: Duration, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        unixMilliseconds: @escaping @Sendable () -> UInt64 = UnixTime.milliseconds
    ) {
        self.threshold = threshold
        self.now = now
        self.unixMilliseconds = unixMilliseconds
    }

    /// The batch in hand failed (again) with `error`.
    func failed(with error: any Error) {
        failing.withLock { failing in
            if failing == nil {
                failing = Failing(since: now(), sinceUnixMilliseconds: unixMilliseconds(), lastError: "\(error)")
            } else {
                failing?.lastError = "\(error)"
            }
        }
        refreshGauge()
    }

    /// The batch in hand went through.
    func succeeded() {
        failing.withLock { $0 = nil }
        gauge.record(0)
    }

    func refreshGauge() {
        gauge.record(failing.withLock { $0.map { (now() - $0.since).seconds } ?? 0 })
    }

    /// What `/ready` reports while the batch is stuck, nil otherwise.
    var problem: String? {
        failing.withLock { failing in
            let failedFor = failing.map { now() - $0.since }
            guard let failing, let failedFor, failedFor >= threshold else { return nil }
            let seconds = Int(failedFor.seconds)
            return "the batch in hand has failed for \(seconds) s (STUCK_BATCH_AFTER_MS); last error: \(failing.lastError)"
        }
    }

    /// Since when (Unix ms) the batch is stuck, for the heartbeat; nil while it is not.
    var stuckSinceUnixMilliseconds: UInt64? {
        failing.withLock { failing in
            guard let failing, now() - failing.since >= threshold else { return nil }
            return failing.sinceUnixMilliseconds
        }
    }
}
