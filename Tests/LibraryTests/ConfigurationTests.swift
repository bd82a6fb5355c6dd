import Logging
import Testing

@testable import Database
@testable import Observability
@testable import Queue
@testable import Redis
@testable import Settings

@Suite struct ConfigurationTests {
    private let minimal = ["REDIS_HOST": "redis", "DB_HOST": "db", "DB_USER": "u", "DB_PASSWORD": "s3cret!"]

    @Test func appliesTheDocumentedDefaults() throws {
        let env = EnvironmentReader(minimal)
        let redis = try RedisSettings(from: env)
        #expect(redis == RedisSettings(host: "redis", port: 6379, password: nil, cluster: false, poolSize: 4))
        #expect(try QueueSettings(from: env) == QueueSettings(name: "count_queue", shards: 1, waitReplicas: 0))
        let database = try DatabaseSettings(from: env)
        #expect(database == DatabaseSettings(host: "db", port: 3306, user: "u", password: "s3cret!", name: "count"))
        #expect(try LogSettings(from: env) == LogSettings(level: .info, format: .text))
    }

    @Test func readsClusterShardsAndReplicaConfirmations() throws {
        var values = minimal
        values["REDIS_CLUSTER"] = "true"
        values["REDIS_QUEUE_SHARDS"] = "3"
        values["REDIS_WAIT_REPLICAS"] = "1"
        let redis = try RedisSettings(from: EnvironmentReader(values))
        let queue = try QueueSettings(from: EnvironmentReader(values))
        #expect(redis.cluster && queue.shards == 3 && queue.waitReplicas == 1)
    }

    @Test func redisTLSVerifiesAgainstTheSystemTrustStoreAndTheHostNameUnlessTold() throws {
        var values = minimal
        values["REDIS_TLS"] = "true"
        let plain = try RedisSettings(from: EnvironmentReader(values), checkTLS: { _ in nil })
        #expect(plain.tls == RedisTLSSettings(caFile: nil, serverName: nil))
        values["REDIS_TLS_CA_FILE"] = "/etc/ca.pem"
        values["REDIS_TLS_SERVER_NAME"] = "cache.example"
        let told = try RedisSettings(from: EnvironmentReader(values), checkTLS: { _ in nil })
        #expect(told.tls == RedisTLSSettings(caFile: "/etc/ca.pem", serverName: "cache.example"))
    }

    /// The real check, on every build (swift-nio-ssl does TLS, whichever hiredis is linked): a CA
    /// file that cannot be read stops the program at start, never a silent plain-text connection.
    @Test func redisTLSWithAnUnreadableCAFileStopsTheProgramAtStart() {
        var values = minimal
        values["REDIS_TLS"] = "true"
        values["REDIS_TLS_CA_FILE"] = "/nonexistent/ca.pem"
        #expect {
            _ = try RedisSettings(from: EnvironmentReader(values))
        } throws: { error in
            let line = "\(error)"
            return line.contains("REDIS_TLS_CA_FILE cannot be used") && line.contains("/nonexistent/ca.pem")
        }
    }

    @Test(arguments: [
        ("REDIS_HOST", nil, "REDIS_HOST is required"),
        ("DB_PASSWORD", nil, "DB_PASSWORD is required"),
        ("REDIS_PORT", "63 79", "REDIS_PORT must be a whole number"),
        ("REDIS_PORT", "70000", "REDIS_PORT must be between 1 and 65535"),
        ("DB_PORT", "0", "DB_PORT must be between 1 and 65535"),
        ("REDIS_CLUSTER", "maybe", "REDIS_CLUSTER must be true or false"),
        ("REDIS_QUEUE", "my queue", "REDIS_QUEUE must be 1 to 64 characters"),
        ("DB_NAME", "count`; DROP", "DB_NAME must be 1 to 64 characters"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL must be one of trace, debug, info"),
        ("REDIS_TLS_CA_FILE", "/etc/ca.pem", "REDIS_TLS_CA_FILE is set but REDIS_TLS is not true"),
        ("REDIS_TLS_SERVER_NAME", "cache.example", "REDIS_TLS_SERVER_NAME is set but REDIS_TLS is not true"),
        ("REDIS_USERNAME", "producer", "REDIS_PASSWORD is not set, but REDIS_USERNAME is"),
        ("REDIS_QUEUE_SHARDS", "0", "REDIS_QUEUE_SHARDS must be between 1 and 64"),
        ("REDIS_WAIT_REPLICAS", "all", "REDIS_WAIT_REPLICAS must be a whole number"),
    ] as [(String, String?, String)])
    func rejectsBadSettingsNamingTheVariable(variable: String, value: String?, expected: String) {
        var values = minimal
        values[variable] = value
        let env = EnvironmentReader(values)
        #expect {
            _ = try RedisSettings(from: env)
            _ = try QueueSettings(from: env)
            _ = try DatabaseSettings(from: env)
            _ = try LogSettings(from: env)
        } throws: { error in
            let line = "\(error)"
            return line.hasPrefix("configuration error: ") && line.contains(expected) && !line.contains("s3cret!")
        }
    }

    @Test func emptyCountsAsUnsetAndBooleansTakeCommonSpellings() throws {
        let env = EnvironmentReader(["A": "", "B": " YES ", "C": "off"])
        #expect(env.optional("A") == nil)
        #expect(try env.boolean("B", default: false))
        #expect(try !env.boolean("C", default: true))
        #expect(try env.integer("A", default: 7, in: 1...9) == 7)
    }

    @Test func neverPrintsPasswords() throws {
        let database = try DatabaseSettings(from: EnvironmentReader(minimal))
        #expect(!database.endpointDescription.contains("s3cret!"))
    }
}

@Suite struct PlainTextDatabaseWarningTests {
    @Test func onlyASessionThatLeavesTheMachineUnencryptedIsWarnedAbout() {
        let remote = DatabaseSettings(host: "db.example.internal", user: "u", password: "secret")
        let warning = remote.plainTextWarning
        #expect(warning?.contains("DB_TLS is false and DB_HOST db.example.internal") == true)
        #expect(warning?.contains("caching_sha2_password") == true)
        #expect(warning?.contains("secret") == false, "no password in a log line")
        for host in ["127.0.0.1", "127.0.1.1", "localhost", "::1"] {
            #expect(DatabaseSettings(host: host, user: "u", password: "p").plainTextWarning == nil, "\(host)")
        }
        #expect(DatabaseSettings(host: "db.example.internal", user: "u", password: "p", tls: true).plainTextWarning == nil)
    }
}

@Suite struct RepeatedWarningsTests {
    @Test func aRepeatedWarningIsLoggedOnceAnIntervalWithTheCountOfWhatWasLeftOut() {
        let warnings = RepeatedWarnings(logger: Logger(label: "test"), interval: .seconds(10))
        let start = ContinuousClock.now
        #expect(warnings.admit("retrying", now: start) == 0)
        for offset in 1...500 {
            #expect(warnings.admit("retrying", now: start + .milliseconds(offset)) == nil)
        }
        #expect(warnings.admit("another problem", now: start + .seconds(1)) == 0, "each message has its own interval")
        #expect(warnings.admit("retrying", now: start + .seconds(10)) == 500)
        #expect(warnings.admit("retrying", now: start + .seconds(11)) == nil)
    }

    @Test func eachKindOfAMessageHasItsOwnInterval() {
        let warnings = RepeatedWarnings(logger: Logger(label: "test"), interval: .seconds(10))
        let start = ContinuousClock.now
        #expect(warnings.warning("request failed", kind: "queue_unavailable", now: start))
        #expect(!warnings.warning("request failed", kind: "queue_unavailable", now: start + .seconds(1)))
        #expect(warnings.warning("request failed", kind: "database_unavailable", now: start + .seconds(1)))
    }
}

@Suite struct DependencyRecoveryTests {
    @Test func anOutageOfASecondOrMoreEndsWithOneRecoveryLineNamingItsLengthAndFailures() {
        let recovery = DependencyRecovery(dependency: "Redis", logger: Logger(label: "test"), minimumOutage: .seconds(1))
        let start = ContinuousClock.now
        #expect(recovery.outageEnded(now: start) == nil, "no outage: an answer says nothing")
        recovery.failed(now: start)
        recovery.failed(now: start + .milliseconds(400))
        recovery.failed(now: start + .milliseconds(900))
        #expect(recovery.outageEnded(now: start + .seconds(4)) == DependencyRecovery.Outage(since: start, failures: 3))
        #expect(recovery.outageEnded(now: start + .seconds(5)) == nil, "told once: the next answer is ordinary")
    }

    @Test func aBlipShorterThanTheMinimumOutageGetsNoLineAndIsForgotten() {
        let recovery = DependencyRecovery(dependency: "the database", logger: Logger(label: "test"), minimumOutage: .seconds(1))
        let start = ContinuousClock.now
        recovery.failed(now: start)
        #expect(recovery.outageEnded(now: start + .milliseconds(300)) == nil)
        recovery.failed(now: start + .seconds(3))
        #expect(recovery.outageEnded(now: start + .milliseconds(3500)) == nil, "a new outage counts from its own first failure")
    }
}
