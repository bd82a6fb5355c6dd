import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Database
import HTTPService
import Redis
import Testing

@testable import Producer

/// The Producer when a backend is unreachable: a fast 503 with Retry-After, never a hang.
@Suite(.serialized, .timeLimit(.minutes(1)), .needsTestServers)
struct FailureTests {
    /// A loopback port with nothing listening.
    private static let closedPort = 1

    private func producer(redis: TestRedis, database: DatabaseSettings) -> some ApplicationProtocol {
        buildApplication(TestServices.producerConfiguration(redis: redis, database: database), logger: TestServices.logger)
    }

    /// The operations server alone, on the same backends as a Producer would use.
    private func operations(redis: TestRedis, database: DatabaseSettings) -> some ApplicationProtocol {
        let configuration = TestServices.producerConfiguration(redis: redis, database: database)
        let backends = ProducerBackends(configuration, logger: TestServices.logger)
        return buildOperationsApplication(configuration, dependencies: backends.dependencies, logger: TestServices.logger)
    }

    @Test func redisDownMeans503WithinTheDeadline() async throws {
        var redis = TestServices.redis()
        redis.settings.port = Self.closedPort
        let database = try TestServices.freshDatabase()
        try await producer(redis: redis, database: database).test(.live) { client in
            let start = ContinuousClock.now
            try await client.execute(uri: "/count", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"count": 1}"#)) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "1")
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(body?["error"] as? String == "queue_unavailable")
            }
            // The default deadline is 1 s; allow generous slack for a loaded machine, but no hang.
            #expect(ContinuousClock.now - start < .seconds(5))
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
            }
            // The `healthcheck` subcommand's libcurl probe: healthy even with Redis down (liveness), and
            // a refused connection or a non-200 answer is a failure.
            let port = try #require(client.port)
            #expect(throws: Never.self) { try HealthProbe.check(url: "http://127.0.0.1:\(port)/health", timeout: .seconds(3)) }
            #expect(throws: HealthProbe.Failure.self) { try HealthProbe.check(url: "http://127.0.0.1:\(Self.closedPort)/health", timeout: .seconds(3)) }
            // The public port has no /ready: readiness is for the network's own machines.
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
        try await operations(redis: redis, database: database).test(.live) { client in
            let port = try #require(client.port)
            #expect(throws: HealthProbe.Failure.self) { try HealthProbe.check(url: "http://127.0.0.1:\(port)/ready", timeout: .seconds(3)) }
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                // Operators get the server's own words here (the public answers never do).
                let checks = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect((checks?["checks"] as? [String: String])?["redis"] != "ok")
            }
        }
    }

    @Test func databaseDownFailsReadsButNotWrites() async throws {
        let redis = TestServices.redis()
        var database = try TestServices.freshDatabase()
        database.port = Self.closedPort
        try await producer(redis: redis, database: database).test(.live) { client in
            try await client.execute(uri: "/count", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(body?["error"] as? String == "database_unavailable")
            }
            try await client.execute(uri: "/count", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"count": 2}"#)) { response in
                #expect(response.status == .created)
            }
        }
        let client = redis.client()
        #expect(try await client.run(["LLEN", redis.queue.name], deadline: .after(.seconds(2))).integer == 1)
        await client.shutdown()
    }
}
