import Database
import Observability
import Queue
import Redis
import Settings

/// Everything the Consumer reads from its environment, validated at start.
struct ConsumerConfiguration: Sendable {
    var redis: RedisSettings
    var queue: QueueSettings
    var database: DatabaseSettings
    var log = LogSettings()
    var httpHost = "0.0.0.0"
    /// Port of the small HTTP server for /health, /ready and /metrics.
    var httpPort = 5081
    /// Unique per process unless set: names this consumer's processing list.
    var consumerID: String
    /// Most messages per transaction.
    var batchSize = 500
    /// Database sessions writing batches at once, so one batch is sent while another commits.
    var writeSessions = 2
    /// Wait on the server for work (BLMOVE) instead of polling with backoff.
    var blockingFetch = true
    /// How long one blocking wait for work lasts.
    var blockFor: Duration = .seconds(1)
    var heartbeatInterval: Duration = .seconds(2)
    /// A consumer silent this long is dead: its in-flight messages go back to the queue.
    var reclaimAfter: Duration = .seconds(10)
    /// Deliveries after which a message that keeps killing its consumer is dead-lettered.
    var maxDeliveries = 5
    /// Most records the dead-letter list keeps; the oldest beyond it are evicted, and counted.
    var deadLetterMax = 100_000
    /// On SIGTERM, how long to keep trying to commit the batch in hand before leaving it to be reclaimed.
    var shutdownGrace: Duration = .seconds(10)
    /// A batch failing for this long counts as stuck: `/ready` answers 503 and the dashboard says so.
    var stuckBatchAfter: Duration = .seconds(60)
    /// Bound on each database read/write.
    var databaseTimeout: Duration = .seconds(10)
    /// How often queue depths are sampled for /metrics (and CloudWatch).
    var metricsInterval: Duration = .seconds(5)
    /// CloudWatch Embedded Metric Format output on stdout; nil = off.
    var cloudWatch: CloudWatchMetrics?

    init(redis: RedisSettings, queue: QueueSettings = QueueSettings(), database: DatabaseSettings, consumerID: String = ConsumerConfiguration.defaultConsumerID()) {
        self.redis = redis
        self.queue = queue
        self.database = database
        self.consumerID = consumerID
    }

    init(environment env: EnvironmentReader) throws(ConfigurationError) {
        self.init(redis: try RedisSettings(from: env), queue: try QueueSettings(from: env), database: try DatabaseSettings(from: env))
        log = try LogSettings(from: env)
        httpHost = env.string("HTTP_HOST", default: httpHost)
        httpPort = try env.port("CONSUMER_HTTP_PORT", default: httpPort)
        consumerID = try env.identifier("CONSUMER_ID", default: consumerID)
        batchSize = try env.integer("CONSUMER_BATCH_SIZE", default: batchSize, in: 1...5000)
        writeSessions = try env.integer("DB_WRITE_SESSIONS", default: writeSessions, in: 1...8)
        blockingFetch = try env.boolean("REDIS_BLOCKING_FETCH", default: blockingFetch)
        blockFor = try env.milliseconds("CONSUMER_BLOCK_MS", default: 1000, in: 10...30_000)
        heartbeatInterval = try env.milliseconds("HEARTBEAT_INTERVAL_MS", default: 2000, in: 100...60_000)
        reclaimAfter = try env.milliseconds("RECLAIM_AFTER_MS", default: 10_000, in: 500...3_600_000)
        maxDeliveries = try env.integer("MAX_DELIVERIES", default: maxDeliveries, in: 1...1000)
        deadLetterMax = try env.integer("DEAD_LETTER_MAX", default: deadLetterMax, in: 1...10_000_000)
        shutdownGrace = try env.milliseconds("SHUTDOWN_GRACE_MS", default: 10_000, in: 0...600_000)
        stuckBatchAfter = try env.milliseconds("STUCK_BATCH_AFTER_MS", default: 60_000, in: 1000...86_400_000)
        databaseTimeout = try env.milliseconds("DB_TIMEOUT_MS", default: 10_000, in: 1000...600_000)
        metricsInterval = try env.milliseconds("METRICS_INTERVAL_MS", default: 5000, in: 500...600_000)
        if let namespace = env.optional("METRICS_EMF_NAMESPACE") {
            cloudWatch = CloudWatchMetrics(
                namespace: namespace, environment: env.string("ENVIRONMENT_NAME", default: "local"), queue: queue.name)
        }
        guard reclaimAfter > heartbeatInterval * 2 else {
            throw ConfigurationError(
                variable: "RECLAIM_AFTER_MS", problem: "must be more than twice HEARTBEAT_INTERVAL_MS, or live consumers get reclaimed")
        }
    }

    static func defaultConsumerID() -> String {
        let host = String(Host.name.filter { $0.isLetter || $0.isNumber || $0 == "-" }.prefix(32))
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        return "\(host.isEmpty ? "consumer" : host)-\(ProcessID.current)-\(suffix)"
    }
}
