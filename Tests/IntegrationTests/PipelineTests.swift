import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Database
import HTTPService
import HTTPService
import Message
import Queue
import Redis
import Synchronization
import Testing

@testable import Consumer
@testable import Producer

/// End to end against the real Redis and MariaDB: Producer app → Redis list → Consumer → rows.
@Suite(.serialized, .timeLimit(.minutes(3)), .needsTestServers)
struct PipelineTests {
    private func producer(redis: TestRedis, database: DatabaseSettings, highWaterMark: Int = 1_000_000) -> some ApplicationProtocol {
        var configuration = TestServices.producerConfiguration(redis: redis, database: database)
        configuration.queueHighWaterMark = highWaterMark
        return buildApplication(configuration, logger: TestServices.logger, metrics: TestServices.metrics)
    }

    private static func getCount(_ client: some TestClientProtocol) async throws -> [String: Any] {
        try await client.execute(uri: "/count", method: .get) { response in
            #expect(response.status == .ok)
            return try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
        }
    }

    @Test(arguments: DatabaseServer.all)
    func postedValuesBecomeRowsAndGetCountIsExact(on server: DatabaseServer) async throws {
        let redis = TestServices.redis()
        let database = try server.freshDatabase()
        let consumer = RunningConsumer(TestServices.consumerConfiguration(redis: redis, database: database))
        try await producer(redis: redis, database: database).test(.live) { client in
            var ids: [String] = []
            for value in [17, -3, Int(Int64.max)] {
                let posted = try await client.postCount(value)
                let (status, body) = (posted.status, posted.json)
                #expect(status == .created)
                #expect(body["value"] as? Int == value)
                ids.append(try #require(body["id"] as? String))
            }
            let drained = await TestServices.eventually { try TestServices.rowCount(database) == 3 }
            #expect(drained)
            let counts = try await Self.getCount(client)
            #expect(counts["rows_count"] as? Int == 3)
            #expect(counts["latest_value"] as? Int == Int(Int64.max))
            let stored = try TestServices.scalar("SELECT GROUP_CONCAT(message_id ORDER BY id) FROM `count`", in: database)
            #expect(stored == ids.joined(separator: ","))
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .notFound, "/metrics is on the operations port only")
            }
            let operations = Application(router: buildProbesAndMetricsRouter(probes: Probes(
                program: "Producer", hostname: "test", timeout: .seconds(1), redis: { _ in }, database: { _ in }), metrics: TestServices.metrics))
            try await operations.test(.router) { ops in
                try await ops.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .ok)
                    let text = String(buffer: response.body)
                    #expect(text.contains("count_pipeline_enqueued_total"))
                    #expect(text.contains("count_pipeline_push_duration_seconds_bucket"))
                    #expect(text.contains("hb_requests"))
                }
            }
        }
        try await consumer.stop()
    }

    @Test func aQueueAboveItsHighWaterMarkAnswers429UntilItDrains() async throws {
        let redis = TestServices.redis()
        let database = try TestServices.freshDatabase()
        try await producer(redis: redis, database: database, highWaterMark: 5).test(.router) { client in
            var statuses: [HTTPResponse.Status] = []
            for value in 0..<8 {
                statuses.append(try await client.postCount(value).status)
            }
            #expect(statuses == Array(repeating: .created, count: 5) + Array(repeating: .tooManyRequests, count: 3))
            try await client.execute(uri: "/count", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"count": 9}"#)) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "1")
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(body?["error"] as? String == "queue_full")
            }
            let queueClient = redis.client()
            #expect(try await queueClient.run(["LLEN", redis.queue.name], deadline: .after(.seconds(2))).integer == 5)
            try await queueClient.run(["DEL", redis.queue.name], deadline: .after(.seconds(2)))
            await queueClient.shutdown()
            let recovered = await TestServices.eventually(timeout: .seconds(5)) { try await client.postCount(10).status == .created }
            #expect(recovered)
        }
    }

    @Test(arguments: DatabaseServer.all)
    func aThousandConcurrentPostsBecomeExactlyAThousandRows(on server: DatabaseServer) async throws {
        let redis = TestServices.redis()
        let database = try server.freshDatabase()
        let consumer = RunningConsumer(TestServices.consumerConfiguration(redis: redis, database: database))
        try await producer(redis: redis, database: database).test(.router) { client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for value in 0..<1000 {
                    group.addTask { try await client.postCount(value).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.count == 1000 && statuses.allSatisfy { $0 == .created })
            #expect(await consumer.drained(redis))
            #expect(try TestServices.rowCount(database) == 1000)
            #expect(try TestServices.scalar("SELECT COUNT(DISTINCT count_value) FROM `count`", in: database) == "1000")
            #expect(try await Self.getCount(client)["rows_count"] as? Int == 1000)
        }
        try await consumer.stop()
    }

    @Test(arguments: DatabaseServer.all)
    func legacyBareIntegersAreInsertedAndGarbageIsDeadLettered(on server: DatabaseServer) async throws {
        let redis = TestServices.redis()
        let database = try server.freshDatabase()
        let client = redis.client()
        let keys = QueueKeys(queue: redis.queue.name)
        try await client.run(["RPUSH", keys.queue, "12345", "-7", "0", "not json", "{\"count\": 1}", "1.5", "99999999999999999999"], deadline: .after(.seconds(2)))
        let consumer = RunningConsumer(TestServices.consumerConfiguration(redis: redis, database: database))
        let settled = await TestServices.eventually {
            try await client.run(["LLEN", keys.deadLetters], deadline: .after(.seconds(2))).integer == 4
        }
        #expect(settled)
        #expect(await TestServices.eventually { try TestServices.rowCount(database) == 3 })
        try await consumer.stop()
        #expect(try TestServices.scalar("SELECT GROUP_CONCAT(count_value ORDER BY id) FROM `count`", in: database) == "12345,-7,0")
        let legacyIDs = try TestServices.scalar("SELECT COUNT(*) FROM `count` WHERE message_id LIKE 'legacy-%'", in: database)
        #expect(legacyIDs == "3")
        let dead = try await client.run(["LRANGE", keys.deadLetters, "0", "-1"], deadline: .after(.seconds(2))).array ?? []
        let letters = try dead.compactMap(\.string).map { text in
            try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        }
        let reasonByRaw = Dictionary(uniqueKeysWithValues: letters.map { ($0["raw"] as? String ?? "", $0["reason"] as? String ?? "") })
        #expect(reasonByRaw["not json"]?.contains("not valid JSON") == true)
        #expect(reasonByRaw["{\"count\": 1}"]?.contains("\"v\" must be 1") == true)
        #expect(reasonByRaw["1.5"]?.contains("expected an envelope object or a bare integer") == true)
        #expect(reasonByRaw.contains { $0.key.contains("99999999999999999999") && $0.value.contains("signed 64-bit") })
        #expect(letters.allSatisfy { ($0["consumer"] as? String)?.isEmpty == false && $0["ts"] is Int })
        #expect(letters.allSatisfy { $0["kind"] as? String == "undecodable" && $0["deliveries"] as? Int == 1 })
        // The id is the message's own where the entry has one, else a digest of the entry.
        let idByRaw = Dictionary(uniqueKeysWithValues: letters.map { ($0["raw"] as? String ?? "", $0["id"] as? String ?? "") })
        #expect(idByRaw["not json"] == "sha1:ed0d1292643d9ed818d9a191829b0f419867f874")  // printf 'not json' | sha1sum
        #expect(try await client.run(["LLEN", keys.queue], deadline: .after(.seconds(2))).integer == 0)
        await client.shutdown()
    }

    @Test(arguments: DatabaseServer.all)
    func redeliveredMessagesAreInsertedOnce(on server: DatabaseServer) async throws {
        let redis = TestServices.redis()
        let database = try server.freshDatabase()
        let client = redis.client()
        let message = QueueMessage(id: MessageID.make(), count: 5, enqueuedAtMilliseconds: UnixTime.milliseconds())
        let other = QueueMessage(id: MessageID.make(), count: 6, enqueuedAtMilliseconds: UnixTime.milliseconds())
        try await client.run(["RPUSH", redis.queue.name, message.encoded, other.encoded, message.encoded], deadline: .after(.seconds(2)))
        let consumer = RunningConsumer(TestServices.consumerConfiguration(redis: redis, database: database))
        #expect(await TestServices.eventually { try TestServices.rowCount(database) == 2 })
        try await client.run(["RPUSH", redis.queue.name, message.encoded], deadline: .after(.seconds(2)))
        #expect(await consumer.drained(redis))
        try await consumer.stop()
        #expect(try TestServices.rowCount(database) == 2)
        #expect(try TestServices.scalar("SELECT SUM(rows_count) FROM count_stats", in: database) == "2")
        await client.shutdown()
    }

    @Test(arguments: DatabaseServer.all)
    func twoConsumersTogetherLoseNothingAndDuplicateNothing(on server: DatabaseServer) async throws {
        let redis = TestServices.redis()
        let database = try server.freshDatabase()
        let client = redis.client()
        let total = 6000
        let first = RunningConsumer(TestServices.consumerConfiguration(redis: redis, database: database))
        let second = RunningConsumer(TestServices.consumerConfiguration(redis: redis, database: database))
        for start in stride(from: 0, to: total, by: 500) {
            let messages = (start..<start + 500).map {
                QueueMessage(id: "m-\($0)", count: Int64($0), enqueuedAtMilliseconds: UnixTime.milliseconds()).encoded
            }
            try await client.run(["RPUSH", redis.queue.name] + messages, deadline: .after(.seconds(2)))
        }
        #expect(await TestServices.eventually(timeout: .seconds(60)) { try TestServices.rowCount(database) >= total })
        try await first.stop()
        try await second.stop()
        #expect(try TestServices.rowCount(database) == total)
        #expect(try TestServices.scalar("SELECT COUNT(DISTINCT message_id) FROM `count`", in: database) == String(total))
        #expect(try TestServices.scalar("SELECT SUM(rows_count) FROM count_stats", in: database) == String(total))
        // Each consumer adds to one counter row per write session (DB_WRITE_SESSIONS, 2), rows that may overlap.
        let shards = try #require(Int(try TestServices.scalar("SELECT COUNT(*) FROM count_stats WHERE rows_count > 0", in: database) ?? ""))
        #expect((1...4).contains(shards))
        await client.shutdown()
    }

    @Test func aSilentConsumersMessagesAreReclaimed() async throws {
        let redis = TestServices.redis()
        let database = try TestServices.freshDatabase()
        let client = redis.client()
        let keys = QueueKeys(queue: redis.queue.name)
        let ghost = "ghost-consumer"
        let stranded = (0..<10).map { QueueMessage(id: "stranded-\($0)", count: Int64($0), enqueuedAtMilliseconds: 1).encoded }
        try await client.pipeline([
            ["RPUSH", keys.processing(consumer: ghost)] + stranded,
            ["ZADD", keys.consumers, "1000", ghost],
            ["RPUSH", keys.processing(consumer: "never-registered"), stranded[0]],
        ], deadline: .after(.seconds(2)))
        let consumer = RunningConsumer(TestServices.consumerConfiguration(redis: redis, database: database))
        #expect(await TestServices.eventually { try TestServices.rowCount(database) == 10 })
        #expect(await TestServices.eventually {
            try await client.run(["EXISTS", keys.processing(consumer: ghost), keys.processing(consumer: "never-registered")],
                                 deadline: .after(.seconds(2))).integer == 0
        })
        try await consumer.stop()
        #expect(try TestServices.rowCount(database) == 10)
        #expect(try await client.run(["ZSCORE", keys.consumers, ghost], deadline: .after(.seconds(2))) == .null)
        await client.shutdown()
    }

    /// The reply to a fetch can be lost after Redis ran it (a restart, a timeout), and a consumer can
    /// restart under the same id: either way its processing list already holds an uncommitted batch.
    @Test func aBatchAlreadyInTheProcessingListIsCommittedFirst() async throws {
        let redis = TestServices.redis()
        let database = try TestServices.freshDatabase()
        let client = redis.client()
        let keys = QueueKeys(queue: redis.queue.name)
        let consumerID = "restarted-consumer"
        let held = [101, 102, 103].map { QueueMessage(id: "held-\($0)", count: Int64($0), enqueuedAtMilliseconds: 1).encoded }
        try await client.run(["RPUSH", keys.processing(consumer: consumerID)] + held, deadline: .after(.seconds(2)))
        let consumer = RunningConsumer(TestServices.consumerConfiguration(redis: redis, database: database, id: consumerID))
        let fresh = (201...205).map { QueueMessage(id: "new-\($0)", count: Int64($0), enqueuedAtMilliseconds: 1).encoded }
        try await client.run(["RPUSH", keys.queue] + fresh, deadline: .after(.seconds(2)))
        #expect(await TestServices.eventually { try TestServices.rowCount(database) == 8 })
        #expect(await TestServices.eventually {
            try await client.run(["LLEN", keys.processing(consumer: consumerID)], deadline: .after(.seconds(2))).integer == 0
        })
        try await consumer.stop()
        #expect(try TestServices.scalar("SELECT GROUP_CONCAT(count_value ORDER BY count_value) FROM `count`", in: database)
            == "101,102,103,201,202,203,204,205")
        await client.shutdown()
    }

    @Test func acknowledgingTwiceChangesNothingTheSecondTime() async throws {
        let redis = TestServices.redis()
        let client = redis.client()
        let queue = redis.workQueue(on: client)
        let batch = ["a", "b"].map { Array(QueueMessage(id: $0, count: 1, enqueuedAtMilliseconds: 1).encoded.utf8) }
        try await client.run(["RPUSH", redis.queue.name] + batch.map { String(decoding: $0, as: UTF8.self) } + ["\u{FF}not-utf8"], deadline: .after(.seconds(2)))
        #expect(try await queue.fetchBatch(consumer: "c", limit: 2, deadline: .after(.seconds(2))) == .entries(batch))
        for _ in 0..<2 {
            try await queue.acknowledge(consumer: "c", batch: batch, deadLetters: [DeadLetter(kind: .undecodable, reason: "x", raw: Array("\u{FF}not-utf8".utf8))], deadLetterLimit: 100, deadline: .after(.seconds(2)))
        }
        #expect(try await client.run(["LLEN", queue.keys.deadLetters], deadline: .after(.seconds(2))).integer == 1)
        #expect(try await client.run(["LLEN", queue.keys.processing(consumer: "c")], deadline: .after(.seconds(2))).integer == 0)
        #expect(try await client.run(["LLEN", redis.queue.name], deadline: .after(.seconds(2))).integer == 1)
        await client.shutdown()
    }

    @Test(arguments: DatabaseServer.all)
    func upgradingTheOldTableKeepsItsRows(on server: DatabaseServer) async throws {
        let redis = TestServices.redis()
        let database = try server.freshDatabase()
        let setup = try TestServices.connect(database)
        try setup.query("CREATE TABLE `count` (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, count_value INT)")
        try setup.query("INSERT INTO `count` (count_value) VALUES (1), (2), (3)")
        setup.close()
        let client = redis.client()
        try await client.run(["RPUSH", redis.queue.name, "4"], deadline: .after(.seconds(2)))
        let consumer = RunningConsumer(TestServices.consumerConfiguration(redis: redis, database: database))
        #expect(await TestServices.eventually { try TestServices.rowCount(database) == 4 })
        try await consumer.stop()
        #expect(try TestServices.scalar("SELECT GROUP_CONCAT(count_value ORDER BY id) FROM `count`", in: database) == "1,2,3,4")
        #expect(try TestServices.scalar("SELECT SUM(rows_count) FROM count_stats", in: database) == "4")
        #expect(try TestServices.scalar(
            "SELECT DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'count' AND COLUMN_NAME = 'count_value'",
            in: database) == "bigint")
        // A second migration finds nothing to do.
        let again = try TestServices.connect(database)
        #expect(try SchemaMigrator.migrate(again).changes.isEmpty)
        again.close()
        await client.shutdown()
    }
}
