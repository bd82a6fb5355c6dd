import Resilience

/// MariaDB / MySQL for async code: a pool of libmariadb sessions on their own threads, reconnecting on demand.
public final class DatabaseClient: Sendable {
    public let settings: DatabaseSettings
    private let pool: BlockingConnectionPool<DatabaseConnection>

    /// - Parameter ioTimeout: bound on each read/write of a statement (whole seconds, at least 1).
    public init(settings: DatabaseSettings, poolSize: Int? = nil, ioTimeout: Duration) {
        self.settings = settings
        self.pool = BlockingConnectionPool(name: "database", size: poolSize ?? settings.poolSize) { deadline in
            try DatabaseConnection.connect(
                settings: settings, database: settings.name, connectTimeout: deadline.remaining, ioTimeout: ioTimeout)
        }
    }

    /// Runs `body` with a session on one of the pool's threads: the only way to a session outside
    /// this package's own tools and tests (`DatabaseConnection` is `package`, not public).
    package func withConnection<Result: Sendable>(
        deadline: Deadline, _ body: @escaping @Sendable (DatabaseConnection) throws -> Result
    ) async throws -> Result {
        try await pool.withConnection(deadline: deadline, body)
    }

    public func shutdown() async {
        await pool.shutdown()
    }
}
