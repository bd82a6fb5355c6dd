import HTTPTypes
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

/// What the routes need from the outside world; tests pass in-memory fakes.
struct ProducerDependencies: Sendable {
    var queue: any CountQueueing
    var counts: any CountReading
    var inspector: any QueueInspecting
    /// What public answers call this instance (`InstanceName`); never the machine's host name.
    var instanceName: String
    /// The machine's host name, for the operations port's answers only.
    var hostname: String = Host.name
    /// Exposed at `/metrics` on the operations port; nil leaves the route out (tests that do not bootstrap metrics).
    var metrics: PrometheusCollectorRegistry?
    /// Queue history and operations (`/history`, `/admin/...`); nil leaves those routes out.
    var operationsSupport: HistoryAndAdminRoutes? = nil
    /// `/ready`'s `db_credentials` / `redis_credentials` checks when the credentials come from secrets.
    var credentialChecks: [String: Probes.StateCheck] = [:]
}

/// The Producer's connections to Redis and MariaDB, and what the routes see of them.
struct ProducerBackends {
    let redis: RedisClient
    let database: DatabaseClient
    let coalescer: PushCoalescer
    let history: HistoryRecorder
    let dependencies: ProducerDependencies
    /// Kept fresh while the Producer runs: services of the application.
    let secrets: LoadedSecrets

    init(_ configuration: ProducerConfiguration, secrets: LoadedSecrets = .none, logger: Logger, metrics: PrometheusCollectorRegistry? = nil) {
        self.secrets = secrets
        redis = RedisClient(settings: configuration.redis, recovery: DependencyRecovery(dependency: "Redis", logger: logger))
        let workQueue = QueueShards(redis: redis, settings: configuration.queue)
        history = HistoryRecorder(queue: workQueue, logger: logger)
        coalescer = PushCoalescer(
            target: workQueue, concurrentPushes: configuration.redis.poolSize, batchLimit: configuration.pushBatchLimit,
            highWaterMark: configuration.queueHighWaterMark, history: history, logger: logger)
        database = DatabaseClient(
            settings: configuration.database, ioTimeout: configuration.requestTimeout,
            recovery: DependencyRecovery(dependency: "the database", logger: logger))
        dependencies = ProducerDependencies(
            queue: coalescer, counts: DatabaseCountReader(database: database), inspector: RedisQueueInspector(queue: workQueue),
            instanceName: InstanceName.current, metrics: metrics, operationsSupport: HistoryAndAdminRoutes(queue: workQueue, history: history),
            credentialChecks: secrets.readinessChecks)
    }
}

/// Builds the Producer on real Redis and MariaDB.
func buildApplication(
    _ configuration: ProducerConfiguration, secrets: LoadedSecrets = .none, logger: Logger, metrics: PrometheusCollectorRegistry? = nil
) -> some ApplicationProtocol {
    buildApplication(configuration, backends: ProducerBackends(configuration, secrets: secrets, logger: logger, metrics: metrics), logger: logger)
}

/// The public server on HTTP_PORT, with the operations server on OPS_HTTP_PORT as one of its services.
func buildApplication(_ configuration: ProducerConfiguration, backends: ProducerBackends, logger: Logger) -> some ApplicationProtocol {
    var app = Application(
        router: buildRouter(configuration, dependencies: backends.dependencies),
        server: .boundedHTTP1(limits: configuration.limits, logger: logger),
        configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "count-pipeline"),
        logger: logger)
    // Shut down in reverse: the public server first (the Application's own), then the pushes still
    // waiting drain, the last history counts are written, the pools close, and the operations server
    // (which answers /health while the rest drains) goes last; the secrets stay fresh until then.
    for service in backends.secrets.services { app.addServices(service) }
    app.addServices(
        buildOperationsApplication(configuration, dependencies: backends.dependencies, logger: logger),
        ClientShutdown(redis: backends.redis, database: backends.database), HistoryFlusher(history: backends.history),
        backends.coalescer)
    return app
}

/// The operations server on OPS_HTTP_PORT, with no limits meant for strangers: only the network reaches it.
func buildOperationsApplication(_ configuration: ProducerConfiguration, dependencies: ProducerDependencies, logger: Logger) -> some ApplicationProtocol {
    Application(
        router: buildProbesAndMetricsRouter(configuration, dependencies: dependencies),
        configuration: .init(address: .hostname(configuration.httpHost, port: configuration.opsHttpPort), serverName: "count-pipeline"),
        logger: logger)
}

/// The public routes, answered at `/` and again under `/api/` (the path CloudFront forwards to
/// the ALB): the page, /count, /stats, /health. Nothing here names a host, address or port.
func buildRouter(_ configuration: ProducerConfiguration, dependencies: ProducerDependencies) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: CORSMiddleware(
        allowOrigin: configuration.corsAllowOrigin == "*" ? .all : .custom(configuration.corsAllowOrigin),
        allowHeaders: [.contentType, .accept, .authorization, .idempotencyKey],
        allowMethods: [.get, .post, .options],
        exposedHeaders: ["X-Request-Id", "Retry-After", "WWW-Authenticate"],
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
            Response.json(#"{"service":"count-pipeline producer","routes":["POST /count","GET /count","GET /stats","GET /health"]}"#)
        }
    }
    let counts = CountController<AppRequestContext>(
        queue: dependencies.queue, counts: dependencies.counts, instanceName: dependencies.instanceName,
        requestTimeout: configuration.requestTimeout, maxBodyBytes: configuration.maxBodyBytes)
    let stats = StatsController<AppRequestContext>(
        queue: dependencies.inspector, counts: dependencies.counts, instanceName: dependencies.instanceName,
        requestTimeout: configuration.requestTimeout)
    let liveness = probes(configuration, dependencies: dependencies, hostname: dependencies.instanceName)
    let rateLimiter = configuration.rateLimit.map { RateLimiter(settings: $0, trustedProxyHops: configuration.trustedProxyHops) }
    for group in [router.group(), router.group("api")] {
        // Writes pass the rate limit first, so a flood of unauthorised requests costs no token check.
        let writes = group.group()
        if let rateLimiter { writes.add(middleware: RateLimitMiddleware(limiter: rateLimiter)) }
        if let token = configuration.writeToken { writes.add(middleware: WriteTokenMiddleware(token: token)) }
        counts.addRoutes(reads: group, writes: writes)
        stats.addRoutes(to: group)
        dependencies.operationsSupport?.addRoutes(to: group, configuration: configuration)
        group.get("health") { _, _ in liveness.health() }
    }
    return router
}

/// The operations routes (/metrics, /ready with the failing server's own words, /health), for
/// OPS_HTTP_PORT: reachable inside the network only.
func buildProbesAndMetricsRouter(_ configuration: ProducerConfiguration, dependencies: ProducerDependencies) -> Router<BasicRequestContext> {
    buildProbesAndMetricsRouter(probes: probes(configuration, dependencies: dependencies, hostname: dependencies.hostname), metrics: dependencies.metrics)
}

private func probes(_ configuration: ProducerConfiguration, dependencies: ProducerDependencies, hostname: String) -> Probes {
    Probes(
        program: "Producer", hostname: hostname, timeout: configuration.requestTimeout,
        redis: { [inspector = dependencies.inspector] in try await inspector.ping(deadline: $0) },
        database: { [counts = dependencies.counts] in _ = try await counts.summary(deadline: $0) },
        ownState: dependencies.credentialChecks)
}

/// Closes the Redis and MariaDB pools last, after the server and the waiting pushes have drained.
struct ClientShutdown: Service {
    let redis: RedisClient
    let database: DatabaseClient

    func run() async throws {
        try? await gracefulShutdown()
        await redis.shutdown()
        await database.shutdown()
    }
}
