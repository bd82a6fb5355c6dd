/// How to reach Redis and which queue to use (`REDIS_*`).
public struct RedisSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var queue: String
    public var username: String?
    public var password: String?
    public var cluster: Bool
    /// Connections (and threads) for blocking Redis calls.
    public var poolSize: Int

    public init(
        host: String, port: Int = 6379, queue: String = "count_queue", username: String? = nil,
        password: String? = nil, cluster: Bool = false, poolSize: Int = 4
    ) {
        self.host = host
        self.port = port
        self.queue = queue
        self.username = username
        self.password = password
        self.cluster = cluster
        self.poolSize = poolSize
    }

    public init(from env: EnvironmentReader) throws(ConfigurationError) {
        self.init(
            host: try env.required("REDIS_HOST"),
            port: try env.port("REDIS_PORT", default: 6379),
            queue: try env.identifier("REDIS_QUEUE", default: "count_queue"),
            username: env.optional("REDIS_USERNAME"),
            password: env.optional("REDIS_PASSWORD"),
            cluster: try env.boolean("REDIS_CLUSTER", default: false),
            poolSize: try env.integer("REDIS_POOL_SIZE", default: 4, in: 1...64)
        )
        if cluster {
            throw ConfigurationError(
                variable: "REDIS_CLUSTER",
                problem: "is true, but this build speaks to a single Redis primary only; set REDIS_CLUSTER=false")
        }
        if try env.boolean("REDIS_TLS", default: false) {
            throw ConfigurationError(
                variable: "REDIS_TLS",
                problem: "is true, but this build's hiredis has no TLS support; refusing to connect in plain text")
        }
    }

    /// The address for logs; never includes the password.
    public var endpointDescription: String { "\(host):\(port)" }
}
