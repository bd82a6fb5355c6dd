import Settings

/// How to reach Redis (`REDIS_*`); which queue to use there is the Queue module's `QueueSettings`.
public struct RedisSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var cluster: Bool
    /// Connections per Redis node that commands are pipelined over (blocking commands get their own besides).
    public var poolSize: Int
    /// nil: plain TCP.
    public var tls: RedisTLSSettings?

    public init(
        host: String, port: Int = 6379, username: String? = nil,
        password: String? = nil, cluster: Bool = false, poolSize: Int = 4, tls: RedisTLSSettings? = nil
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.cluster = cluster
        self.poolSize = poolSize
        self.tls = tls
    }

    /// `checkTLS` says whether TLS can work in this process as configured (nil) or why not; tests pass their own.
    public init(
        from env: EnvironmentReader, checkTLS: (RedisTLSSettings) -> ConfigurationError? = RedisTLS.problem(with:)
    ) throws(ConfigurationError) {
        self.init(
            host: try env.required("REDIS_HOST"),
            port: try env.port("REDIS_PORT", default: 6379),
            username: env.optional("REDIS_USERNAME"),
            password: env.optional("REDIS_PASSWORD"),
            cluster: try env.boolean("REDIS_CLUSTER", default: false),
            poolSize: try env.integer("REDIS_POOL_SIZE", default: 4, in: 1...64),
            tls: try RedisTLSSettings(from: env)
        )
        if password == nil, let username {
            throw ConfigurationError(
                variable: "REDIS_PASSWORD",
                problem: "is not set, but REDIS_USERNAME is (\(username)); an ACL user needs its password")
        }
        if let tls, let problem = checkTLS(tls) { throw problem }
    }

    /// The address for logs; never includes the password.
    public var endpointDescription: String { "\(host):\(port)\(tls == nil ? "" : " (TLS)")" }
}

/// `REDIS_TLS=true` and how to verify the server: its certificate must chain to `caFile` (nil: the
/// system's trust store, which holds the public CAs that sign ElastiCache's certificates) and name
/// `serverName` (a DNS name or an IP address; nil: the host connected to, which for a cluster's
/// other nodes is the address the cluster reports).
public struct RedisTLSSettings: Sendable, Hashable {
    public var caFile: String?
    public var serverName: String?

    public init(caFile: String? = nil, serverName: String? = nil) {
        self.caFile = caFile
        self.serverName = serverName
    }

    /// nil when `REDIS_TLS` is false; the TLS-only settings are refused then rather than ignored.
    init?(from env: EnvironmentReader) throws(ConfigurationError) {
        guard try env.boolean("REDIS_TLS", default: false) else {
            for variable in ["REDIS_TLS_CA_FILE", "REDIS_TLS_SERVER_NAME"] where env.optional(variable) != nil {
                throw ConfigurationError(variable: variable, problem: "is set but REDIS_TLS is not true; set REDIS_TLS=true to use it")
            }
            return nil
        }
        self.init(caFile: env.optional("REDIS_TLS_CA_FILE"), serverName: env.optional("REDIS_TLS_SERVER_NAME"))
    }
}
