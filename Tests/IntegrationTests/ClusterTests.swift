import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Database
import Queue
import Redis
import Synchronization
import Testing

@testable import Consumer
@testable import Producer

/// Redis Cluster for real: a 3-primary, 3-replica cluster of the test's own (`OwnCluster`).
@Suite(.serialized, .timeLimit(.minutes(3)), .needsTestServers)
struct ClusterTests {
    private func producer(_ redis: TestRedis, _ database: DatabaseSettings, requestTimeout: Duration? = nil) -> some ApplicationProtocol {
        var configuration = TestServices.producerConfiguration(redis: redis, database: database)
        if let requestTimeout { configuration.requestTimeout = requestTimeout }
        return buildApplication(configuration, logger: TestServices.logger, metrics: TestServices.metrics)
    }

    private static func storedIDs(_ database: DatabaseSettings) throws -> [String] {
        let connection = try TestServices.connect(database)
        defer { connection.close() }
        return try connection.query("SELECT message_id FROM `count`").compactMap { $0.first ?? nil }
    }

    @Test func threeShardsLandOnThreePrimariesAndEveryValueBecomesOneRow() async throws {
        let cluster = try OwnCluster()
        let redis = cluster.settings(shards: 3)
        let shards = QueueKeys.shards(of: redis.queue.name, count: 3)
        let owners = try Set(shards.map { try cluster.primaryPort(for: $0.queue) })
        #expect(owners.count == 3, "shards \(shards.map(\.queue)) on \(owners)")

        let database = try TestServices.freshDatabase()
        let consumers = (0..<2).map { _ in RunningConsumer(TestServices.consumerConfiguration(redis: redis, database: database)) }
        let accepted = try await producer(redis, database).test(.live) { client in
            try await withThrowingTaskGroup(of: [String].self) { group in
                for worker in 0..<10 {
                    group.addTask {
                        var ids: [String] = []
                        for value in 0..<30 { if let id = try await client.postCount(worker * 100 + value).acceptedID { ids.append(id) } }
                        return ids
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
        }
        #expect(accepted.count == 300)
        let drained = await TestServices.eventually { try TestServices.rowCount(database) == 300 }
        #expect(drained)
        for consumer in consumers { try await consumer.stop() }
        #expect(Set(try Self.storedIDs(database)) == Set(accepted))
        // Every primary took pushes (the Producer spreads them) and every shard was drained.
        for port in owners {
            let stats = try cluster.run(["INFO", "commandstats"], onPort: port).string ?? ""
            #expect(stats.contains("cmdstat_rpush:calls="), "no RPUSH reached the primary on \(port)")
        }
        let client = redis.client()
        for shard in shards {
            #expect(try await client.run(["LLEN", shard.queue], routingKey: shard.queue, deadline: .after(.seconds(2))).integer == 0)
        }
        await client.shutdown()
    }

    /// A slot moved by hand, as `redis-cli --cluster reshard` does it: while it migrates, a key that
    /// has not moved yet is served by the old node and a new key gets ASK; afterwards, MOVED.
    @Test func askAndMovedAreFollowedWhileASlotMigrates() async throws {
        let cluster = try OwnCluster()
        let redis = cluster.settings()
        let key = "{\(redis.queue.name)}:list"
        let slot = String(HashSlot.of(key))
        let source = try cluster.primaryPort(for: key)
        let primaries = try Set(["{a}", "{b}", "{c}", "{d}", "{e}", "{f}"].map { try cluster.primaryPort(for: $0) })
        let target = try #require(primaries.first { $0 != source })
        let sourceID = try #require(try cluster.run(["CLUSTER", "MYID"], onPort: source).string)
        let targetID = try #require(try cluster.run(["CLUSTER", "MYID"], onPort: target).string)

        let client = redis.client()
        try await client.run(["RPUSH", key, "before"], routingKey: key, deadline: .after(.seconds(2)))

        try cluster.run(["CLUSTER", "SETSLOT", slot, "IMPORTING", sourceID], onPort: target)
        try cluster.run(["CLUSTER", "SETSLOT", slot, "MIGRATING", targetID], onPort: source)
        let newKey = "{\(redis.queue.name)}:new"
        let asked = try await client.run(["RPUSH", newKey, "during"], routingKey: newKey, deadline: .after(.seconds(2)))
        #expect(asked.integer == 1)
        let onTarget = try cluster.run(["DBSIZE"], onPort: target).integer ?? 0
        #expect(onTarget >= 1, "the new key went to the importing node (ASK)")

        try cluster.run(["MIGRATE", "127.0.0.1", String(target), "", "0", "5000", "KEYS", key], onPort: source)
        for port in [target, source] + primaries.filter({ $0 != source && $0 != target }) {
            try cluster.run(["CLUSTER", "SETSLOT", slot, "NODE", targetID], onPort: port)
        }
        // The client's map still says `source`: it is answered MOVED, and follows.
        let moved = try await client.run(["LRANGE", key, "0", "-1"], routingKey: key, deadline: .after(.seconds(2)))
        #expect(moved.array?.compactMap(\.string) == ["before"])
        let both = try await client.pipeline([["LLEN", key], ["LLEN", newKey]], routingKey: key, deadline: .after(.seconds(2)))
        #expect(both.map(\.integer) == [1, 1])
        await client.shutdown()
    }

    @Test func waitAnswers503WhenFewerReplicasConfirmThanAskedFor() async throws {
        let cluster = try OwnCluster()
        let database = try TestServices.freshDatabase()
        // A longer deadline than the default second: WAIT gets a third of it, and a loaded CI machine
        // may need more than a third of a second for the first replica acknowledgement.
        try await producer(cluster.settings(waitReplicas: 1), database, requestTimeout: .seconds(5)).test(.router) { client in
            let id = try await client.postCount(1).acceptedID
            #expect(id != nil, "one replica per primary confirms")
        }
        try await producer(cluster.settings(waitReplicas: 2), database).test(.router) { client in
            try await client.execute(
                uri: "/count", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"count": 2}"#)
            ) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(body?["error"] as? String == "queue_unavailable")
                // The replication detail (NOREPLICAS ..., REDIS_WAIT_REPLICAS) is for the log, not the client.
                let message = body?["message"] as? String ?? ""
                #expect(!message.contains("NOREPLICAS") && !message.contains("127.0.0.1"), "\(message)")
            }
        }
    }

    /// A primary crashes under load; its replica takes over and the pipeline recovers by itself.
    /// With REDIS_WAIT_REPLICAS=1 every 201 was on a replica too: none is lost (and the message id's
    /// unique key keeps redeliveries from doubling any).
    @Test func aPrimaryCrashingUnderLoadLosesNothingThatWasConfirmedByAReplica() async throws {
        let cluster = try OwnCluster()
        let redis = cluster.settings(shards: 3, waitReplicas: 1)
        let database = try TestServices.freshDatabase()
        let consumers = (0..<2).map { _ in RunningConsumer(TestServices.consumerConfiguration(redis: redis, database: database)) }
        let victim = try cluster.primaryPort(for: redis.queue.name)
        let tally = LoadTally()
        let recoveredAfter: Duration? = try await producer(redis, database).test(.live) { client in
            let end = ContinuousClock.now + .seconds(12)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var value = worker * 1_000_000
                        // Bounded in count and in time.
                        while ContinuousClock.now < end, value < worker * 1_000_000 + 20_000 {
                            value += 1
                            if let id = try await client.postCount(value).acceptedID {
                                tally.accepted.withLock { $0.append(id) }
                            } else {
                                tally.refused.add(1, ordering: .relaxed)
                                try await Task.sleep(for: .milliseconds(20))
                            }
                        }
                    }
                }
                // The load is flowing before the primary goes; early, so that most of the 12 s of load
                // is left for the failover and the recovery (on a loaded machine 200 took 4-5 s).
                #expect(await TestServices.eventually(timeout: .seconds(5)) { tally.accepted.withLock { $0.count } >= 50 })
                let before = tally.accepted.withLock { $0.count }
                cluster.crash(port: victim)
                let crashed = ContinuousClock.now
                let recovered = await TestServices.eventually(timeout: .seconds(9)) {
                    (try cluster.primaryPort(for: redis.queue.name)) != victim && tally.accepted.withLock { $0.count } > before + 100
                }
                let recoveredAfter = recovered ? ContinuousClock.now - crashed : nil
                try await group.waitForAll()
                return recoveredAfter
            }
        }
        let confirmed = tally.accepted.withLock { $0 }
        #expect(recoveredAfter != nil, "the replica of \(victim) took over and values flowed again")
        let drained = await TestServices.eventually(timeout: .seconds(30)) { try Set(Self.storedIDs(database)).isSuperset(of: confirmed) }
        for consumer in consumers { try await consumer.stop() }
        let stored = try Self.storedIDs(database)
        #expect(drained, "\(Set(confirmed).subtracting(stored).count) of \(confirmed.count) confirmed values are missing")
        print("cluster failover: \(confirmed.count) confirmed, \(tally.refused.load(ordering: .relaxed)) refused while failing over, recovered after \(recoveredAfter.map { "\($0)" } ?? "never"), \(stored.count) rows")
    }
}

/// What a load loop saw: the ids of accepted values, and how many requests were refused.
final class LoadTally: Sendable {
    let accepted = Mutex<[String]>([])
    let refused = Atomic<Int>(0)
}
