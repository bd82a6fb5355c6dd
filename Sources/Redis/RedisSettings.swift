import Settings

/// How to reach Redis (`REDIS_*`); which queue to use there is the Queue module's `QueueSettings`.
public struct RedisSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// Read at each new connection: `REDIS_USERNAME`/`REDIS_PASSWORD`, or the secret `REDIS_SECRET` names.
    public var credentials: any CredentialSource
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
        self.credentials = FixedCredential(user: username, password: password)
        self.cluster = cluster
        self.poolSize = poolSize
        self.tls = tls
    }

    /// With `REDIS_SECRET` set, `REDIS_USERNAME`/`REDIS_PASSWORD` are not read: the Secrets module
    /// sets `credentials` before anything connects. `checkTLS` says whether TLS can work in this process as configured (nil) or why not; tests pass their own.
    public init(
        from env: EnvironmentReader, checkTLS: (RedisTLSSettings) -> ConfigurationError? = RedisTLS.problem(with:)
    ) throws(ConfigurationError) {
        let fromSecret = env.optional("REDIS_SECRET") != nil
        self.init(
            host: try env.required("REDIS_HOST"),
            port: try env.port("REDIS_PORT", default: 6379),
            username: fromSecret ? nil : env.optional("REDIS_USERNAME"),
            password: fromSecret ? nil : env.optional("REDIS_PASSWORD"),
            cluster: try env.boolean("REDIS_CLUSTER", default: false),
            poolSize: try env.integer("REDIS_POOL_SIZE", default: 4, in: 1...64),
            tls: try RedisTLSSettings(from: env)
        )
        if credentials.current.password == nil, let username = credentials.current.user {
            throw ConfigurationError(
                variable: "REDIS_PASSWORD",
                problem: "is not set, but REDIS_USERNAME is (\(username)); an ACL user needs its password")
        }
        if let tls, let problem = checkTLS(tls) { throw problem }
    }

    /// Fixed credentials (tests, tools); a rotating source is set through `credentials`.
    public var username: String? {
        get { credentials.current.user }
        set { credentials = FixedCredential(user: newValue, password: credentials.current.password) }
    }

    public var password: String? {
        get { credentials.current.password }
        set { credentials = FixedCredential(user: credentials.current.user, password: newValue) }
    }

    /// The address for logs; never includes the password.
    public var endpointDescription: String { "\(host):\(port)\(tls == nil ? "" : " (TLS)")" }

    public static func == (lhs: RedisSettings, rhs: RedisSettings) -> Bool {
        lhs.host == rhs.host && lhs.port == rhs.port && lhs.credentials.current == rhs.credentials.current
            && lhs.cluster == rhs.cluster && lhs.poolSize == rhs.poolSize && lhs.tls == rhs.tls
    }
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
