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
@Suite(.serialized, .timeLimit(.minutes(2)))
struct RecoveryTests {
    init() throws { try TestServices.require() }

    /// A redis-server process of this test's own.
    final class OwnRedis: @unchecked Sendable {  // used by one test task at a time
        let port: Int
        private var process: Process?
        private let directory: URL

        init() throws {
            // Below 32768, where Linux starts handing out ephemeral ports to outgoing connections.
            port = Int.random(in: 17000...19999)
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("count-pipeline-redis-\(port)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try start()
        }

        func start() throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
            process.arguments = ["--bind", "127.0.0.1", "--port", String(port), "--dir", directory.path, "--save", "", "--appendonly", "yes"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            self.process = process
        }

        /// Stops it cleanly with SHUTDOWN (it writes its AOF and exits), as an operator would. A signal
        /// is not used: a child of this test process may inherit a mask that blocks SIGTERM.
        func stop() {
            guard let process else { return }
            if let connection = try? RedisConnection.connect(host: "127.0.0.1", port: port, username: nil, password: nil, timeout: .seconds(1)) {
                _ = try? connection.run(["SHUTDOWN"], timeout: .seconds(5))
                connection.close()
            }
            for _ in 0..<100 where process.isRunning { usleep(50_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            self.process = nil
        }

        deinit {
            stop()
            try? FileManager.default.removeItem(at: directory)
        }
    }

    private static func post(_ client: some TestClientProtocol, _ value: Int) async throws -> HTTPResponse.Status {
        try await client.execute(uri: "/count", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: "{\"count\": \(value)}")) { $0.status }
    }

    @Test func theProducerRecoversByItselfWhenRedisReturns() async throws {
        let redis = try OwnRedis()
        var settings = TestServices.redis()
        settings.settings.port = redis.port
        let configuration = TestServices.producerConfiguration(redis: settings, database: try TestServices.freshDatabase())
        try await buildApplication(configuration, logger: TestServices.logger).test(.router) { client in
            let ready = await TestServices.eventually(timeout: .seconds(5)) { try await Self.post(client, 1) == .created }
            #expect(ready)
            redis.stop()
            let whileDown = try await Self.post(client, 2)
            #expect(whileDown == .serviceUnavailable)
            try redis.start()
            let restarted = ContinuousClock.now
            let recovered = await TestServices.eventually(timeout: .seconds(10)) { try await Self.post(client, 3) == .created }
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
