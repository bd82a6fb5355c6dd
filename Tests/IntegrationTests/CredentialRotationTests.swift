import Database
import Logging
import Message
import Queue
import Redis
import Secrets
import Settings
import Synchronization
import Testing

@testable import Consumer

/// A rotated credential reaches new connections without a restart: the server refuses the old one
/// (MariaDB/MySQL 1045, Redis WRONGPASS), the refusal has the secret read again, the next
/// connection logs in with the new value, and every queued value becomes a row. The secret store
/// is a value in memory here; the system tests do the same against moto's Secrets Manager.
@Suite(.serialized, .timeLimit(.minutes(3)), .needsTestServers)
struct CredentialRotationTests {
    /// What "Secrets Manager" holds now; a test changes it as a rotation would.
    final class Store<Value: Sendable>: Sendable {
        private let value: Mutex<Value>
        private let reads = Mutex(0)
        init(_ value: Value) { self.value = Mutex(value) }
        func set(_ newValue: Value) { value.withLock { $0 = newValue } }
        func read() -> Value {
            reads.withLock { $0 += 1 }
            return value.withLock { $0 }
        }
        var readCount: Int { reads.withLock { $0 } }
    }

    private static func source<Shape: SecretShape>(_ name: String, _ store: Store<Shape>) async throws -> SecretSource<Shape> {
        try await SecretSource<Shape>.start(
            name: name, secretID: "test/\(name)", refreshInterval: .seconds(3600), deadline: .now + .seconds(5), logger: TestServices.logger,
            tick: .milliseconds(100)
        ) { _ throws(SecretFetchError) in store.read() }
    }

    private static func push(_ values: Range<Int>, to redis: TestRedis) async throws {
        let client = redis.client()
        let messages = values.map { QueueMessage(id: "rot-\($0)", count: Int64($0), enqueuedAtMilliseconds: UnixTime.milliseconds()).encoded }
        try await client.run(["RPUSH", redis.queue.name] + messages, deadline: .after(.seconds(2)))
        await client.shutdown()
    }

    /// Ends every session of `user` (what a rotation runbook does to make old sessions go).
    private static func killSessions(of user: String, admin: DatabaseConnection) throws {
        for row in try admin.query("SELECT id FROM information_schema.processlist WHERE user = '\(user)'") {
            if let id = row.first ?? nil { _ = try? admin.query("KILL \(id)") }
        }
    }

    @Test(arguments: DatabaseServer.all)
    func aRotatedDatabasePasswordAndThenASwitchToTheCloneUserNeedNoRestart(on server: DatabaseServer) async throws {
        let redis = TestServices.redis()
        var database = try server.freshDatabase()
        let environment = TestServices.environment
        let admin = try TestServices.connect(DatabaseSettings(
            host: database.host, port: database.port, user: try #require(environment["DB_TEST_ADMIN_USER"]),
            password: try #require(environment["DB_TEST_ADMIN_PASSWORD"]), name: database.name))
        defer { admin.close() }
        let user = String(TestServices.uniqueName("rot").prefix(24))
        for (name, password) in [(user, "first-pw-1"), ("\(user)_clone", "clone-pw-1")] {
            try admin.query("CREATE USER '\(name)'@'%' IDENTIFIED BY '\(password)'")
            try admin.query("GRANT ALL ON `\(database.name)`.* TO '\(name)'@'%'")
        }
        defer {
            for name in [user, "\(user)_clone"] { _ = try? admin.query("DROP USER IF EXISTS '\(name)'@'%'") }
        }
        let store = Store(DatabaseSecret(username: user, password: "first-pw-1"))
        let source = try await Self.source("db", store)
        let refresher = Task { await source.run() }
        defer { refresher.cancel() }
        database.credentials = source
        let consumer = RunningConsumer(TestServices.consumerConfiguration(redis: redis, database: database))

        try await Self.push(0..<100, to: redis)
        #expect(await TestServices.eventually { try TestServices.rowCount(database) == 100 })

        // A password change: the server and the secret get the new one, the old sessions are killed.
        try admin.query("ALTER USER '\(user)'@'%' IDENTIFIED BY 'second-pw-2'")
        store.set(DatabaseSecret(username: user, password: "second-pw-2"))
        try Self.killSessions(of: user, admin: admin)
        try await Self.push(100..<200, to: redis)
        #expect(await TestServices.eventually { try TestServices.rowCount(database) == 200 })
        #expect(source.current.version == 2 && source.problem == nil)

        // The rotation Lambda's other style: the secret switches to the clone user, the old user's
        // password stops working.
        store.set(DatabaseSecret(username: "\(user)_clone", password: "clone-pw-1"))
        try admin.query("ALTER USER '\(user)'@'%' IDENTIFIED BY 'retired-pw-3'")
        try Self.killSessions(of: user, admin: admin)
        try await Self.push(200..<300, to: redis)
        #expect(await TestServices.eventually { try TestServices.rowCount(database) == 300 })
        #expect(source.current.user == "\(user)_clone" && source.current.version == 3)
        // No storm of reads: the refusals asked at most once per 5 s.
        #expect(store.readCount < 12, "\(store.readCount) reads of the secret")
        try await consumer.stop()
        #expect(try TestServices.rowCount(database) == 300)
    }

    @Test func aRotatedRedisPasswordReachesNewConnections() async throws {
        var redis = TestServices.redis()
        let admin = redis.client()
        let user = TestServices.uniqueName("rot")
        try await admin.run(["ACL", "SETUSER", user, "reset", "on", ">first-redis-pw", "~*", "&*", "+@all"], deadline: .after(.seconds(2)))
        let store = Store(RedisSecret(username: user, password: "first-redis-pw"))
        let source = try await Self.source("redis", store)
        let refresher = Task { await source.run() }
        defer { refresher.cancel() }
        redis.settings.credentials = source
        let client = redis.client(poolSize: 1)
        try await client.run(["PING"], deadline: .after(.seconds(2)))

        try await admin.run(["ACL", "SETUSER", user, "resetpass", ">second-redis-pw"], deadline: .after(.seconds(2)))
        store.set(RedisSecret(username: user, password: "second-redis-pw"))
        try await admin.run(["CLIENT", "KILL", "USER", user], deadline: .after(.seconds(2)))
        #expect(await TestServices.eventually(timeout: .seconds(15)) {
            (try? await client.run(["PING"], deadline: .after(.seconds(1)))) != nil
        })
        #expect(source.current.version == 2 && source.problem == nil)
        await client.shutdown()
        try await admin.run(["ACL", "DELUSER", user], deadline: .after(.seconds(2)))
        await admin.shutdown()
    }
}
