import Database
import Observability
import Queue
import Redis
import Settings

/// Everything the Producer reads from its environment, validated at start.
struct ProducerConfiguration: Sendable {
    var httpHost = "0.0.0.0"
    /// The public port: the page, /count, /stats, /health.
    var httpPort = 5080
    /// The operations port, for machines inside the network: /metrics, /ready, /health.
    var opsHttpPort = 5082
    var redis: RedisSettings
    var queue: QueueSettings
    var database: DatabaseSettings
    var log = LogSettings()
    /// `Access-Control-Allow-Origin`: `*` or one origin.
    var corsAllowOrigin = "*"
    /// Deadline for every call that depends on Redis or MariaDB.
    var requestTimeout: Duration = .milliseconds(1000)
    var maxBodyBytes = 1024
    var limits = ServerLimits()
    /// Per-client token bucket on POST /count; nil = off.
    var rateLimit: RateLimitSettings?
    /// How many proxies in front of the Producer may be believed about the client's address
    /// (their X-Forwarded-For entries); 0 = the peer address is the client.
    var trustedProxyHops = 0
    /// When set, POST /count needs `Authorization: Bearer <token>`.
    var writeToken: String?
    /// Folder served at `/` (the dashboard); nil = no page.
    var staticDirectory: String?
    /// Most values in one coalesced RPUSH.
    var pushBatchLimit = 1000
    /// Above this many queued values, POST answers 429 (0 = no limit).
    var queueHighWaterMark = 1_000_000
    /// Bearer token of `/admin/...`; nil: those routes do not exist.
    var adminToken: String?

    init(redis: RedisSettings, queue: QueueSettings = QueueSettings(), database: DatabaseSettings) {
        self.redis = redis
        self.queue = queue
        self.database = database
    }

    init(environment env: EnvironmentReader) throws(ConfigurationError) {
        self.init(redis: try RedisSettings(from: env), queue: try QueueSettings(from: env), database: try DatabaseSettings(from: env))
        httpHost = env.string("HTTP_HOST", default: httpHost)
        httpPort = try env.port("HTTP_PORT", default: httpPort)
        opsHttpPort = try env.port("OPS_HTTP_PORT", default: opsHttpPort)
        guard opsHttpPort != httpPort else {
            throw ConfigurationError(variable: "OPS_HTTP_PORT", problem: "must differ from HTTP_PORT (\(httpPort)): the operations routes stay off the public port")
        }
        log = try LogSettings(from: env)
        corsAllowOrigin = env.string("CORS_ALLOW_ORIGIN", default: corsAllowOrigin)
        requestTimeout = try env.milliseconds("REQUEST_TIMEOUT_MS", default: 1000, in: 50...60_000)
        maxBodyBytes = try env.integer("MAX_BODY_BYTES", default: maxBodyBytes, in: 64...1_048_576)
        limits = try ServerLimits(from: env)
        rateLimit = try RateLimitSettings.read(from: env)
        trustedProxyHops = try env.integer("TRUSTED_PROXY_HOPS", default: 0, in: 0...10)
        writeToken = try env.secretToken("WRITE_TOKEN")
        staticDirectory = env.optional("STATIC_DIR")
        pushBatchLimit = try env.integer("PUSH_BATCH_LIMIT", default: pushBatchLimit, in: 1...10_000)
        queueHighWaterMark = try env.integer("QUEUE_HIGH_WATER", default: queueHighWaterMark, in: 0...1_000_000_000)
        adminToken = try env.secretToken("ADMIN_TOKEN")
    }
}
