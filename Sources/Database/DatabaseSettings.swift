import Settings

/// How to reach MariaDB / MySQL (`DB_*`).
public struct DatabaseSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// Read at each new connection: `DB_USER`/`DB_PASSWORD`, or the secret `DB_SECRET` names.
    public var credentials: any CredentialSource
    public var name: String
    /// Connections (and threads) for blocking database calls.
    public var poolSize: Int
    /// Require TLS and verify the server's certificate (RDS with `require_secure_transport`).
    public var tls: Bool
    /// CA bundle for that verification (for RDS, Amazon's global bundle); nil = the system's.
    public var tlsCAFile: String?

    public init(
        host: String, port: Int = 3306, user: String, password: String, name: String = "count", poolSize: Int = 4,
        tls: Bool = false, tlsCAFile: String? = nil
    ) {
        self.host = host
        self.port = port
        self.credentials = FixedCredential(user: user, password: password)
        self.name = name
        self.poolSize = poolSize
        self.tls = tls
        self.tlsCAFile = tlsCAFile
    }

    /// With `DB_SECRET` set, `DB_USER`/`DB_PASSWORD` are not read and `DB_HOST` may be left out:
    /// the Secrets module fills them in from the secret before anything connects.
    public init(from env: EnvironmentReader) throws(ConfigurationError) {
        let fromSecret = env.optional("DB_SECRET") != nil
        self.init(
            host: fromSecret ? env.string("DB_HOST", default: "") : try env.required("DB_HOST"),
            port: try env.port("DB_PORT", default: 3306),
            user: fromSecret ? "" : try env.required("DB_USER"),
            password: fromSecret ? "" : try env.required("DB_PASSWORD"),
            name: try env.identifier("DB_NAME", default: "count"),
            poolSize: try env.integer("DB_POOL_SIZE", default: 4, in: 1...64),
            tls: try env.boolean("DB_TLS", default: false),
            tlsCAFile: env.optional("DB_TLS_CA_FILE")
        )
        if tlsCAFile != nil, !tls {
            throw ConfigurationError(variable: "DB_TLS_CA_FILE", problem: "is set but DB_TLS is not true; set DB_TLS=true to use it")
        }
    }

    /// What to warn about at start when a session would cross a network unencrypted, nil otherwise.
    public var plainTextWarning: String? {
        guard !tls, !Self.isLoopback(host) else { return nil }
        return "DB_TLS is false and DB_HOST \(host) is not this machine: the database password and every value cross the network"
            + " in plain text, and with MySQL's caching_sha2_password the server's RSA key is fetched unauthenticated,"
            + " so a machine in the middle can learn the password. Set DB_TLS=true (and DB_TLS_CA_FILE for a private CA such as RDS')."
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }

    /// The user new connections log in as now.
    public var user: String { credentials.current.user ?? "" }
    public var password: String { credentials.current.password ?? "" }

    /// The address for logs; never includes the password.
    public var endpointDescription: String { "\(user)@\(host):\(port)/\(name)" }

    public static func == (lhs: DatabaseSettings, rhs: DatabaseSettings) -> Bool {
        lhs.host == rhs.host && lhs.port == rhs.port && lhs.credentials.current == rhs.credentials.current && lhs.name == rhs.name
            && lhs.poolSize == rhs.poolSize && lhs.tls == rhs.tls && lhs.tlsCAFile == rhs.tlsCAFile
    }
}
