import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Database
import HTTPService
import Message
import Queue
import Redis
import Resilience
import Synchronization
import Testing

@testable import Producer

/// The router with in-memory storage: every status code and JSON shape of the API, no sockets.
@Suite struct RouterTests {
    final class MemoryQueue: CountQueueing {
        let messages = Mutex<[QueueMessage]>([])
        let failure: (any Error)?
        init(failure: (any Error)? = nil) { self.failure = failure }
        func enqueue(_ message: QueueMessage, deadline: Deadline) async throws {
            if let failure { throw failure }
            messages.withLock { $0.append(message) }
        }
    }

    struct FixedCounts: CountReading, QueueInspecting {
        var summary: CountSummary? = CountSummary(rowsCount: 3, latestValue: 42)
        func summary(deadline: Deadline) async throws -> CountSummary {
            guard let summary else { throw DatabaseError(code: 2003, message: "Can't connect") }
            return summary
        }
        func depths(deadline: Deadline) async throws -> QueueDepths {
            QueueDepths(queued: 5, deadLettered: 1, processing: 2, consumers: 2, oldestEnqueuedAtMilliseconds: nil)
        }
        func ping(deadline: Deadline) async throws {}
    }

    static func configuration(cors: String = "*") -> ProducerConfiguration {
        var configuration = ProducerConfiguration(
            redis: RedisSettings(host: "unused"), database: DatabaseSettings(host: "unused", user: "u", password: "p"))
        configuration.corsAllowOrigin = cors
        return configuration
    }

    static func dependencies(queue: MemoryQueue = MemoryQueue(), counts: FixedCounts = FixedCounts()) -> ProducerDependencies {
        ProducerDependencies(queue: queue, counts: counts, inspector: counts, instanceName: "producer-test", hostname: "internal-host")
    }

    private func app(queue: MemoryQueue = MemoryQueue(), counts: FixedCounts = FixedCounts(), cors: String = "*") -> some ApplicationProtocol {
        Application(router: buildRouter(Self.configuration(cors: cors), dependencies: Self.dependencies(queue: queue, counts: counts)))
    }

    private func operations(counts: FixedCounts) -> some ApplicationProtocol {
        Application(router: buildProbesAndMetricsRouter(Self.configuration(), dependencies: Self.dependencies(counts: counts)))
    }

    private func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any])
    }

    private static let jsonHeaders: HTTPFields = [.contentType: "application/json"]

    @Test(arguments: ["/count", "/api/count"])
    func postQueuesTheValueAndAnswers201(path: String) async throws {
        let queue = MemoryQueue()
        try await app(queue: queue).test(.router) { client in
            try await client.execute(uri: path, method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: #"{"count": 1732000000}"#)) { response in
                #expect(response.status == .created)
                let body = try json(response.body)
                #expect(body["message"] as? String == "Value added to Redis queue")
                #expect(body["value"] as? Int == 1_732_000_000)
                let stored = queue.messages.withLock { $0 }
                #expect(stored.count == 1 && stored.first?.count == 1_732_000_000)
                #expect(body["id"] as? String == stored.first?.id)
            }
        }
    }

    @Test func idempotencyKeyBecomesTheMessageID() async throws {
        let queue = MemoryQueue()
        try await app(queue: queue).test(.router) { client in
            var headers = Self.jsonHeaders
            headers[HTTPField.Name("Idempotency-Key")!] = "order-17"
            try await client.execute(uri: "/count", method: .post, headers: headers, body: ByteBuffer(string: #"{"count": 1}"#)) { response in
                #expect(response.status == .created)
                let id = try json(response.body)["id"] as? String
                #expect(id == "order-17")
            }
            headers[HTTPField.Name("Idempotency-Key")!] = "bad key!"
            try await client.execute(uri: "/count", method: .post, headers: headers, body: ByteBuffer(string: #"{"count": 1}"#)) { response in
                #expect(response.status == .badRequest)
                let code = try json(response.body)["error"] as? String
                #expect(code == "invalid_idempotency_key")
            }
        }
        #expect(queue.messages.withLock { $0.count } == 1)
    }

    @Test func badRequestsGetJSONErrorsAndQueueNothing() async throws {
        let queue = MemoryQueue()
        try await app(queue: queue).test(.router) { client in
            let cases: [(HTTPFields, String, HTTPResponse.Status, String)] = [
                (Self.jsonHeaders, #"{"count": "1"}"#, .badRequest, "wrong_type"),
                (Self.jsonHeaders, "{", .badRequest, "malformed_json"),
                ([.contentType: "text/plain"], #"{"count": 1}"#, .unsupportedMediaType, "unsupported_media_type"),
                ([:], #"{"count": 1}"#, .unsupportedMediaType, "unsupported_media_type"),
                (Self.jsonHeaders, #"{"count": 1, "pad": ""# + String(repeating: "x", count: 2000) + "\"}", .contentTooLarge, "body_too_large"),
            ]
            for (headers, body, status, code) in cases {
                try await client.execute(uri: "/count", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
                    #expect(response.status == status, "\(body.prefix(40))")
                    #expect(response.headers[.contentType] == "application/json")
                    let decoded = try json(response.body)
                    #expect(decoded["error"] as? String == code)
                    #expect((decoded["message"] as? String)?.isEmpty == false)
                }
            }
        }
        #expect(queue.messages.withLock { $0.isEmpty })
    }

    @Test func unreachableQueueIs503WithRetryAfter() async throws {
        let queue = MemoryQueue(failure: RedisError(kind: .connection, message: "Connection refused"))
        try await app(queue: queue).test(.router) { client in
            try await client.execute(uri: "/count", method: .post, headers: Self.jsonHeaders, body: ByteBuffer(string: #"{"count": 1}"#)) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "1")
                let body = try json(response.body)
                #expect(body["error"] as? String == "queue_unavailable")
                #expect((body["message"] as? String)?.contains("Connection refused") == false, "no server error text in a public answer")
            }
        }
    }

    @Test func getCountReportsTheTable() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/api/count", method: .get) { response in
                #expect(response.status == .ok)
                let body = try json(response.body)
                #expect(body["rows_count"] as? Int == 3)
                #expect(body["latest_value"] as? Int == 42)
                #expect(body["hostname"] as? String == "producer-test")
            }
        }
        try await app(counts: FixedCounts(summary: nil)).test(.router) { client in
            try await client.execute(uri: "/count", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try json(response.body)
                #expect(body["error"] as? String == "database_unavailable")
                #expect((body["message"] as? String)?.contains("Can't connect") == false, "no server error text in a public answer")
                #expect(response.headers[.init("X-Request-Id")!]?.isEmpty == false)
            }
            try await client.execute(uri: "/stats", method: .get) { response in
                #expect(response.status == .ok)
                let body = try json(response.body)
                #expect(body["rows_count"] is NSNull)
                #expect(body["queue_depth"] as? Int == 5)
                #expect((body["sources"] as? [String: String]) == ["redis": "ok", "database": "unavailable"])
            }
        }
        try await operations(counts: FixedCounts(summary: nil)).test(.router) { client in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                let body = try json(response.body)
                #expect((body["checks"] as? [String: String])?["database"]?.contains("Can't connect") == true, "operators get the detail")
                #expect(body["hostname"] as? String == "internal-host")
            }
        }
    }

    @Test func healthNeedsNoBackends() async throws {
        try await app(counts: FixedCounts(summary: nil)).test(.router) { client in
            for path in ["/health", "/api/health"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok)
                    let body = try json(response.body)
                    #expect(body["status"] as? String == "healthy")
                    #expect(body["hostname"] as? String == "producer-test")
                }
            }
        }
    }

    @Test func unknownRoutesAndMethodsAnswerJSON() async throws {
        try await app().test(.router) { client in
            for (path, method) in [("/nope", HTTPRequest.Method.get), ("/api/../../etc/passwd", .get), ("/count", .delete)] {
                try await client.execute(uri: path, method: method) { response in
                    #expect(response.status.code >= 400 && response.status.code < 500)
                    #expect(response.headers[.contentType] == "application/json")
                    let code = try json(response.body)["error"]
                    #expect(code is String)
                }
            }
        }
    }

    @Test func corsPreflightAndHeaders() async throws {
        try await app(cors: "https://example.org").test(.router) { client in
            let preflight: HTTPFields = [
                .origin: "https://example.org", .accessControlRequestMethod: "POST", .accessControlRequestHeaders: "content-type",
            ]
            try await client.execute(uri: "/api/count", method: .options, headers: preflight) { response in
                #expect(response.status == .noContent || response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == "https://example.org")
                #expect(response.headers[.accessControlAllowMethods]?.contains("POST") == true)
            }
            try await client.execute(uri: "/count", method: .post, headers: [.origin: "https://example.org", .contentType: "text/plain"], body: ByteBuffer(string: "x")) { response in
                #expect(response.status == .unsupportedMediaType)
                #expect(response.headers[.accessControlAllowOrigin] == "https://example.org", "errors carry CORS headers too")
            }
        }
    }
}
