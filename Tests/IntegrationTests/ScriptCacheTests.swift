import Foundation
import Message
@testable import Queue
import Redis
import Testing

@testable import Consumer

/// The queue's Lua scripts go by their SHA-1 (EVALSHA), their text only where a node lacks them
/// (NOSCRIPT → EVAL), counted by a redis-server of the test's own: `INFO commandstats` there sees
/// only these calls.
@Suite(.serialized, .timeLimit(.minutes(2)), .needsTestServers)
struct ScriptCacheTests {
    /// calls and failed calls per command, from `INFO commandstats` (`cmdstat_evalsha:calls=12,…,failed_calls=1`).
    private static func commandStats(_ client: RedisClient) async throws -> [String: (calls: Int, failed: Int)] {
        let text = try await client.run(["INFO", "commandstats"], routingKey: nil, deadline: .after(.seconds(2))).string ?? ""
        var stats: [String: (calls: Int, failed: Int)] = [:]
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("cmdstat_") {
            let parts = line.dropFirst("cmdstat_".count).split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            var fields: [String: Int] = [:]
            for field in parts[1].split(separator: ",") {
                let pair = field.split(separator: "=")
                if pair.count == 2, let value = Int(pair[1]) { fields[String(pair[0])] = value }
            }
            stats[String(parts[0])] = (fields["calls"] ?? 0, fields["failed_calls"] ?? 0)
        }
        return stats
    }

    /// Scripts that ran: EVAL runs every time; EVALSHA runs unless it failed (NOSCRIPT).
    private static func scriptRuns(_ stats: [String: (calls: Int, failed: Int)]) -> (eval: Int, evalsha: Int) {
        (stats["eval"]?.calls ?? 0, (stats["evalsha"]?.calls ?? 0) - (stats["evalsha"]?.failed ?? 0))
    }

    @Test func aConsumerUnderLoadRunsAtLeast90PercentOfItsScriptsByEVALSHA() async throws {
        let server = try OwnRedis()
        try server.waitUntilReady()
        var redis = TestServices.redis()
        redis.settings.port = server.port
        let database = try TestServices.freshDatabase()
        let client = redis.client()
        let queue = WorkQueue(redis: client, keys: QueueKeys(queue: redis.queue.name))
        let values = 2_000
        for start in stride(from: 0, to: values, by: 100) {
            try await queue.push((start..<start + 100).map { QueueMessage(id: "m-\($0)", count: Int64($0), enqueuedAtMilliseconds: 1).encoded },
                deadline: .after(.seconds(2)))
        }
        var configuration = TestServices.consumerConfiguration(redis: redis, database: database)
        configuration.batchSize = 20  // many fetches and acknowledgements: the script calls of a long run, in a short one
        let consumer = RunningConsumer(configuration)
        let drained = await TestServices.eventually { try TestServices.rowCount(database) == values }
        try await consumer.stop()
        #expect(drained)
        let runs = Self.scriptRuns(try await Self.commandStats(client))
        let share = Double(runs.evalsha) / Double(max(1, runs.eval + runs.evalsha))
        print("ScriptCacheTests: EVALSHA ran \(runs.evalsha) of \(runs.eval + runs.evalsha) script calls (\(String(format: "%.1f", share * 100)) %)")
        // 100 fetches and 100 acknowledgements at least, besides heartbeats and the reaper.
        #expect(runs.evalsha >= 200, "\(runs)")
        #expect(share >= 0.9, "EVALSHA ran \(runs.evalsha) scripts, EVAL \(runs.eval): \(Int(share * 100)) %")
        await client.shutdown()
    }

    @Test func aScriptFlushMidRunCostsOneEVALPerScript() async throws {
        let server = try OwnRedis()
        try server.waitUntilReady()
        var redis = TestServices.redis()
        redis.settings.port = server.port
        let client = redis.client(poolSize: 1)  // one connection: every script call goes over it
        let queue = WorkQueue(redis: client, keys: QueueKeys(queue: redis.queue.name))
        let loaded = try await client.run(["SCRIPT", "LOAD", QueueScripts.heartbeat.source], routingKey: nil, deadline: .after(.seconds(2)))
        #expect(loaded.string == QueueScripts.heartbeat.sha1, "Redis names the script as RedisScript does")
        try await client.run(["SCRIPT", "FLUSH"], routingKey: nil, deadline: .after(.seconds(2)))

        for _ in 0..<10 { try await queue.heartbeat(consumer: "c-1", deadline: .after(.seconds(2))) }
        let first = Self.scriptRuns(try await Self.commandStats(client))
        #expect(first.eval == 1 && first.evalsha == 9, "the first call loads it, the other nine go by its SHA-1: \(first)")

        try await client.run(["SCRIPT", "FLUSH"], routingKey: nil, deadline: .after(.seconds(2)))
        for _ in 0..<10 { try await queue.heartbeat(consumer: "c-1", deadline: .after(.seconds(2))) }
        let afterFlush = Self.scriptRuns(try await Self.commandStats(client))
        #expect(afterFlush.eval == 2 && afterFlush.evalsha == 18, "after the flush, one EVAL again: \(afterFlush)")
        let consumers = try await client.run(["ZRANGE", queue.keys.consumers, "0", "-1"], routingKey: nil, deadline: .after(.seconds(2)))
        #expect(consumers.array?.compactMap(\.string) == ["c-1"], "every heartbeat ran, the ones that met NOSCRIPT too")
        await client.shutdown()
    }
}
