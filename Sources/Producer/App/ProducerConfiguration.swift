import Shared

/// Everything the Producer reads from its environment, validated at start.
struct ProducerConfiguration: Sendable {
    var httpHost = "0.0.0.0"
    var httpPort = 5080
    var redis: RedisSettings
    var database: DatabaseSettings
    var log = LogSettings()
    /// `Access-Control-Allow-Origin`: `*` or one origin.
    var corsAllowOrigin = "*"
    /// Deadline for every call that depends on Redis or MariaDB.
    var requestTimeout: Duration = .milliseconds(1000)
    var maxBodyBytes = 1024
    /// A connection that sends nothing this long is closed (a stalled body, an idle keep-alive).
    /// Longer than the AWS ALB's 60 s idle timeout, so the ALB, not the server, closes idle connections.
    var idleTimeout: Duration = .seconds(75)
    /// Folder served at `/` (the dashboard); nil = no page.
    var staticDirectory: String?
    /// Most values in one coalesced RPUSH.
    var pushBatchLimit = 1000
    /// Above this many queued values, POST answers 429 (0 = no limit).
    var queueHighWaterMark = 1_000_000
    /// Bearer token of `/admin/...`; nil: those routes do not exist.
    var adminToken: String?

    init(redis: RedisSettings, database: DatabaseSettings) {
        self.redis = redis
        self.database = database
    }

    init(environment env: EnvironmentReader) throws(ConfigurationError) {
        self.init(redis: try RedisSettings(from: env), database: try DatabaseSettings(from: env))
        httpHost = env.string("HTTP_HOST", default: httpHost)
        httpPort = try env.port("HTTP_PORT", default: httpPort)
        log = try LogSettings(from: env)
        corsAllowOrigin = env.string("CORS_ALLOW_ORIGIN", default: corsAllowOrigin)
        requestTimeout = try env.milliseconds("REQUEST_TIMEOUT_MS", default: 1000, in: 50...60_000)
        maxBodyBytes = try env.integer("MAX_BODY_BYTES", default: maxBodyBytes, in: 64...1_048_576)
        idleTimeout = try env.milliseconds("HTTP_IDLE_TIMEOUT_MS", default: 75_000, in: 1000...3_600_000)
        staticDirectory = env.optional("STATIC_DIR")
        pushBatchLimit = try env.integer("PUSH_BATCH_LIMIT", default: pushBatchLimit, in: 1...10_000)
        queueHighWaterMark = try env.integer("QUEUE_HIGH_WATER", default: queueHighWaterMark, in: 0...1_000_000_000)
        adminToken = try env.secretToken("ADMIN_TOKEN")
    }
}
