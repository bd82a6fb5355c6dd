import Observability
import Resilience

/// MariaDB / MySQL for async code: a pool of libmariadb sessions on their own threads, reconnecting on demand.
public final class DatabaseClient: Sendable {
    public let settings: DatabaseSettings
    private let pool: BlockingConnectionPool<DatabaseConnection>
    private let recovery: DependencyRecovery?

    /// - Parameters:
    ///   - ioTimeout: bound on each read/write of a statement (whole seconds, at least 1).
    ///   - recovery: told whether the server answered each call, so that the log says once that it
    ///     answers again after an outage.
    public init(settings: DatabaseSettings, poolSize: Int? = nil, ioTimeout: Duration, recovery: DependencyRecovery? = nil) {
        self.settings = settings
        self.recovery = recovery
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
        do {
            let result = try await pool.withConnection(deadline: deadline, body)
            recovery?.answered()
            return result
        } catch let error as DatabaseError where error.isUnanswered {
            recovery?.failed()
            throw error
        } catch let error as DeadlineExceededError {
            recovery?.failed()
            throw error
        }
    }

    public func shutdown() async {
        await pool.shutdown()
    }
}
