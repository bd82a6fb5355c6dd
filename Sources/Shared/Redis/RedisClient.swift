/// Redis for async code: a pool of hiredis connections on their own threads, reconnecting on demand.
public final class RedisClient: Sendable {
    public let settings: RedisSettings
    private let pool: BlockingConnectionPool<RedisConnection>

    /// The configuration was checked at start (`RedisSettings(from:)`), so TLS setup failing here
    /// is unexpected; it still never falls back to plain text: every connection then fails with it.
    public init(settings: RedisSettings, poolSize: Int? = nil) {
        self.settings = settings
        let tls: Result<RedisTLSContext, RedisError>? = settings.tls.map { tlsSettings in
            Result { () throws(RedisTLSSetupError) in try RedisTLSContext(tlsSettings) }
                .mapError { RedisError(kind: .unsupported, message: $0.reason) }
        }
        let refusals = RefusalBackoff()
        self.pool = BlockingConnectionPool(name: "Redis", size: poolSize ?? settings.poolSize) { deadline in
            try refusals.attempt { () throws(RedisError) in
                try RedisConnection.connect(
                    host: settings.host, port: settings.port, username: settings.username, password: settings.password,
                    tls: tls?.get(), timeout: deadline.remaining)
            }
        }
    }

    /// Connects once and pings, for the start of a program: `RedisError.isRefusal` then means the
    /// configuration is wrong (credentials, TLS) and will stay wrong until someone changes it.
    public func checkAccess(timeout: Duration = .seconds(3)) async throws {
        try await run(["PING"], deadline: .after(timeout))
    }

    /// Sends the commands in one round trip, bounded by the deadline.
    public func pipeline(_ commands: [[String]], deadline: Deadline) async throws -> [RedisValue] {
        try await pool.withConnection(deadline: deadline) { connection in
            try connection.pipeline(commands, timeout: deadline.remaining)
        }
    }

    /// One command with raw-byte arguments (binary-safe); an error reply is thrown as `RedisError`.
    @discardableResult
    public func run(bytes command: [[UInt8]], deadline: Deadline) async throws -> RedisValue {
        try await pool.withConnection(deadline: deadline) { connection in
            try connection.pipeline(bytes: [command], timeout: deadline.remaining)[0].check()
        }
    }

    /// One command; an error reply is thrown as `RedisError`.
    @discardableResult
    public func run(_ command: [String], deadline: Deadline) async throws -> RedisValue {
        try await pipeline([command], deadline: deadline)[0].check()
    }

    /// A command that blocks on the server for up to `blockFor` (BLMOVE and friends).
    @discardableResult
    public func runBlocking(_ command: [String], blockFor: Duration, deadline: Deadline) async throws -> RedisValue {
        try await pool.withConnection(deadline: deadline) { connection in
            try connection.run(command, timeout: blockFor + max(deadline.remaining, .milliseconds(500)))
        }
    }

    public func shutdown() async {
        await pool.shutdown()
    }
}
