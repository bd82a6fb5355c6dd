import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import Database
import HTTPService
import Observability
import Queue
import Redis
import Secrets
import Settings

/// Builds the Consumer: the ingest loop, its heartbeat/reaper, and a small HTTP server for probes.
func buildConsumer(
    _ configuration: ConsumerConfiguration, secrets: LoadedSecrets = .none, logger: Logger, metrics: PrometheusCollectorRegistry? = nil
) -> some ApplicationProtocol {
    // Threads: the ingest loop's blocking wait, heartbeats, gauges, probes.
    let redis = RedisClient(settings: configuration.redis, poolSize: 4, recovery: DependencyRecovery(dependency: "Redis", logger: logger))
    let queue = QueueShards(redis: redis, settings: configuration.queue)
    // A session per writer, and one for the probes.
    let database = DatabaseClient(
        settings: configuration.database, poolSize: configuration.writeSessions + 1, ioTimeout: configuration.databaseTimeout,
        recovery: DependencyRecovery(dependency: "the database", logger: logger))
    let rows = DatabaseRowStore(
        database: database, writer: RowWriter(batchSize: configuration.batchSize), sessions: configuration.writeSessions,
        firstStatsShard: Int.random(in: 0..<CountSchema.statsShards))
    let stuck = StuckBatchMonitor(threshold: configuration.stuckBatchAfter)
    let history = HistoryRecorder(queue: queue, logger: logger)
    var app = Application(
        router: buildProbeRouter(queue: queue, database: database, stuck: stuck, credentials: secrets.readinessChecks, metrics: metrics),
        configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "count-pipeline-consumer"),
        logger: logger)
    // Shut down in reverse order: the ingest loop drains first, the last history counts are written
    // after it; the secrets stay fresh until the end.
    for service in secrets.services { app.addServices(service) }
    app.addServices(
        HistoryFlusher(history: history),
        Liveness(configuration: configuration, queue: queue, stuck: stuck, history: history, logger: logger),
        QueueGauges(queue: queue, interval: configuration.metricsInterval, cloudWatch: configuration.cloudWatch, logger: logger),
        IngestLoop(configuration: configuration, queue: queue, rows: rows, stuck: stuck, history: history, logger: logger))
    return app
}

/// The Consumer's operations routes (/health, /ready, /metrics) with its own checks: Redis and the
/// database answer, and no batch is stuck.
func buildProbeRouter(
    queue: QueueShards, database: DatabaseClient, stuck: StuckBatchMonitor, credentials: [String: Probes.StateCheck] = [:],
    metrics: PrometheusCollectorRegistry?
) -> Router<BasicRequestContext> {
    let probes = Probes(
        program: "Consumer", hostname: Host.name, timeout: .seconds(1),
        redis: { try await queue.redis.ping(deadline: $0) },
        database: { deadline in try await database.withConnection(deadline: deadline) { _ = try $0.query("SELECT 1") } },
        ownState: credentials.merging(["batch": { stuck.problem }]) { $1 })
    return buildProbesAndMetricsRouter(probes: probes, metrics: metrics)
}
