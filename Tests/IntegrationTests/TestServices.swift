import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import ServiceLifecycle
import Database
import Observability
import Queue
import Redis
import Resilience
import Testing

@testable import Consumer
@testable import Producer

/// The real Redis and MariaDB that `./dev test` starts on loopback, and helpers to give each test
/// its own queue and database so tests cannot see each other's data.
enum TestServices {
    static let environment = ProcessInfo.processInfo.environment

    /// Why the integration suites cannot run here, or nil when the servers `./dev test` starts are
    /// up: the flag it sets, and Redis and MariaDB accepting connections on their ports. Looked at once.
    static let missingServers: String? = {
        guard environment["COUNT_PIPELINE_TEST_SERVICES"] == "1" else {
            return "needs the Redis and MariaDB that `./dev test swift` starts (COUNT_PIPELINE_TEST_SERVICES is not 1)"
        }
        for (name, fallback) in [("REDIS_PORT", 16380), ("DB_PORT", 13307)] {
            let port = Int(environment[name] ?? "") ?? fallback
            guard acceptsConnections(port: port) else { return "needs a server on 127.0.0.1:\(port) (\(name)); nothing accepts connections there" }
        }
        return nil
    }()

    /// Whether something listens on the loopback port (a TCP connect, closed at once).
    static func acceptsConnections(port: Int) -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    struct SetupError: Error, CustomStringConvertible {
        let description: String
    }

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
    }

    static func redis(queue: String = uniqueName("itest")) -> TestRedis {
        TestRedis(settings: RedisSettings(host: "127.0.0.1", port: Int(environment["REDIS_PORT"] ?? "") ?? 16380), queue: QueueSettings(name: queue))
    }

    /// A new, empty database (count_test_*) for one test, on MariaDB.
    static func freshDatabase() throws -> DatabaseSettings {
        try DatabaseServer.mariaDB.freshDatabase()
    }

    /// A new database with the Consumer's schema and `trigger` on table `count`: how a test makes the
    /// database refuse or fail inserts. The session it returns can drop the trigger again.
    static func databaseWithTrigger(_ trigger: String, on server: DatabaseServer = .mariaDB) throws -> (settings: DatabaseSettings, session: DatabaseConnection) {
        let settings = try server.freshDatabase()
        let session = try connect(settings)
        _ = try SchemaMigrator.migrate(session)
        try session.query(trigger)
        return (settings, session)
    }

    /// Error 1213 (a deadlock) on every insert: one to retry as it is, never a reason to split or dead-letter.
    static let alwaysDeadlockedTrigger = """
        CREATE TRIGGER always_deadlocked BEFORE INSERT ON `count` FOR EACH ROW
        SIGNAL SQLSTATE '40001' SET MYSQL_ERRNO = 1213, MESSAGE_TEXT = 'simulated deadlock'
        """

    static func connect(_ settings: DatabaseSettings) throws -> DatabaseConnection {
        try DatabaseConnection.connect(settings: settings, database: settings.name, connectTimeout: .seconds(5), ioTimeout: .seconds(30))
    }

    static func scalar(_ sql: String, in settings: DatabaseSettings) throws -> String? {
        let connection = try connect(settings)
        defer { connection.close() }
        return try connection.query(sql).first?.first ?? nil
    }

    static func rowCount(_ settings: DatabaseSettings) throws -> Int {
        Int(try scalar("SELECT COUNT(*) FROM `count`", in: settings) ?? "0") ?? 0
    }

    /// swift-metrics can be bootstrapped once per process: every test shares this registry.
    static let metrics = MetricsSetup.bootstrap()

    static let logger: Logger = {
        var logger = Logger(label: "itest")
        logger.logLevel = .warning
        return logger
    }()

    /// Polls `condition` every 50 ms until it holds or `timeout` passes; returns whether it held.
    /// An error counts as "not yet" (the table may not exist until the Consumer has started).
    static func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async -> Bool {
        let end = ContinuousClock.now + timeout
        repeat {
            if (try? await condition()) == true { return true }
            try? await Task.sleep(for: .milliseconds(50))
        } while ContinuousClock.now < end
        return false
    }

    /// Runs a program to its end; returns its exit status and its stdout and stderr together.
    /// A program that should stop by itself but is still running after `timeLimit` is killed, and
    /// the output says so: the test fails with what the program printed instead of hanging.
    static func runToEnd(
        _ executable: URL, arguments: [String] = [], environment: [String: String]? = nil, timeLimit: Duration = .seconds(30)
    ) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let overdue = DispatchWorkItem { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeLimit.seconds, execute: overdue)
        var text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        overdue.cancel()
        if process.terminationReason == .uncaughtSignal, process.terminationStatus == SIGKILL {
            text += "\n[still running after \(timeLimit): killed by the test]\n"
        }
        return (process.terminationStatus, text)
    }

    /// The program next to this test bundle (`swift build --build-tests` builds both), unless the test command names it.
    static func binary(_ program: String) -> URL {
        if let path = environment["\(program.uppercased())_BIN"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(program)
    }

    /// The environment a Producer or Consumer process needs for `redis` and `database`, on free ports of its own.
    static func programEnvironment(redis: TestRedis, database: DatabaseSettings, _ extra: [String: String] = [:]) throws -> [String: String] {
        [
            "REDIS_HOST": redis.settings.host, "REDIS_PORT": String(redis.settings.port), "REDIS_QUEUE": redis.queue.name,
            "DB_HOST": database.host, "DB_PORT": String(database.port), "DB_USER": database.user,
            "DB_PASSWORD": database.password, "DB_NAME": database.name,
            "HTTP_HOST": "127.0.0.1", "HTTP_PORT": String(try unusedPort()), "OPS_HTTP_PORT": String(try unusedPort()), "CONSUMER_HTTP_PORT": String(try unusedPort()),
        ].merging(extra) { _, new in new }
    }

    /// A Producer on loopback with both of its ports picked by the kernel (no fixed port to collide on).
    static func producerConfiguration(redis: TestRedis, database: DatabaseSettings) -> ProducerConfiguration {
        var configuration = ProducerConfiguration(redis: redis.settings, queue: redis.queue, database: database)
        configuration.httpHost = "127.0.0.1"
        configuration.httpPort = 0
        configuration.opsHttpPort = 0
        return configuration
    }

    static func consumerConfiguration(redis: TestRedis, database: DatabaseSettings, id: String = uniqueName("consumer")) -> ConsumerConfiguration {
        var configuration = ConsumerConfiguration(redis: redis.settings, queue: redis.queue, database: database, consumerID: id)
        configuration.httpHost = "127.0.0.1"
        configuration.httpPort = 0
        configuration.blockFor = .milliseconds(200)
        configuration.heartbeatInterval = .milliseconds(200)
        configuration.reclaimAfter = .seconds(2)
        return configuration
    }
}

/// One of the database servers `./dev test` starts: MariaDB, and MySQL (from a Debian sid root)
/// where `DB_TEST_MYSQL_PORT` is set. Tests of what the database does take it as an argument, so
/// they run against both.
struct DatabaseServer: Sendable, CustomTestStringConvertible {
    let kind: DatabaseServerKind
    let port: Int
    /// Where the test CA and the server's certificate are (`ca.pem`, `other-ca.pem`).
    let tlsDirectory: String

    var testDescription: String { kind.rawValue }

    static let mariaDB = DatabaseServer(
        kind: .mariaDB, port: Int(TestServices.environment["DB_PORT"] ?? "") ?? 13307,
        tlsDirectory: TestServices.environment["DB_TEST_TLS_DIR"] ?? "")

    static let all: [DatabaseServer] = [mariaDB] + (TestServices.environment["DB_TEST_MYSQL_PORT"].flatMap(Int.init).map {
        DatabaseServer(kind: .mySQL, port: $0, tlsDirectory: TestServices.environment["DB_TEST_MYSQL_TLS_DIR"] ?? "")
    }.map { [$0] } ?? [])

    func settings(name: String = TestServices.uniqueName("count_test")) -> DatabaseSettings {
        DatabaseSettings(
            host: "127.0.0.1", port: port, user: TestServices.environment["DB_USER"] ?? "count",
            password: TestServices.environment["DB_PASSWORD"] ?? "", name: name)
    }

    /// A new, empty database (count_test_*) for one test.
    func freshDatabase() throws -> DatabaseSettings {
        let settings = settings()
        let connection = try DatabaseConnection.connect(settings: settings, database: nil, connectTimeout: .seconds(5), ioTimeout: .seconds(30))
        defer { connection.close() }
        #expect(connection.server == kind, "the server on port \(port) is not \(kind.rawValue)")
        try connection.query("CREATE DATABASE `\(settings.name)`")
        return settings
    }
}

/// A Consumer running in this process, stopped gracefully (SIGTERM's path) by `stop()`.
final class RunningConsumer: Sendable {
    let id: String
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(_ configuration: ConsumerConfiguration) {
        id = configuration.consumerID
        let consumer = buildConsumer(configuration, logger: TestServices.logger, metrics: TestServices.metrics)
        let group = ServiceGroup(configuration: .init(services: [consumer], logger: TestServices.logger))
        self.group = group
        self.task = Task { try await group.run() }
    }

    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    /// Waits until `redis`'s queue and this consumer's processing list are both empty: everything it
    /// fetched is committed and acknowledged, so its rows and dead letters are final. What a test
    /// waits for before it checks that nothing more arrived (never a fixed sleep).
    func drained(_ redis: TestRedis, timeout: Duration = .seconds(20)) async -> Bool {
        let client = redis.client(poolSize: 1)
        let keys = QueueKeys(queue: redis.queue.name)
        let drained = await TestServices.eventually(timeout: timeout) {
            let lengths = try await client.pipeline(
                [["LLEN", keys.queue], ["LLEN", keys.processing(consumer: self.id)]], routingKey: keys.queue, deadline: .after(.seconds(2)))
            return lengths.map(\.integer) == [0, 0]
        }
        await client.shutdown()
        return drained
    }
}

/// A test's Redis and its own queue there (a unique name per test, so tests cannot see each other's values).
struct TestRedis: Sendable {
    var settings: RedisSettings
    var queue: QueueSettings

    func client(poolSize: Int? = nil) -> RedisClient {
        RedisClient(settings: settings, poolSize: poolSize)
    }

    /// The queue's shards on `client` (a client of `settings`, perhaps with another user).
    func shards(on client: RedisClient) -> QueueShards {
        QueueShards(redis: client, settings: queue)
    }

    /// The queue's first shard (the plain queue) on `client`.
    func workQueue(on client: RedisClient) -> WorkQueue {
        WorkQueue(redis: client, keys: QueueKeys(queue: queue.name), waitReplicas: queue.waitReplicas)
    }
}

/// Test shorthands for the single test Redis (which ignores routing): commands routed by their first argument.

extension RedisClient {
    @discardableResult
    func run(_ command: [String], deadline: Deadline) async throws -> RedisValue {
        try await run(command, routingKey: command.dropFirst().first, deadline: deadline)
    }

    @discardableResult
    func pipeline(_ commands: [[String]], deadline: Deadline) async throws -> [RedisValue] {
        try await pipeline(commands, routingKey: commands.first?.dropFirst().first, deadline: deadline)
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs a suite only where the test servers are up (`TestServices.missingServers`); elsewhere
    /// Swift Testing reports it skipped, with the reason, and `swift test` still passes.
    static var needsTestServers: Self {
        .enabled(if: TestServices.missingServers == nil, Comment(rawValue: TestServices.missingServers ?? "the test servers are up"))
    }
}
