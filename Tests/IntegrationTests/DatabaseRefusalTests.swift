import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Database
import Message
import Queue
import Redis
import Testing

@testable import Consumer
@testable import Producer

/// What the database refuses, on MariaDB and MySQL alike: a refused value is dead-lettered while
/// the rest of its batch is committed; a batch that keeps failing for another reason is retried
/// and reported stuck; two copies of one message in one batch become one row.
@Suite(.serialized, .timeLimit(.minutes(3)), .needsTestServers)
struct DatabaseRefusalTests {
    private static func messages(_ values: Range<Int>) -> [String] {
        values.map { QueueMessage(id: "v-\($0)", count: Int64($0), enqueuedAtMilliseconds: UnixTime.milliseconds()).encoded }
    }

    @Test(arguments: DatabaseServer.all)
    func theSameIdempotencyKeySentTwiceBeforeTheConsumerRunsBecomesOneRow(on server: DatabaseServer) async throws {
        let redis = TestServices.redis()
        let database = try server.freshDatabase()
        var producerConfiguration = ProducerConfiguration(redis: redis.settings, queue: redis.queue, database: database)
        producerConfiguration.httpHost = "127.0.0.1"
        producerConfiguration.httpPort = 0
        try await buildApplication(producerConfiguration, logger: TestServices.logger, metrics: TestServices.metrics).test(.router) { client in
            for _ in 0..<2 {
                try await client.execute(
                    uri: "/count", method: .post,
                    headers: [.contentType: "application/json", HTTPField.Name("Idempotency-Key")!: "retried-order-42"],
                    body: ByteBuffer(string: #"{"count": 42}"#)
                ) { response in #expect(response.status == .created) }
            }
        }
        let client = redis.client()
        #expect(try await client.run(["LLEN", redis.queue.name], deadline: .after(.seconds(2))).integer == 2)
        // Both copies land in the Consumer's first batch.
        let configuration = TestServices.consumerConfiguration(redis: redis, database: database)
        let consumer = RunningConsumer(configuration)
        #expect(await TestServices.eventually { try TestServices.rowCount(database) == 1 })
        let processing = QueueKeys(queue: redis.queue.name).processing(consumer: configuration.consumerID)
        #expect(await TestServices.eventually {
            try await client.run(["EXISTS", redis.queue.name, processing], deadline: .after(.seconds(2))).integer == 0
        })
        try await consumer.stop()
        #expect(try TestServices.rowCount(database) == 1)
        #expect(try TestServices.scalar("SELECT SUM(rows_count) FROM count_stats", in: database) == "1")
        #expect(try TestServices.scalar("SELECT message_id FROM `count`", in: database) == "retried-order-42")
        #expect(try await client.run(["LLEN", QueueKeys(queue: redis.queue.name).deadLetters], deadline: .after(.seconds(2))).integer == 0)
        await client.shutdown()
    }

    @Test(arguments: DatabaseServer.all)
    func valuesTheDatabaseRefusesAreDeadLetteredAndTheRestOfTheBatchIsCommitted(on server: DatabaseServer) async throws {
        let redis = TestServices.redis()
        let (database, setup) = try TestServices.databaseWithTrigger("""
            CREATE TRIGGER refuse_unlucky BEFORE INSERT ON `count` FOR EACH ROW
            IF NEW.count_value IN (13, 666) THEN
              SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'unlucky values are not accepted here';
            END IF
            """, on: server)
        setup.close()
        let client = redis.client()
        let keys = QueueKeys(queue: redis.queue.name)
        try await client.run(["RPUSH", redis.queue.name] + Self.messages(0..<1000), deadline: .after(.seconds(2)))
        var configuration = TestServices.consumerConfiguration(redis: redis, database: database)
        configuration.batchSize = 500
        let consumer = RunningConsumer(configuration)
        #expect(await TestServices.eventually { try TestServices.rowCount(database) == 998 })
        #expect(await TestServices.eventually {
            try await client.run(["LLEN", keys.deadLetters], deadline: .after(.seconds(2))).integer == 2
        })
        try await consumer.stop()
        #expect(try TestServices.rowCount(database) == 998)
        #expect(try TestServices.scalar("SELECT SUM(rows_count) FROM count_stats", in: database) == "998")
        #expect(try TestServices.scalar("SELECT COUNT(*) FROM `count` WHERE count_value IN (13, 666)", in: database) == "0")
        let records = try (try await client.run(["LRANGE", keys.deadLetters, "0", "-1"], deadline: .after(.seconds(2))).array ?? [])
            .compactMap(\.string).map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(Set(records.compactMap { $0["id"] as? String }) == ["v-13", "v-666"])
        for record in records {
            #expect(record["kind"] as? String == "rejected_by_database")
            let reason = try #require(record["reason"] as? String)
            #expect(reason.hasPrefix("\(server.kind.rawValue) error 1644 (45000)"), "\(reason)")
            #expect(reason.contains("unlucky values are not accepted here"))
            #expect(record["deliveries"] as? Int == 1)
            #expect((record["raw"] as? String)?.contains("\"id\":\"\(record["id"] as? String ?? "")\"") == true)
        }
        #expect(try await client.run(["LLEN", keys.processing(consumer: configuration.consumerID)], deadline: .after(.seconds(2))).integer == 0)
        await client.shutdown()
    }

    @Test(arguments: DatabaseServer.all)
    func aBatchThatKeepsFailingIsRetriedAndReportedStuckUntilItGoesThrough(on server: DatabaseServer) async throws {
        let redis = TestServices.redis()
        let (database, setup) = try TestServices.databaseWithTrigger(TestServices.alwaysDeadlockedTrigger, on: server)
        let client = redis.client()
        let keys = QueueKeys(queue: redis.queue.name)
        try await client.run(["RPUSH", redis.queue.name] + Self.messages(0..<50), deadline: .after(.seconds(2)))
        let configuration = {
            var configuration = TestServices.consumerConfiguration(redis: redis, database: database)
            configuration.stuckBatchAfter = .seconds(1)
            return configuration
        }()
        var producerConfiguration = ProducerConfiguration(redis: redis.settings, queue: redis.queue, database: database)
        producerConfiguration.httpHost = "127.0.0.1"
        producerConfiguration.httpPort = 0
        let producer = buildApplication(producerConfiguration, logger: TestServices.logger, metrics: TestServices.metrics)
        try await buildConsumer(configuration, logger: TestServices.logger, metrics: TestServices.metrics).test(.live) { consumer in
            let reportedStuck = await TestServices.eventually {
                try await consumer.execute(uri: "/ready", method: .get) { response in
                    response.status == .serviceUnavailable && String(buffer: response.body).contains("simulated deadlock")
                }
            }
            #expect(reportedStuck)
            // The gauge follows at the next heartbeat or retry.
            let gaugeRose = await TestServices.eventually {
                try await consumer.execute(uri: "/metrics", method: .get) { response in
                    let line = String(buffer: response.body).split(separator: "\n").first { $0.hasPrefix("count_pipeline_stuck_batch_seconds ") }
                    return (line?.split(separator: " ").last).flatMap { Double($0) }.map { $0 >= 1 } == true
                }
            }
            #expect(gaugeRose)
            #expect(await TestServices.eventually {
                try await client.run(["HEXISTS", keys.stuckBatches, configuration.consumerID], deadline: .after(.seconds(2))).integer == 1
            })
            try await producer.test(.router) { api in
                try await api.execute(uri: "/stats", method: .get) { response in
                    let stats = try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                    #expect(stats["stuck_batches"] as? Int == 1)
                    #expect((stats["stuck_for_ms"] as? Int).map { $0 >= 1000 } == true)
                    #expect(!String(buffer: response.body).contains("simulated deadlock"), "no server error text in a public answer")
                }
            }
            #expect(try TestServices.rowCount(database) == 0)
            #expect(try await client.run(["LLEN", keys.deadLetters], deadline: .after(.seconds(2))).integer == 0)

            try setup.query("DROP TRIGGER always_deadlocked")
            #expect(await TestServices.eventually { try TestServices.rowCount(database) == 50 })
            #expect(await TestServices.eventually {
                try await consumer.execute(uri: "/ready", method: .get) { $0.status == .ok }
            })
            #expect(await TestServices.eventually {
                try await client.run(["HEXISTS", keys.stuckBatches, configuration.consumerID], deadline: .after(.seconds(2))).integer == 0
            })
        }
        setup.close()
        await client.shutdown()
    }

    /// `Consumer db-setup`, run as the administrator, creates the database, the schema and a user
    /// per program that can do only its own job.
    @Test(arguments: DatabaseServer.all)
    func dbSetupGivesEachProgramAUserThatCanDoOnlyItsJob(on server: DatabaseServer) async throws {
        let environment = TestServices.environment
        let admin = try #require(environment["DB_TEST_ADMIN_USER"]), adminPassword = try #require(environment["DB_TEST_ADMIN_PASSWORD"])
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let target = server.settings()
        let producer = (user: "p_\(suffix)", password: "producer 'quoted' \(suffix)")
        let consumer = (user: "c_\(suffix)", password: "consumer\\back\(suffix)")
        defer {
            if let cleanup = try? TestServices.connect(DatabaseSettings(host: target.host, port: target.port, user: admin, password: adminPassword, name: "mysql")) {
                for user in [producer.user, consumer.user] { _ = try? cleanup.query("DROP USER IF EXISTS '\(user)'@'%'") }
                _ = try? cleanup.query("DROP DATABASE IF EXISTS `\(target.name)`")
                cleanup.close()
            }
        }
        for _ in 0..<2 {  // idempotent: the second run changes nothing and still succeeds
            let (status, output) = try TestServices.runToEnd(TestServices.binary("Consumer"), arguments: ["db-setup"], environment: [
                "DB_HOST": target.host, "DB_PORT": String(target.port), "DB_NAME": target.name,
                "DB_ADMIN_USER": admin, "DB_ADMIN_PASSWORD": adminPassword,
                "PRODUCER_DB_USER": producer.user, "PRODUCER_DB_PASSWORD": producer.password,
                "CONSUMER_DB_USER": consumer.user, "CONSUMER_DB_PASSWORD": consumer.password,
            ])
            #expect(status == 0, "\(output)")
            #expect(!output.contains(producer.password) && !output.contains(consumer.password), "passwords must never be printed")
        }
        func session(_ user: (user: String, password: String)) throws -> DatabaseConnection {
            try TestServices.connect(DatabaseSettings(host: target.host, port: target.port, user: user.user, password: user.password, name: target.name))
        }
        let writer = try session(consumer)
        try writer.prepared("INSERT INTO `count` (count_value, message_id) VALUES (?, ?)").execute([.integer(7), .text("setup-check")])
        writer.close()
        let reader = try session(producer)
        defer { reader.close() }
        #expect(try reader.query(CountSchema.summaryQuery).first?[1] == "7")
        #expect(throws: DatabaseError.self) { try reader.query("INSERT INTO `count` (count_value) VALUES (8)") }
        #expect(throws: DatabaseError.self) { try reader.query("DROP TABLE `count`") }
    }
}
