import HTTPTypes
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import Shared
import SharedHTTP

typealias AppRequestContext = BasicRequestContext

/// What the routes need from the outside world; tests pass in-memory fakes.
struct ProducerDependencies: Sendable {
    var queue: any CountQueueing
    var counts: any CountReading
    var inspector: any QueueInspecting
    var hostname: String
    /// Exposed at `/metrics`; nil leaves the route out (tests that do not bootstrap metrics).
    var metrics: PrometheusCollectorRegistry?
    /// Queue history and operations (`/history`, `/admin/...`); nil leaves those routes out.
    var operationsSupport: OperationsSupport? = nil
}

/// Builds the Producer on real Redis and MariaDB.
func buildApplication(_ configuration: ProducerConfiguration, logger: Logger, metrics: PrometheusCollectorRegistry? = nil) -> some ApplicationProtocol {
    let redis = RedisClient(settings: configuration.redis)
    let workQueue = QueueShards(redis: redis)
    let history = HistoryRecorder(queue: workQueue, logger: logger)
    let coalescer = PushCoalescer(
        queue: workQueue, workerCount: configuration.redis.poolSize, batchLimit: configuration.pushBatchLimit,
        highWaterMark: configuration.queueHighWaterMark, history: history, logger: logger)
    let database = DatabaseClient(settings: configuration.database, ioTimeout: configuration.requestTimeout)
    let dependencies = ProducerDependencies(
        queue: coalescer, counts: DatabaseCountReader(database: database), inspector: RedisQueueInspector(queue: workQueue),
        hostname: Host.name, metrics: metrics, operationsSupport: OperationsSupport(queue: workQueue, history: history))
    var app = Application(
        router: buildRouter(configuration, dependencies: dependencies),
        server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(configuration.idleTimeout.seconds * 1000)))),
        configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "count-pipeline"),
        logger: logger)
    // Shut down in reverse order: the push workers drain, the last history counts are written, then the pools close.
    app.addServices(ClientShutdown(redis: redis, database: database), HistoryFlusher(history: history), coalescer)
    return app
}

/// The routes, answered at `/` and again under `/api/` (the path CloudFront forwards to the ALB).
func buildRouter(_ configuration: ProducerConfiguration, dependencies: ProducerDependencies) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: CORSMiddleware(
        allowOrigin: configuration.corsAllowOrigin == "*" ? .all : .custom(configuration.corsAllowOrigin),
        allowHeaders: [.contentType, .accept, HTTPField.Name("Idempotency-Key")!],
        allowMethods: [.get, .post, .options],
        maxAge: .seconds(600)))
    router.add(middleware: MetricsMiddleware())
    if let support = dependencies.operationsSupport {
        router.add(middleware: RejectionHistoryMiddleware(history: support.history))
    }
    router.add(middleware: JSONErrorMiddleware())
    if let folder = configuration.staticDirectory {
        router.add(middleware: PathGuardMiddleware())
        router.add(middleware: FileMiddleware(folder, searchForIndexHtml: true))
    } else {
        router.get("/") { _, _ in
            Response.json(#"{"service":"count-pipeline producer","routes":["POST /count","GET /count","GET /stats","GET /health","GET /ready"]}"#)
        }
    }
    let counts = CountController<AppRequestContext>(
        queue: dependencies.queue, counts: dependencies.counts, hostname: dependencies.hostname,
        requestTimeout: configuration.requestTimeout, maxBodyBytes: configuration.maxBodyBytes)
    let probes = Probes(
        program: "Producer", hostname: dependencies.hostname, timeout: configuration.requestTimeout,
        redis: { [inspector = dependencies.inspector] in try await inspector.ping(deadline: $0) },
        database: { [counts = dependencies.counts] in _ = try await counts.summary(deadline: $0) })
    let stats = StatsController<AppRequestContext>(
        queue: dependencies.inspector, counts: dependencies.counts, hostname: dependencies.hostname,
        requestTimeout: configuration.requestTimeout)
    for group in [router.group(), router.group("api")] {
        counts.addRoutes(to: group)
        probes.addRoutes(to: group)
        stats.addRoutes(to: group)
        dependencies.operationsSupport?.addRoutes(to: group, configuration: configuration)
        if let registry = dependencies.metrics {
            group.get("metrics") { _, _ in Response.prometheus(registry) }
        }
    }
    return router
}

/// Closes the Redis and MariaDB pools last, after the server and the push workers have drained.
struct ClientShutdown: Service {
    let redis: RedisClient
    let database: DatabaseClient

    func run() async throws {
        try? await gracefulShutdown()
        await redis.shutdown()
        await database.shutdown()
    }
}
