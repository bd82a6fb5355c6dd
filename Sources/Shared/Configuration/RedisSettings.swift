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
    /// nil: plain TCP.
    public var tls: RedisTLSSettings?

    public init(
        host: String, port: Int = 6379, queue: String = "count_queue", username: String? = nil,
        password: String? = nil, cluster: Bool = false, poolSize: Int = 4, tls: RedisTLSSettings? = nil
    ) {
        self.host = host
        self.port = port
        self.queue = queue
        self.username = username
        self.password = password
        self.cluster = cluster
        self.poolSize = poolSize
        self.tls = tls
    }

    /// `checkTLS` says whether TLS can work in this process as configured (nil) or why not; tests pass their own.
    public init(
        from env: EnvironmentReader, checkTLS: (RedisTLSSettings) -> ConfigurationError? = RedisTLSContext.problem(with:)
    ) throws(ConfigurationError) {
        let host = try env.required("REDIS_HOST")
        self.init(
            host: host,
            port: try env.port("REDIS_PORT", default: 6379),
            queue: try env.identifier("REDIS_QUEUE", default: "count_queue"),
            username: env.optional("REDIS_USERNAME"),
            password: env.optional("REDIS_PASSWORD"),
            cluster: try env.boolean("REDIS_CLUSTER", default: false),
            poolSize: try env.integer("REDIS_POOL_SIZE", default: 4, in: 1...64),
            tls: try RedisTLSSettings(from: env, host: host)
        )
        if password == nil, let username {
            throw ConfigurationError(
                variable: "REDIS_PASSWORD",
                problem: "is not set, but REDIS_USERNAME is (\(username)); an ACL user needs its password")
        }
        if cluster {
            throw ConfigurationError(
                variable: "REDIS_CLUSTER",
                problem: "is true, but this build speaks to a single Redis primary only; set REDIS_CLUSTER=false")
        }
        if let tls, let problem = checkTLS(tls) { throw problem }
    }

    /// The address for logs; never includes the password.
    public var endpointDescription: String { "\(host):\(port)\(tls == nil ? "" : " (TLS)")" }
}

/// `REDIS_TLS=true` and how to verify the server: its certificate must chain to `caFile` (nil: the
/// system's trust store, which holds the public CAs that sign ElastiCache's certificates) and name
/// `serverName` (by default `REDIS_HOST`; a DNS name or an IP address).
public struct RedisTLSSettings: Sendable, Equatable {
    public var caFile: String?
    public var serverName: String

    public init(caFile: String? = nil, serverName: String) {
        self.caFile = caFile
        self.serverName = serverName
    }

    /// nil when `REDIS_TLS` is false; the TLS-only settings are refused then rather than ignored.
    init?(from env: EnvironmentReader, host: String) throws(ConfigurationError) {
        guard try env.boolean("REDIS_TLS", default: false) else {
            for variable in ["REDIS_TLS_CA_FILE", "REDIS_TLS_SERVER_NAME"] where env.optional(variable) != nil {
                throw ConfigurationError(variable: variable, problem: "is set but REDIS_TLS is not true; set REDIS_TLS=true to use it")
            }
            return nil
        }
        self.init(caFile: env.optional("REDIS_TLS_CA_FILE"), serverName: env.optional("REDIS_TLS_SERVER_NAME") ?? host)
    }
}
