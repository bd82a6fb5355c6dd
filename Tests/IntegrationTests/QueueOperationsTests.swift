import Foundation
import Database
import Message
import Observability
import Queue
import Redis
import Testing

@testable import Consumer

/// The operator's tools against real Redis and MariaDB: `max_deliveries` records from consumers that
/// died while the database hung, replayed into exactly one row each; eviction at a small
/// `DEAD_LETTER_MAX`; pause and resume; records from before `kind` existed. The CLI is the built
/// Consumer binary, run as an operator would.
@Suite(.serialized, .timeLimit(.minutes(4)), .needsTestServers)
struct QueueOperationsTests {
    /// Runs `Consumer <arguments>` with the Consumer's settings for `redis`; returns exit status and output.
    static func cli(_ arguments: [String], redis: TestRedis, database: DatabaseSettings) throws -> (status: Int32, output: String) {
        try TestServices.runToEnd(
            TestServices.binary("Consumer"), arguments: arguments,
            environment: TestServices.programEnvironment(redis: redis, database: database, ["USER": "itest-operator"]))
    }

    static func length(_ key: String, _ client: RedisClient) async throws -> Int64 {
        try await client.run(["LLEN", key], deadline: .after(.seconds(2))).integer ?? -1
    }

    static func messages(_ values: ClosedRange<Int>) -> [String] {
        values.map { QueueMessage(id: "op-\($0)", count: Int64($0), enqueuedAtMilliseconds: UnixTime.milliseconds()).encoded }
    }

    @Test func consumersThatDiedWhileTheDatabaseHungLeaveMaxDeliveriesRecordsThatReplayIntoOneRowEach() async throws {
        let redis = TestServices.redis()
        let database = try TestServices.freshDatabase()
        let client = redis.client()
        let keys = QueueKeys(queue: redis.queue.name)
        let dying = TestServices.uniqueName("dying")
        let consumer = try ConsumerShutdownTests.ConsumerProcess(environment: TestServices.programEnvironment(
            redis: redis, database: database,
            ["CONSUMER_ID": dying, "MAX_DELIVERIES": "1", "RECLAIM_AFTER_MS": "1000", "HEARTBEAT_INTERVAL_MS": "200", "DB_TIMEOUT_MS": "2000"]))
        #expect(await TestServices.eventually { consumer.output.contains("schema ready") }, "\(consumer.output)")
        // The database hangs: every insert waits on this lock.
        let lock = try TestServices.connect(database)
        try lock.query("LOCK TABLES `count` WRITE")
        try await redis.workQueue(on: client).push(Self.messages(1...8), deadline: .after(.seconds(2)))
        #expect(await TestServices.eventually { try await Self.length(keys.processing(consumer: dying), client) == 8 }, "\(consumer.output)")
        kill(consumer.process.processIdentifier, SIGKILL)

        // A live consumer (MAX_DELIVERIES=1) reclaims the dead one's batch straight into the dead letters.
        var configuration = TestServices.consumerConfiguration(redis: redis, database: database)
        configuration.maxDeliveries = 1
        configuration.reclaimAfter = .seconds(1)
        let live = RunningConsumer(configuration)
        #expect(await TestServices.eventually { try await Self.length(keys.deadLetters, client) == 8 })
        let summary = try Self.cli(["dead-letters", "summary", "--json"], redis: redis, database: database)
        #expect(summary.status == 0 && summary.output.contains(#""by_kind":{"max_deliveries":8}"#), "\(summary.output)")

        // The database is back.
        try lock.query("UNLOCK TABLES")
        lock.close()
        let dryRun = try Self.cli(["dead-letters", "replay", "--kind", "max_deliveries", "--dry-run"], redis: redis, database: database)
        #expect(dryRun.status == 0 && dryRun.output.contains("would replay 8 dead letters"), "\(dryRun.output)")
        #expect(try await Self.length(keys.deadLetters, client) == 8, "a dry run changed something")
        let replay = try Self.cli(["dead-letters", "replay", "--kind", "max_deliveries", "--rate", "20"], redis: redis, database: database)
        #expect(replay.status == 0 && replay.output.contains("replayed 8 dead letters (kind=max_deliveries)"), "\(replay.output)")
        #expect(replay.output.contains("action=replay") && replay.output.contains("count=8") && replay.output.contains("itest-operator"),
                "no audit line: \(replay.output)")
        #expect(await TestServices.eventually { try TestServices.rowCount(database) == 8 })
        let again = try Self.cli(["dead-letters", "replay", "--kind", "max_deliveries"], redis: redis, database: database)
        #expect(again.status == 0 && again.output.contains("replayed 0 dead letters"), "\(again.output)")
        #expect(await live.drained(redis))
        #expect(try TestServices.rowCount(database) == 8)
        #expect(try TestServices.scalar("SELECT COUNT(DISTINCT message_id) FROM `count`", in: database) == "8")
        try await live.stop()
        await client.shutdown()
    }

    @Test func replayingAMessageWhoseRowExistsAddsNoRow() async throws {
        let redis = TestServices.redis()
        let database = try TestServices.freshDatabase()
        let client = redis.client()
        let keys = QueueKeys(queue: redis.queue.name)
        let live = RunningConsumer(TestServices.consumerConfiguration(redis: redis, database: database))
        let message = Self.messages(7...7)[0]
        try await redis.workQueue(on: client).push([message], deadline: .after(.seconds(2)))
        #expect(await TestServices.eventually { try TestServices.rowCount(database) == 1 })
        // The same message dead-lettered anyway (say, a reply lost after its commit).
        let record = #"{"kind":"max_deliveries","reason":"delivered 5 times","id":"op-7","raw":"# + JSONText.quoted(message) + "}"
        try await client.run(["RPUSH", keys.deadLetters, record], deadline: .after(.seconds(2)))
        let replay = try Self.cli(["dead-letters", "replay", "--id", "op-7"], redis: redis, database: database)
        #expect(replay.status == 0 && replay.output.contains("replayed 1 dead letter (id=op-7)"), "\(replay.output)")
        #expect(await live.drained(redis))
        #expect(try TestServices.rowCount(database) == 1)
        try await live.stop()
        await client.shutdown()
    }

    @Test func aSmallDeadLetterMaxEvictsTheOldestAndCountsExactly() async throws {
        let redis = TestServices.redis()
        let database = try TestServices.freshDatabase()
        let client = redis.client()
        let keys = QueueKeys(queue: redis.queue.name)
        let evictedBefore = Self.evictedMetric()
        var configuration = TestServices.consumerConfiguration(redis: redis, database: database)
        configuration.deadLetterMax = 5
        let live = RunningConsumer(configuration)
        for value in 1...12 {
            // One at a time, so evictions happen across many acknowledgements, not in one.
            try await client.run(["RPUSH", redis.queue.name, "not-a-number-\(value)"], deadline: .after(.seconds(2)))
            #expect(await TestServices.eventually { try await Self.length(redis.queue.name, client) == 0 })
        }
        #expect(await TestServices.eventually { try await client.run(["GET", keys.deadLettersEvicted], deadline: .after(.seconds(2))).string == "7" })
        #expect(try await Self.length(keys.deadLetters, client) == 5)
        let records = try await DeadLetterStore(queue: redis.shards(on: client)).newest(kind: nil, limit: 10, deadline: .after(.seconds(2)))
        #expect(records.map(\.raw) == (8...12).reversed().map { "not-a-number-\($0)" })
        #expect(Self.evictedMetric() - evictedBefore == 7)
        let summary = try Self.cli(["dead-letters", "summary"], redis: redis, database: database)
        #expect(summary.output.contains("dead letters: 5 (evicted so far: 7)"), "\(summary.output)")
        try await live.stop()
        await client.shutdown()
    }

    static func evictedMetric() -> Double {
        let text = String(decoding: TestServices.metrics.exposition(), as: UTF8.self)
        let line = text.split(separator: "\n").first { $0.hasPrefix(MetricName.deadLettersEvicted + " ") }
        return line.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    }

    @Test func pauseHoldsRowsAndResumeReleasesThem() async throws {
        let redis = TestServices.redis()
        let database = try TestServices.freshDatabase()
        let client = redis.client()
        let live = RunningConsumer(TestServices.consumerConfiguration(redis: redis, database: database))
        #expect(await TestServices.eventually { try TestServices.rowCount(database) == 0 })
        let pause = try Self.cli(["queue", "pause"], redis: redis, database: database)
        #expect(pause.status == 0 && pause.output.contains("paused") && pause.output.contains("action=pause"), "\(pause.output)")
        // Within one poll (CONSUMER_BLOCK_MS, 200 ms here) the Consumer takes nothing new.
        try await Task.sleep(for: .milliseconds(400))
        try await redis.workQueue(on: client).push(Self.messages(1...30), deadline: .after(.seconds(2)))
        try await Task.sleep(for: .seconds(2))
        #expect(try TestServices.rowCount(database) == 0)
        #expect(try await Self.length(redis.queue.name, client) == 30)
        let status = try Self.cli(["queue", "status", "--json"], redis: redis, database: database)
        #expect(status.output.contains(#""state":"paused""#) && status.output.contains(#""queue_depth":30"#), "\(status.output)")
        let resume = try Self.cli(["queue", "resume"], redis: redis, database: database)
        #expect(resume.status == 0 && resume.output.contains("resumed"), "\(resume.output)")
        #expect(await TestServices.eventually { try TestServices.rowCount(database) == 30 })
        try await live.stop()
        await client.shutdown()
    }

    @Test func pauseAndReplayCoverEveryShardOfAShardedQueue() async throws {
        var redis = TestServices.redis()
        redis.queue.shards = 3
        let database = try TestServices.freshDatabase()
        let client = redis.client()
        let shards = redis.shards(on: client)
        let operations = OperatorActions(queue: shards, history: HistoryRecorder(queue: shards, logger: TestServices.logger))
        #expect(try await operations.pause(origin: "test"))
        let live = RunningConsumer(TestServices.consumerConfiguration(redis: redis, database: database))
        for message in Self.messages(1...3) { _ = try await shards.push([message], deadline: .after(.seconds(2))) }
        try await Task.sleep(for: .seconds(1))
        #expect(try await shards.lengths(deadline: .after(.seconds(2))) == [1, 1, 1])
        #expect(try await shards.depths(deadline: .after(.seconds(2))).pausedSinceMilliseconds != nil)
        // A record on the last shard goes back to that shard's own queue.
        let last = shards.shards[2].keys
        let record = #"{"kind":"max_deliveries","reason":"delivered 5 times","id":"op-9","raw":"# + JSONText.quoted(Self.messages(9...9)[0]) + "}"
        try await client.run(["RPUSH", last.deadLetters, record], routingKey: last.queue, deadline: .after(.seconds(2)))
        #expect(try await operations.replay(.kind(.maxDeliveries), limit: nil, rate: nil, dryRun: false, origin: "test").ids == ["op-9"])
        #expect(try await shards.lengths(deadline: .after(.seconds(2))) == [1, 1, 2])
        #expect(try await operations.resume(origin: "test"))
        #expect(await TestServices.eventually { try TestServices.rowCount(database) == 4 })
        try await live.stop()
        await client.shutdown()
    }

    @Test func recordsFromBeforeKindExistedAreReadAndReplayedByTheirInferredIdAndKind() async throws {
        let redis = TestServices.redis()
        let database = try TestServices.freshDatabase()
        let client = redis.client()
        let keys = QueueKeys(queue: redis.queue.name)
        let envelope = Self.messages(3...3)[0]
        let old = [
            #"{"reason":"delivered 5 times without being committed (its consumers kept dying)","raw":"# + JSONText.quoted(envelope)
                + #","consumer":"c-old","ts":1700000000000}"#,
            #"{"reason":"not valid JSON: unexpected character at byte 0","raw":"garbage","consumer":"c-old","ts":1700000000001}"#,
        ]
        try await client.run(["RPUSH", keys.deadLetters] + old, deadline: .after(.seconds(2)))
        let list = try Self.cli(["dead-letters", "list"], redis: redis, database: database)
        // sha1("garbage"), as redis.sha1hex computes it.
        let garbageID = "sha1:78c67c126575c20c6b468447355e9bd20d221202"
        #expect(list.status == 0 && list.output.contains("max_deliveries") && list.output.contains("op-3") && list.output.contains(garbageID),
                "\(list.output)")
        let show = try Self.cli(["dead-letters", "show", garbageID, "--json"], redis: redis, database: database)
        #expect(show.output.contains(#""kind":"undecodable""#), "\(show.output)")
        let purge = try Self.cli(["dead-letters", "purge", "--id", garbageID, "--yes"], redis: redis, database: database)
        #expect(purge.status == 0 && purge.output.contains("purged 1 dead letter"), "\(purge.output)")
        let replay = try Self.cli(["dead-letters", "replay", "--kind", "max_deliveries"], redis: redis, database: database)
        #expect(replay.output.contains("replayed 1 dead letter"), "\(replay.output)")
        #expect(try await client.run(["LRANGE", redis.queue.name, "0", "-1"], deadline: .after(.seconds(2))).array?.compactMap(\.string) == [envelope])
        #expect(try await Self.length(keys.deadLetters, client) == 0)
        await client.shutdown()
    }

    @Test func badInputSaysWhatWasWrongExitsNonZeroAndChangesNothing() async throws {
        let redis = TestServices.redis()
        let database = try TestServices.freshDatabase()
        let client = redis.client()
        let keys = QueueKeys(queue: redis.queue.name)
        let record = #"{"kind":"undecodable","reason":"x","id":"kept","raw":"x","consumer":"c","deliveries":1,"ts":1}"#
        try await client.run(["RPUSH", keys.deadLetters, record], deadline: .after(.seconds(2)))
        let cases: [([String], String)] = [
            (["dead-letters", "show", "nope"], "no dead letter has id 'nope'"),
            (["dead-letters", "replay", "--id", "nope"], "no dead letter has id 'nope'"),
            (["dead-letters", "purge", "--id", "nope", "--yes"], "no dead letter has id 'nope'"),
            (["dead-letters", "replay"], "say which dead letters: --kind K, --id ID or --all"),
            (["dead-letters", "replay", "--all", "--kind", "undecodable"], "give only one of"),
            (["dead-letters", "replay", "--kind", "bogus"], "unknown kind 'bogus'"),
            (["dead-letters", "purge", "--all"], "add --yes to confirm"),
            (["dead-letters", "replay", "--all", "--rate", "0"], "--rate must be at least 1"),
        ]
        for (arguments, message) in cases {
            let (status, output) = try Self.cli(arguments, redis: redis, database: database)
            #expect(status != 0, "\(arguments): exit 0")
            #expect(output.contains(message), "\(arguments): \(output)")
        }
        #expect(try await client.run(["LRANGE", keys.deadLetters, "0", "-1"], deadline: .after(.seconds(2))).array?.compactMap(\.string) == [record])
        #expect(try await Self.length(redis.queue.name, client) == 0)

        var unreachable = redis
        unreachable.settings.port = try TestServices.unusedPort()
        let (status, output) = try Self.cli(["dead-letters", "purge", "--all", "--yes"], redis: unreachable, database: database)
        #expect(status == 1 && output.contains("cannot reach Redis at 127.0.0.1:\(unreachable.settings.port)"), "\(output)")
        await client.shutdown()
    }
}
