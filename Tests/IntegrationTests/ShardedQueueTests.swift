import Foundation
import Database
import Message
import Queue
import Redis
import Testing

@testable import Consumer

/// A queue of several shards (`REDIS_QUEUE_SHARDS`) on the test Redis: the Consumer serves every
/// shard in turn, and the guarantees hold per shard (a dead consumer's batch is reclaimed).
@Suite(.serialized, .timeLimit(.minutes(2)), .needsTestServers)
struct ShardedQueueTests {
    private static func envelopes(_ range: Range<Int>, prefix: String) -> [String] {
        range.map { QueueMessage(id: "\(prefix)-\($0)", count: Int64($0), enqueuedAtMilliseconds: 1).encoded }
    }

    private static let perShard = 20_000

    /// A queue of its own in 3 shards on the test Redis, a fresh database, and a client for both.
    private static func threeShards() throws -> (TestRedis, DatabaseSettings, RedisClient, [WorkQueue]) {
        let database = try TestServices.freshDatabase()
        var redis = TestServices.redis()
        redis.queue.shards = 3
        let client = redis.client()
        return (redis, database, client, redis.shards(on: client).shards)
    }

    @Test func aConsumerTakesBatchesFromEveryShardInTurnSoNoneStarves() async throws {
        let (redis, database, client, shards) = try Self.threeShards()
        for (index, shard) in shards.enumerated() {
            try await shard.push(Self.envelopes(0..<Self.perShard, prefix: "s\(index)"), deadline: .after(.seconds(5)))
        }
        var configuration = TestServices.consumerConfiguration(redis: redis, database: database)
        configuration.batchSize = 100
        let consumer = RunningConsumer(configuration)
        // Stop early, while most is still queued: a consumer that drained one shard first would
        // leave the others untouched.
        let started = await TestServices.eventually { try TestServices.rowCount(database) >= 1500 }
        try await consumer.stop()
        #expect(started)
        var taken: [Int64] = []
        for shard in shards {
            taken.append(Int64(Self.perShard) - (try await shard.length(deadline: .after(.seconds(2)))))
        }
        let total = taken.reduce(0, +)
        #expect(total >= 1500 && taken.allSatisfy { $0 < Self.perShard }, "stopped midway: taken per shard \(taken)")
        // Batch by batch in turn: no shard is more than a couple of batches ahead of another.
        #expect((taken.max() ?? 0) - (taken.min() ?? 0) <= 300, "taken per shard: \(taken)")
        #expect(try TestServices.rowCount(database) == Int(total))
        await client.shutdown()
    }

    @Test func aDeadConsumersBatchIsReclaimedOnWhicheverShardItWasTakenFrom() async throws {
        let (redis, database, client, shards) = try Self.threeShards()
        // A consumer died holding one batch on the last shard; nothing else is queued.
        let orphaned = Self.envelopes(0..<5, prefix: "ghost")
        try await client.run(["RPUSH", shards[2].keys.processing(consumer: "ghost")] + orphaned, routingKey: shards[2].keys.queue, deadline: .after(.seconds(2)))
        let consumer = RunningConsumer(TestServices.consumerConfiguration(redis: redis, database: database))
        let reclaimed = await TestServices.eventually { try TestServices.rowCount(database) == 5 }
        try await consumer.stop()
        #expect(reclaimed)
        let left = try await client.run(["LLEN", shards[2].keys.processing(consumer: "ghost")], routingKey: shards[2].keys.queue, deadline: .after(.seconds(2)))
        #expect(left.integer == 0)
        await client.shutdown()
    }
}
