import Metrics
import Prometheus

/// Prometheus as the swift-metrics backend: everything the programs (and Hummingbird's metrics
/// middleware) record through swift-metrics is exposed at `/metrics` in the text format.
public enum MetricsSetup {
    /// Latency buckets from 0.1 ms to 10 s: pushes and inserts are sub-millisecond when all is well.
    static let durationBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(10),
    ]
    static let sizeBuckets: [Double] = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000]

    /// Installs the backend once per process and returns the registry to expose.
    public static func bootstrap() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = durationBuckets
        factory.defaultValueHistogramBuckets = sizeBuckets
        MetricsSystem.bootstrap(factory)
        return registry
    }
}

extension PrometheusCollectorRegistry {
    /// The exposition text for a `/metrics` response.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        emit(into: &buffer)
        return buffer
    }
}

/// Names of the pipeline's own metrics, in one place so dashboards and alarms can rely on them.
public enum MetricName {
    public static let connectionsOpened = "count_pipeline_connections_opened_total"
    public static let pushDuration = "count_pipeline_push_duration_seconds"
    public static let pushBatchSize = "count_pipeline_push_batch_size"
    public static let enqueued = "count_pipeline_enqueued_total"
    public static let pushFailures = "count_pipeline_push_failures_total"
    public static let rejected = "count_pipeline_rejected_total"
    public static let publicConnections = "count_pipeline_public_connections"
    public static let insertDuration = "count_pipeline_insert_duration_seconds"
    public static let insertBatchSize = "count_pipeline_insert_batch_size"
    public static let inserted = "count_pipeline_inserted_total"
    public static let duplicates = "count_pipeline_duplicates_suppressed_total"
    public static let deadLettered = "count_pipeline_dead_lettered_total"
    public static let deadLettersEvicted = "count_pipeline_dead_letters_evicted_total"
    public static let queuePaused = "count_pipeline_queue_paused"
    public static let reclaimed = "count_pipeline_reclaimed_total"
    public static let queueDepth = "count_pipeline_queue_depth"
    public static let processingDepth = "count_pipeline_processing_depth"
    public static let deadLetterDepth = "count_pipeline_dead_letter_depth"
    public static let oldestMessageAge = "count_pipeline_oldest_message_age_seconds"
    public static let liveConsumers = "count_pipeline_live_consumers"
    public static let stuckBatchSeconds = "count_pipeline_stuck_batch_seconds"
    /// Secrets Manager reads, by `secret` (`db`, `redis`) and `outcome` (`ok`, `error`).
    public static let secretFetches = "count_pipeline_secret_fetches_total"
    /// Seconds since the secret value in use was fetched, by `secret`.
    public static let secretAge = "count_pipeline_secret_age_seconds"
}
