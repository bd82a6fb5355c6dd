import Database
import Logging
import Redis
import Settings
import Testing

@testable import Secrets

@Suite struct LoadedSecretsTests {
    private static func loaded(_ secret: DatabaseSecret) -> LoadedSecrets {
        let source = SecretSource<DatabaseSecret>(
            name: "db", secretID: "count/db", value: secret, refreshInterval: .seconds(300), onDemandSpacing: .seconds(5),
            tick: .seconds(1), now: { .now }, logger: Logger(label: "test")) { _ throws(SecretFetchError) in secret }
        return LoadedSecrets(database: source, redis: nil, http: nil)
    }

    private static let rds = DatabaseSecret(username: "count", password: "pw", host: "rds.internal", port: 3307, dbname: "count_db")

    @Test func theSecretFillsWhatTheEnvironmentLeavesOut() throws {
        let env = EnvironmentReader(["DB_SECRET": "count/db"])
        var settings = try DatabaseSettings(from: env)
        try Self.loaded(Self.rds).apply(to: &settings, env: env)
        #expect(settings.host == "rds.internal" && settings.port == 3307 && settings.name == "count_db")
        #expect(settings.credentials.current == Credential(user: "count", password: "pw", version: 1))
        #expect(settings.credentials.rotates)
    }

    @Test func explicitVariablesWin() throws {
        let env = EnvironmentReader(["DB_SECRET": "count/db", "DB_HOST": "127.0.0.1", "DB_PORT": "13307", "DB_NAME": "local"])
        var settings = try DatabaseSettings(from: env)
        try Self.loaded(Self.rds).apply(to: &settings, env: env)
        #expect(settings.host == "127.0.0.1" && settings.port == 13307 && settings.name == "local" && settings.user == "count")
    }

    @Test func noHostAnywhereIsAConfigurationError() throws {
        let env = EnvironmentReader(["DB_SECRET": "count/db"])
        var settings = try DatabaseSettings(from: env)
        #expect(throws: ConfigurationError.self) {
            try Self.loaded(DatabaseSecret(username: "u", password: "p")).apply(to: &settings, env: env)
        }
        #expect(throws: ConfigurationError.self) {
            try Self.loaded(DatabaseSecret(username: "u", password: "p", host: "h", dbname: "bad name;")).apply(to: &settings, env: env)
        }
    }

    @Test func withoutSecretsThePlainVariablesStayRequired() {
        #expect(throws: ConfigurationError(variable: "DB_HOST", problem: "is required but not set")) {
            try DatabaseSettings(from: EnvironmentReader(["DB_USER": "u", "DB_PASSWORD": "p"]))
        }
        #expect(LoadedSecrets.none.readinessChecks.isEmpty && LoadedSecrets.none.services.isEmpty)
    }

    @Test func readinessNamesTheCheckOfEachSecret() {
        #expect(Set(Self.loaded(Self.rds).readinessChecks.keys) == ["db_credentials"])
    }
}
