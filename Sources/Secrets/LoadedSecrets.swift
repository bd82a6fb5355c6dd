import Curl
import Database
import Logging
import Redis
import ServiceLifecycle
import Settings

#if canImport(Glibc)
import Glibc
#endif

/// The secrets a program named, read at start and kept fresh while it runs; applied to the
/// database and Redis settings so every new connection logs in with the value in use.
public struct LoadedSecrets: Sendable {
    public let database: SecretSource<DatabaseSecret>?
    public let redis: SecretSource<RedisSecret>?
    private let http: HTTPClient?

    /// Nothing named: the plain variables are used, nothing is fetched.
    public static let none = LoadedSecrets(database: nil, redis: nil, http: nil)

    init(database: SecretSource<DatabaseSecret>?, redis: SecretSource<RedisSecret>?, http: HTTPClient?) {
        self.database = database
        self.redis = redis
        self.http = http
    }

    /// The start-up budget for reading every secret: the program exits non-zero within 15 s.
    public static let startupBudget: Duration = .seconds(12)

    /// Reads the named secrets (both at once); on failure logs one error line per secret that
    /// failed (its id and the AWS error code, never a value) and exits 1.
    public static func readOrExit(_ settings: SecretsSettings?, logger: Logger) async -> LoadedSecrets {
        guard let settings else { return .none }
        let http = HTTPClient()
        let client = SecretsManagerClient(
            settings: settings, credentials: AWSCredentialProvider(settings: settings.credentials, transport: http), transport: http)
        let deadline = ContinuousClock.now + startupBudget
        async let database = start(
            settings.databaseSecret, name: "db", variable: "DB_SECRET", client: client, settings: settings, deadline: deadline, logger: logger,
            parse: DatabaseSecret.parse)
        async let redis = start(
            settings.redisSecret, name: "redis", variable: "REDIS_SECRET", client: client, settings: settings, deadline: deadline, logger: logger,
            parse: RedisSecret.parse)
        let (databaseSource, redisSource) = await (database, redis)
        guard case .success(let databaseValue) = databaseSource, case .success(let redisValue) = redisSource else { exit(1) }
        return LoadedSecrets(database: databaseValue, redis: redisValue, http: http)
    }

    private static func start<Shape: SecretShape>(
        _ secretID: String?, name: String, variable: String, client: SecretsManagerClient, settings: SecretsSettings,
        deadline: ContinuousClock.Instant, logger: Logger, parse: @escaping @Sendable (SecretText) throws(SecretFetchError) -> Shape
    ) async -> Result<SecretSource<Shape>?, SecretFetchError> {
        guard let secretID else { return .success(nil) }
        do {
            let source = try await SecretSource<Shape>.start(
                name: name, secretID: secretID, refreshInterval: settings.refreshInterval, deadline: deadline, logger: logger
            ) { timeout throws(SecretFetchError) in
                try parse(try await client.secretString(secretID, timeout: timeout))
            }
            logger.info("read secret \(secretID) (\(variable))", metadata: ["secret_id": "\(secretID)"])
            return .success(source)
        } catch {
            logger.error(
                "cannot read secret \(secretID) (\(variable)): \(error.code): \(error.detail)",
                metadata: ["secret_id": "\(secretID)", "error_code": "\(error.code)"])
            return .failure(error)
        }
    }

    /// The database settings with the secret's credential, and its host, port and database name
    /// where `DB_HOST`, `DB_PORT`, `DB_NAME` are not set (the variables win; the first value read
    /// decides these, a rotation changes only the credential).
    public func apply(to settings: inout DatabaseSettings, env: EnvironmentReader) throws(ConfigurationError) {
        guard let database else { return }
        let secret = database.value
        settings.credentials = database
        if env.optional("DB_HOST") == nil {
            guard let host = secret.host else {
                throw ConfigurationError(variable: "DB_HOST", problem: "is not set and secret \(database.secretID) has no host")
            }
            settings.host = host
        }
        if env.optional("DB_PORT") == nil, let port = secret.port { settings.port = port }
        if env.optional("DB_NAME") == nil, let name = secret.dbname {
            settings.name = try EnvironmentReader(["DB_NAME": name]).identifier("DB_NAME", default: settings.name)
        }
    }

    public func apply(to settings: inout RedisSettings) {
        if let redis { settings.credentials = redis }
    }

    /// `/ready` checks: `db_credentials`, `redis_credentials` for the secrets in use.
    public var readinessChecks: [String: @Sendable () -> String?] {
        var checks: [String: @Sendable () -> String?] = [:]
        if let database { checks["db_credentials"] = { database.problem } }
        if let redis { checks["redis_credentials"] = { redis.problem } }
        return checks
    }

    /// The refreshers, to run as services of the program (first, so they stop last).
    public var services: [any Service] {
        // The client's shutdown first in the list, so it stops after the refreshers that use it.
        (http.map { [HTTPClientShutdown(client: $0)] } ?? []) + [database as (any Service)?, redis].compactMap { $0 }
    }
}

/// Stops the HTTP client's thread after everything else has stopped.
private struct HTTPClientShutdown: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        client.shutdown()
    }
}
