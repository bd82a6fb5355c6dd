import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Database
import Queue
import Redis
import Testing

@testable import Consumer
@testable import Producer

/// Redis ACL users against the test Redis: the least-privilege rules that the deployment gives each
/// program (terraform/modules/redis/acl/*.tftpl, applied here as they are) are enough for it to work,
/// and a wrong password is refused clearly, at start and later, without a storm of failed logins.
@Suite(.serialized, .timeLimit(.minutes(3)), .needsTestServers)
struct RedisAccessTests {
    /// An ACL user of the test Redis with the deployment's rule for one program.
    struct ACLUser {
        let name: String
        let password: String

        static func create(program: String, queue: String) throws -> ACLUser {
            let template = RedisAccessTests.repositoryRoot.appendingPathComponent("terraform/modules/redis/acl/\(program).tftpl")
            let rule = try String(contentsOf: template, encoding: .utf8).replacingOccurrences(of: "${queue}", with: queue)
            let user = ACLUser(name: TestServices.uniqueName(program), password: TestServices.uniqueName("secret"))
            try RedisAccessTests.admin(["ACL", "SETUSER", user.name, "reset"] + rule.split(whereSeparator: \.isWhitespace).map(String.init) + [">\(user.password)"])
            return user
        }

        func settings(queue: String, password: String? = nil, shards: Int = 1) -> TestRedis {
            var settings = TestServices.redis(queue: queue)
            settings.queue.shards = shards
            settings.settings.username = name
            settings.settings.password = password ?? self.password
            return settings
        }

        func delete() throws { try RedisAccessTests.admin(["ACL", "DELUSER", name]) }

        /// Failed logins of this user, and commands or keys its rule denied, from the server's ACL LOG.
        func denials() throws -> (logins: Int, permissions: Int) {
            var logins = 0
            var permissions = 0
            for entry in try RedisAccessTests.admin(["ACL", "LOG"]).array ?? [] {
                let fields = entry.array ?? []
                var values: [String: RedisValue] = [:]
                for index in stride(from: 0, to: fields.count - 1, by: 2) {
                    if let key = fields[index].string { values[key] = fields[index + 1] }
                }
                guard values["username"]?.string == name else { continue }
                let count = Int(values["count"]?.integer ?? 1)
                if values["reason"]?.string == "auth" { logins += count } else { permissions += count }
            }
            return (logins, permissions)
        }
    }

    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A command as the test Redis' unrestricted default user.
    @discardableResult
    static func admin(_ command: [String]) throws -> RedisValue {
        let settings = TestServices.redis()
        let connection = try RedisConnection.connect(host: settings.settings.host, port: settings.settings.port, username: nil, password: nil, timeout: .seconds(5))
        defer { connection.close() }
        return try connection.run(command, timeout: .seconds(5))
    }

    /// A Producer on `redis` and `database`, served on free loopback ports.
    static func producer(redis: TestRedis, database: DatabaseSettings) -> some ApplicationProtocol {
        buildApplication(TestServices.producerConfiguration(redis: redis, database: database), logger: TestServices.logger, metrics: TestServices.metrics)
    }

    @Test func eachProgramWorksWithTheLeastPrivilegeRuleTheDeploymentGivesIt() async throws {
        let queue = TestServices.uniqueName("acl")
        let producerUser = try ACLUser.create(program: "producer", queue: queue)
        let consumerUser = try ACLUser.create(program: "consumer", queue: queue)
        defer {
            try? producerUser.delete()
            try? consumerUser.delete()
        }
        let database = try TestServices.freshDatabase()
        // Three shards: the rules cover a sharded queue's keys too.
        let consumer = RunningConsumer(TestServices.consumerConfiguration(redis: consumerUser.settings(queue: queue, shards: 3), database: database))
        let configuration = TestServices.producerConfiguration(redis: producerUser.settings(queue: queue, shards: 3), database: database)
        let backends = ProducerBackends(configuration, logger: TestServices.logger, metrics: TestServices.metrics)
        try await buildApplication(configuration, backends: backends, logger: TestServices.logger).test(.live) { client in
            for value in 1...20 {
                let status = try await client.postCount(value).status
                #expect(status == .created)
            }
            // Once the Consumer has made the schema, the Producer's reads work under its rule too.
            let drained = await TestServices.eventually { try TestServices.rowCount(database) == 20 }
            #expect(drained)
            let stats = try await client.execute(uri: "/stats", method: .get) { $0.status }
            #expect(stats == .ok, "GET /stats")
            let operations = buildOperationsApplication(configuration, dependencies: backends.dependencies, logger: TestServices.logger)
            try await operations.test(.router) { ops in
                let ready = try await ops.execute(uri: "/ready", method: .get) { $0.status }
                #expect(ready == .ok, "GET /ready on the operations port")
            }
        }
        try await consumer.stop()
        // The Consumer's heartbeats, reclaim scans and gauges ran meanwhile: nothing was denied.
        #expect(try producerUser.denials().permissions == 0)
        #expect(try consumerUser.denials().permissions == 0)

        // Least privilege: the Producer's user can push but not take, and sees no other key.
        let connection = try RedisConnection.connect(
            host: "127.0.0.1", port: TestServices.redis().settings.port, username: producerUser.name, password: producerUser.password, timeout: .seconds(5))
        defer { connection.close() }
        let replies = try connection.pipeline([["LPOP", queue], ["GET", "unrelated"], ["FLUSHALL"]], timeout: .seconds(5))
        for reply in replies {
            guard case .error(let message) = reply else {
                Issue.record("expected NOPERM, got \(reply)")
                continue
            }
            #expect(message.hasPrefix("NOPERM"))
        }
    }

    /// The operations (CLI as the Consumer's user, admin routes as the Producer's) and what they
    /// make the programs do (a paused fetch, evictions, history) need nothing the rules deny.
    @Test func theOperationsWorkWithinEachProgramsRule() async throws {
        let queue = TestServices.uniqueName("acl")
        let producerUser = try ACLUser.create(program: "producer", queue: queue)
        let consumerUser = try ACLUser.create(program: "consumer", queue: queue)
        defer {
            try? producerUser.delete()
            try? consumerUser.delete()
        }
        let database = try TestServices.freshDatabase()
        var consumerConfiguration = TestServices.consumerConfiguration(redis: consumerUser.settings(queue: queue), database: database)
        consumerConfiguration.deadLetterMax = 2
        let consumer = RunningConsumer(consumerConfiguration)
        let operatorRedis = consumerUser.settings(queue: queue).client()
        let operatorQueue = consumerUser.settings(queue: queue).shards(on: operatorRedis)
        let operations = OperatorActions(queue: operatorQueue, history: HistoryRecorder(queue: operatorQueue, logger: TestServices.logger))
        let producerRedis = producerUser.settings(queue: queue)
        var producerConfiguration = ProducerConfiguration(redis: producerRedis.settings, queue: producerRedis.queue, database: database)
        producerConfiguration.adminToken = "acl-test-admin-token-0123"
        try await buildApplication(producerConfiguration, logger: TestServices.logger, metrics: TestServices.metrics).test(.live) { client in
            let admin: HTTPFields = [.authorization: "Bearer acl-test-admin-token-0123", .contentType: "application/json"]
            let posted = try await client.execute(
                uri: "/count", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"count": 1}"#)) { $0.status }
            #expect(posted == .created)
            // Three undecodable entries against DEAD_LETTER_MAX=2: one eviction.
            try Self.admin(["RPUSH", queue, "x", "y", "z"])
            #expect(await TestServices.eventually { try await operations.deadLetters.summary(deadline: .after(.seconds(2))).evicted == 1 })
            _ = try await operations.pause(origin: "acl test")
            try await Task.sleep(for: .milliseconds(400))
            _ = try await operations.deadLetters.newest(kind: nil, limit: 5, deadline: .after(.seconds(2)))
            _ = try await operations.replay(.all, limit: 1, rate: nil, dryRun: true, origin: "acl test")
            _ = try await operations.replay(.kind(.undecodable), limit: 1, rate: nil, dryRun: false, origin: "acl test")
            for (method, path, body) in [
                (HTTPRequest.Method.get, "/admin/dead-letters/summary", ""), (.get, "/admin/dead-letters", ""), (.get, "/admin/queue/status", ""),
                (.post, "/admin/dead-letters/replay", #"{"all":true,"limit":1}"#), (.post, "/admin/dead-letters/purge", #"{"all":true,"yes":true}"#),
                (.post, "/admin/queue/resume", ""), (.post, "/admin/queue/pause", ""), (.get, "/history?window=24h", ""), (.get, "/stats", ""),
            ] {
                let status = try await client.execute(uri: path, method: method, headers: admin, body: ByteBuffer(string: body)) { $0.status }
                #expect(status == .ok, "\(method) \(path)")
            }
            _ = try await operations.resume(origin: "acl test")
            _ = try await operations.purge(.all, origin: "acl test")
        }
        try await consumer.stop()
        await operatorRedis.shutdown()
        #expect(try producerUser.denials().permissions == 0)
        #expect(try consumerUser.denials().permissions == 0)
    }

    @Test func credentialsRevokedWhileRunningGive503sWithoutAStormOfLogins() async throws {
        let queue = TestServices.uniqueName("acl")
        let user = try ACLUser.create(program: "producer", queue: queue)
        defer { try? user.delete() }
        let database = try TestServices.freshDatabase()
        try await Self.producer(redis: user.settings(queue: queue), database: database).test(.live) { client in
            #expect(try await client.postCount(1).status == .created)

            try Self.admin(["ACL", "SETUSER", user.name, "resetpass", ">rotated-\(user.password)"])
            try Self.admin(["CLIENT", "KILL", "USER", user.name])
            let started = ContinuousClock.now
            for value in 2...31 {
                let posted = try await client.postCount(value)
                let (status, body) = (posted.status, posted.json)
                #expect(status == .serviceUnavailable)
                #expect(body["error"] as? String == "queue_refused")
                let message = body["message"] as? String ?? ""
                // The server's words (WRONGPASS ...) go to the log under the request id, not to the client.
                #expect(!message.contains("WRONGPASS") && !message.contains(user.name), "\(message)")
                #expect(!message.contains(user.password))
            }
            // 30 refused requests, but logins only as the backoff allows (at 0, 1, 3, 7 s, ...).
            let elapsed = (ContinuousClock.now - started).seconds
            let logins = try user.denials().logins
            #expect(logins >= 1 && logins <= 1 + Int(log2(elapsed + 1)), "\(logins) failed logins in \(elapsed) s")

            // The password is put back (a rotation finished): the Producer serves again by itself.
            try Self.admin(["ACL", "SETUSER", user.name, "resetpass", ">\(user.password)"])
            let recovered = await TestServices.eventually(timeout: .seconds(40)) { try await client.postCount(99).status == .created }
            #expect(recovered)
        }
    }

    @Test(arguments: ["Producer", "Consumer"])
    func aWrongPasswordStopsTheProgramAtStartWithOneClearLine(program: String) throws {
        let queue = TestServices.uniqueName("acl")
        let user = try ACLUser.create(program: program.lowercased(), queue: queue)
        defer { try? user.delete() }
        let wrongPassword = TestServices.uniqueName("wrong")
        let redis = TestServices.redis()
        let database = try TestServices.freshDatabase()
        let (status, text) = try TestServices.runToEnd(TestServices.binary(program), environment: try TestServices.programEnvironment(
            redis: redis, database: database, ["REDIS_QUEUE": queue, "REDIS_USERNAME": user.name, "REDIS_PASSWORD": wrongPassword]))

        #expect(status == 1, "\(text)")
        let refusals = text.split(separator: "\n").filter { $0.contains("WRONGPASS") }
        #expect(refusals.count == 1, "\(text)")
        #expect(refusals.first?.contains("REDIS_PASSWORD") == true, "\(text)")
        #expect(!text.contains(wrongPassword), "the password must never be logged")
        #expect(try user.denials().logins == 1)
    }
}
