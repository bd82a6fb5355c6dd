import Testing

@testable import Queue
@testable import Redis

@Suite struct ClusterRoutingTests {
    /// Expected slots from a real redis-server's CLUSTER KEYSLOT.
    @Test(arguments: [
        ("foo", 12182), ("bar", 5061), ("{user1000}.following", 3443), ("foo{}{bar}", 8363), ("foo{{bar}}zap", 4015),
        ("foo{bar}{zap}", 5061), ("count_queue", 1710), ("{count_queue}:dead", 1710), ("123456789", 12739),
    ])
    func slotsMatchRedis(key: String, slot: Int) {
        #expect(HashSlot.of(key) == slot)
    }

    @Test func crc16IsXmodem() {
        #expect(HashSlot.crc16(Array("123456789".utf8)[...]) == 0x31C3)
    }

    @Test func everyKeyOfAQueueSharesTheQueuesSlot() {
        let keys = QueueKeys(queue: "count_queue")
        let slots = Set([keys.queue, keys.consumers, keys.deadLetters, keys.legacySequence, keys.deliveryAttempts, keys.processing(consumer: "c-1")].map(HashSlot.of))
        #expect(slots == [1710])
    }

    @Test func shardsFallInSeparatePartsOfTheSlotSpaceAndShardZeroIsThePlainQueue() {
        for count in [1, 2, 3, 5, 16] {
            let shards = QueueKeys.shards(of: "count_queue", count: count)
            #expect(shards.count == count)
            #expect(shards[0] == QueueKeys(queue: "count_queue"))
            let parts = Set(shards.map { HashSlot.of($0.queue) * count / HashSlot.count })
            #expect(parts.count == count, "\(count) shards: \(shards.map(\.queue))")
            // Each shard's own keys stay in its slot, so its scripts work on a cluster.
            for shard in shards {
                #expect(HashSlot.of(shard.processing(consumer: "c")) == HashSlot.of(shard.queue))
            }
        }
        // Pinned: Producers and Consumers of different versions must agree (bench/benchmark.py mirrors it too).
        #expect(QueueKeys.shards(of: "count_queue", count: 3).map(\.queue) == ["count_queue", "count_queue:shard1-1", "count_queue:shard2-1"])
    }

    @Test func parsesClusterSlotsIncludingNodesThatDoNotKnowTheirAddress() throws {
        let reply = RedisValue.array([
            .array([.integer(0), .integer(5460), .array([.bulk(Array("10.0.0.1".utf8)), .integer(6379), .bulk(Array("id1".utf8))]),
                    .array([.bulk(Array("10.0.0.4".utf8)), .integer(6379), .bulk(Array("id4".utf8))])]),
            .array([.integer(5461), .integer(16383), .array([.bulk([]), .integer(6380), .bulk(Array("id2".utf8))])]),
        ])
        let map = try ClusterSlotMap(clusterSlots: reply, askedHost: "seed.example")
        #expect(map.primary(forSlot: 0) == RedisNodeAddress(host: "10.0.0.1", port: 6379))
        #expect(map.primary(forSlot: 5460) == RedisNodeAddress(host: "10.0.0.1", port: 6379))
        #expect(map.primary(forSlot: 5461) == RedisNodeAddress(host: "seed.example", port: 6380))
        #expect(map.primaries.count == 2)
        #expect(throws: RedisError.self) { try ClusterSlotMap(clusterSlots: .array([.array([.integer(9), .integer(3)])]), askedHost: "x") }
    }

    @Test func slotsNoPrimaryClaimsHaveNone() throws {
        let reply = RedisValue.array([.array([.integer(0), .integer(99), .array([.bulk(Array("a".utf8)), .integer(1)])])])
        let map = try ClusterSlotMap(clusterSlots: reply, askedHost: "x")
        #expect(map.primary(forSlot: 100) == nil)
        #expect(ClusterSlotMap().isEmpty)
    }

    @Test func readsMovedAndAskRedirects() {
        #expect(ClusterRedirect(.error("MOVED 3999 127.0.0.1:6381"), defaultHost: "h") == .moved(slot: 3999, to: RedisNodeAddress(host: "127.0.0.1", port: 6381)))
        #expect(ClusterRedirect(.error("ASK 3999 ::1:6381"), defaultHost: "h") == .ask(slot: 3999, to: RedisNodeAddress(host: "::1", port: 6381)))
        #expect(ClusterRedirect(.error("MOVED 7 :6390"), defaultHost: "seed") == .moved(slot: 7, to: RedisNodeAddress(host: "seed", port: 6390)))
        #expect(ClusterRedirect(.error("ERR wrong number of arguments"), defaultHost: "h") == nil)
        #expect(ClusterRedirect(.error("MOVED 99999 a:1"), defaultHost: "h") == nil)
        #expect(ClusterRedirect(.bulk(Array("MOVED 1 a:1".utf8)), defaultHost: "h") == nil)
    }
}
