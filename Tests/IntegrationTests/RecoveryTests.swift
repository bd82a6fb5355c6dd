import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Message
import Queue
import Redis
import Testing

@testable import Consumer
@testable import Producer

/// Recovery from a Redis that goes away and comes back, against a redis-server this test starts
/// on a free loopback port (the shared test Redis must stay up for the other suites).
@Suite(.serialized, .timeLimit(.minutes(2)), .needsTestServers)
struct RecoveryTests {
    @Test func theProducerRecoversByItselfWhenRedisReturns() async throws {
        let redis = try OwnRedis()
        var settings = TestServices.redis()
        settings.settings.port = redis.port
        let configuration = TestServices.producerConfiguration(redis: settings, database: try TestServices.freshDatabase())
        try await buildApplication(configuration, logger: TestServices.logger).test(.router) { client in
            let ready = await TestServices.eventually(timeout: .seconds(5)) { try await client.postCount(1).status == .created }
            #expect(ready)
            redis.stop()
            let whileDown = try await client.postCount(2).status
            #expect(whileDown == .serviceUnavailable)
            try redis.start()
            let restarted = ContinuousClock.now
            let recovered = await TestServices.eventually(timeout: .seconds(10)) { try await client.postCount(3).status == .created }
            #expect(recovered)
            // Recovery is bounded by Redis' own start-up, not by any backoff of ours: the next request reconnects.
            #expect(ContinuousClock.now - restarted < .seconds(3))
        }
        let check = settings.client()
        let values = try await check.run(["LRANGE", settings.queue.name, "0", "-1"], deadline: .after(.seconds(2))).array ?? []
        #expect(values.compactMap { $0.string.flatMap { try? QueueMessage.decode(Array($0.utf8)).count } } == [1, 3], "\(values.compactMap(\.string))")
        await check.shutdown()
    }

    @Test func aMessageThatKeepsKillingItsConsumersIsDeadLettered() async throws {
        let settings = TestServices.redis()
        let database = try TestServices.freshDatabase()
        let client = settings.client()
        let keys = QueueKeys(queue: settings.queue.name)
        let poison = QueueMessage(id: "poison", count: 13, enqueuedAtMilliseconds: 1).encoded
        var configuration = TestServices.consumerConfiguration(redis: settings, database: database)
        configuration.maxDeliveries = 3
        // Two earlier deliveries died with it; the ghost holding it now is the third.
        try await client.pipeline([
            ["RPUSH", keys.processing(consumer: "ghost")] + [poison],
            ["HSET", keys.deliveryAttempts, poison, "2"],
        ], deadline: .after(.seconds(2)))
        let consumer = RunningConsumer(configuration)
        let deadLettered = await TestServices.eventually {
            try await client.run(["LLEN", keys.deadLetters], deadline: .after(.seconds(2))).integer == 1
        }
        #expect(deadLettered)
        try await consumer.stop()
        let letter = try #require(try await client.run(["LINDEX", keys.deadLetters, "0"], deadline: .after(.seconds(2))).string)
        let fields = try #require(JSONSerialization.jsonObject(with: Data(letter.utf8)) as? [String: Any])
        #expect((fields["reason"] as? String)?.contains("delivered 3 times") == true)
        #expect(fields["raw"] as? String == poison)
        #expect(try TestServices.rowCount(database) == 0)
        #expect(try await client.run(["HLEN", keys.deliveryAttempts], deadline: .after(.seconds(2))).integer == 0)
        await client.shutdown()
    }
}
