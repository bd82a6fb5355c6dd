import Logging
import Metrics
import Observability
import Queue

/// Makes evictions from the full dead-letter list loud: a Prometheus counter and a warning line
/// (rate-limited, with the total the Redis counter holds), so nothing is dropped silently.
struct EvictionReport: Sendable {
    let deadLetterMax: Int
    let warnings: RepeatedWarnings
    private let evicted = Counter(label: MetricName.deadLettersEvicted)

    init(deadLetterMax: Int, logger: Logger) {
        self.deadLetterMax = deadLetterMax
        self.warnings = RepeatedWarnings(logger: logger)
    }

    func report(_ eviction: DeadLetterEviction, queue: String) {
        guard eviction.evicted > 0 else { return }
        evicted.increment(by: eviction.evicted)
        warnings.warning("the dead-letter list is full (DEAD_LETTER_MAX): its oldest records were evicted", metadata: [
            "evicted": "\(eviction.evicted)", "evicted_total": "\(eviction.total)", "dead_letter_max": "\(deadLetterMax)",
            "queue": "\(queue)",
        ])
    }
}
