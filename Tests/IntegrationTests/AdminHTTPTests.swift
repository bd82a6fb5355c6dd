import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Database
import Queue
import Redis
import Testing

@testable import Consumer
@testable import Producer

/// The Producer's `/history` and `/admin/...` against real Redis and MariaDB: history sums match what
/// was posted; admin routes exist only with `ADMIN_TOKEN`, need it as a bearer token, and act like the CLI.
@Suite(.serialized, .timeLimit(.minutes(3)), .needsTestServers)
struct AdminHTTPTests {
    static let token = "test-admin-token-0123456789"

    private func producer(redis: TestRedis, database: DatabaseSettings, token: String? = Self.token) -> some ApplicationProtocol {
        var configuration = ProducerConfiguration(redis: redis.settings, queue: redis.queue, database: database)
        configuration.httpHost = "127.0.0.1"
        configuration.httpPort = 0
        configuration.adminToken = token
        return buildApplication(configuration, logger: TestServices.logger, metrics: TestServices.metrics)
    }

    private static func json(_ buffer: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any]) ?? [:]
    }

    private static func admin(
        _ client: some TestClientProtocol, _ method: HTTPRequest.Method, _ path: String, body: String? = nil, token: String = token
    ) async throws -> (HTTPResponse.Status, [String: Any]) {
        var headers: HTTPFields = [.authorization: "Bearer \(token)"]
        if body != nil { headers[.contentType] = "application/json" }
        return try await client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            (response.status, Self.json(response.body))
        }
    }

    @Test func historySumsMatchWhatWasPosted() async throws {
        let redis = TestServices.redis()
        let database = try TestServices.freshDatabase()
        let consumer = RunningConsumer(TestServices.consumerConfiguration(redis: redis, database: database))
        try await producer(redis: redis, database: database, token: nil).test(.live) { client in
            for value in 1...25 {
                try await client.execute(
                    uri: "/api/count", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"count": \#(value)}"#)
                ) { #expect($0.status == .created) }
            }
            for body in [#"{"count": "x"}"#, #"{"count": 1.5}"#, "nope"] {
                try await client.execute(
                    uri: "/count", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)
                ) { #expect($0.status == .badRequest) }
            }
            try await client.execute(uri: "/count", method: .post, headers: [.contentType: "text/plain"], body: ByteBuffer(string: "1")) {
                #expect($0.status == .unsupportedMediaType)
            }
            #expect(await TestServices.eventually { try TestServices.rowCount(database) == 25 })
            var series: [String: Any] = [:]
            let summed = await TestServices.eventually {
                series = try await client.execute(uri: "/api/history?window=1h", method: .get) { Self.json($0.body) }
                let values = series["series"] as? [String: [Int]] ?? [:]
                let reasons = series["rejected_by_reason"] as? [String: [Int]] ?? [:]
                return values["accepted"]?.reduce(0, +) == 25 && values["inserted"]?.reduce(0, +) == 25
                    && values["rejected"]?.reduce(0, +) == 4 && reasons["invalid"]?.reduce(0, +) == 3
                    && reasons["wrong_content_type"]?.reduce(0, +) == 1
            }
            #expect(summed, "\(series)")
            #expect(series["step_seconds"] as? Int == 60 && (series["series"] as? [String: [Int]])?["accepted"]?.count == 60)
            for window in ["24h", "7d", "90d"] {
                let body = try await client.execute(uri: "/history?window=\(window)", method: .get) { Self.json($0.body) }
                #expect((body["series"] as? [String: [Int]])?["accepted"]?.reduce(0, +) == 25, "\(window): \(body)")
            }
            let status = try await client.execute(uri: "/history?window=2h", method: .get) { $0.status }
            #expect(status == .badRequest)
            // No token configured: the admin routes do not exist.
            let (adminStatus, _) = try await Self.admin(client, .get, "/admin/queue/status")
            #expect(adminStatus == .notFound)
        }
        try await consumer.stop()
    }

    @Test func adminRoutesNeedTheTokenAndActLikeTheCLI() async throws {
        let redis = TestServices.redis()
        let database = try TestServices.freshDatabase()
        let client = redis.client()
        let keys = QueueKeys(queue: redis.queue.name)
        let records = (1...3).map { #"{"kind":"undecodable","reason":"not valid JSON","id":"bad-\#($0)","raw":"bad \#($0)","consumer":"c","deliveries":1,"ts":\#($0)}"# }
            + [#"{"kind":"max_deliveries","reason":"delivered 5 times","id":"m-1","raw":"{\"v\":1,\"id\":\"m-1\",\"count\":1,\"ts\":1}","consumer":"c","deliveries":5,"ts":9}"#]
        try await client.run(["RPUSH", keys.deadLetters] + records, deadline: .after(.seconds(2)))
        try await producer(redis: redis, database: database).test(.router) { http in
            for path in ["/admin/dead-letters/summary", "/api/admin/queue/status"] {
                #expect(try await Self.admin(http, .get, path, token: "wrong-token-0123456789").0 == .unauthorized)
                let status = try await http.execute(uri: path, method: .get) { $0.status }
                #expect(status == .unauthorized)
            }
            let (_, summary) = try await Self.admin(http, .get, "/api/admin/dead-letters/summary")
            #expect(summary["total"] as? Int == 4 && (summary["by_kind"] as? [String: Int])?["undecodable"] == 3, "\(summary)")
            let (_, newest) = try await Self.admin(http, .get, "/admin/dead-letters?kind=undecodable&limit=2")
            #expect((newest["records"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["bad-3", "bad-2"], "\(newest)")
            #expect(try await Self.admin(http, .get, "/admin/dead-letters/nope").0 == .notFound)
            let (unknown, answer) = try await Self.admin(http, .post, "/admin/dead-letters/replay", body: #"{"id":"nope"}"#)
            #expect(unknown == .notFound && answer["error"] as? String == "unknown_id", "\(answer)")
            #expect(try await Self.admin(http, .post, "/admin/dead-letters/purge", body: #"{"kind":"undecodable"}"#).0 == .badRequest)
            #expect(try await Self.admin(http, .post, "/admin/dead-letters/replay", body: "{}").0 == .badRequest)
            let (_, dryRun) = try await Self.admin(http, .post, "/admin/dead-letters/replay", body: #"{"all":true,"dry_run":true}"#)
            #expect(dryRun["count"] as? Int == 4 && dryRun["action"] as? String == "dry_run", "\(dryRun)")
            let (_, purged) = try await Self.admin(http, .post, "/admin/dead-letters/purge", body: #"{"kind":"undecodable","yes":true}"#)
            #expect(purged["count"] as? Int == 3, "\(purged)")
            let (_, replayed) = try await Self.admin(http, .post, "/admin/dead-letters/replay", body: #"{"id":"m-1"}"#)
            #expect(replayed["count"] as? Int == 1 && replayed["ids"] as? [String] == ["m-1"], "\(replayed)")
            #expect(try await client.run(["LLEN", redis.queue.name], deadline: .after(.seconds(2))).integer == 1)

            let (_, paused) = try await Self.admin(http, .post, "/admin/queue/pause")
            #expect(paused["state"] as? String == "paused" && paused["changed"] as? Bool == true, "\(paused)")
            let (_, status) = try await Self.admin(http, .get, "/admin/queue/status")
            #expect(status["state"] as? String == "paused", "\(status)")
            let stats = try await http.execute(uri: "/stats", method: .get) { Self.json($0.body) }
            #expect(stats["paused"] as? Bool == true, "\(stats)")
            let (_, resumed) = try await Self.admin(http, .post, "/api/admin/queue/resume")
            #expect(resumed["state"] as? String == "running" && resumed["changed"] as? Bool == true, "\(resumed)")
        }
        await client.shutdown()
    }
}
